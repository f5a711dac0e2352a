/**
 * What a storage backend of the oidc-provider adapters (Redis, process memory) implements and
 * stores: primitive operations, each on ONE key (src/oidc/store-adapter.ts builds the adapter
 * on them), and what is kept of a consumed model.
 */

/**
 * A model as stored: its payload, less the `jti` and `kind` its key already names (BASE_MODELS),
 * and when it was consumed. A consumed model may be cut down to the fields that are still read
 * (KEPT_WHEN_CONSUMED).
 */
export interface StoredModel {
  /** JSON of the payload as upserted (less jti and kind). Kept opaque so nothing rewrites it (e.g. Lua's cjson). */
  payload: string;
  /** Epoch seconds of the first `consume`. */
  consumed?: number;
}

export type ConsumeOutcome = { status: 'consumed' } | { status: 'missing' } | { status: 'already-consumed'; model: StoredModel };

/** `ttlSeconds` undefined everywhere means "does not expire". */
export interface AdapterBackend {
  /** Replaces the model; value and TTL are written in one step. */
  writeModel(key: string, model: StoredModel, ttlSeconds: number | undefined): Promise<void>;
  readModel(key: string): Promise<StoredModel | undefined>;
  /** Reads and deletes in one step, so two concurrent takes cannot both get the model. */
  takeModel(key: string): Promise<StoredModel | undefined>;
  /**
   * In one step: sets `consumed` to `now` unless it is already set; keeps the TTL. With `keep`,
   * the payload is cut to those of its top-level fields (the rest is no longer needed).
   */
  consume(key: string, now: number, keep?: readonly string[]): Promise<ConsumeOutcome>;
  setLookup(key: string, id: string, ttlSeconds: number | undefined): Promise<void>;
  getLookup(key: string): Promise<string | undefined>;
  /** Deletes the lookup only while it still names `id`, so a newer model's lookup survives. */
  deleteLookup(key: string, id: string): Promise<void>;
  /** Lists `member` under the grant; the index lives as long as its longest-lived member. */
  addGrantMember(key: string, member: string, ttlSeconds: number | undefined): Promise<void>;
  grantMembers(key: string): Promise<string[]>;
  /** Removes the members, and the index once it is empty. */
  removeGrantMembers(key: string, members: readonly string[]): Promise<void>;
}

/**
 * What a consumed model keeps: a rotated refresh token is kept until it would have expired only
 * so that presenting it again is caught as a reuse (RFC 9700 §4.14.2), and for that
 * oidc-provider's refresh_token grant reads these fields before it looks at `consumed`: the
 * client, expiry, grant, account and scope checks, the certificate / DPoP / attestation
 * bindings (kept when the token had them), then revokes the grant. The chain's access rules read
 * the scope too, and the audit log the client, address, grant and scope. Everything else (the
 * nonce, acr, amr, auth_time, session) served only to issue its successor: about two thirds of
 * the token.
 */
export const KEPT_WHEN_CONSUMED: Readonly<Record<string, readonly string[]>> = {
  RefreshToken: ['exp', 'clientId', 'grantId', 'accountId', 'scope', 'x5t#S256', 'jkt', 'attestationJkt'],
};

/** The payload (JSON) cut to `keep`'s top-level fields: what a backend stores of a consumed model. */
export function keptFields(payload: string, keep: readonly string[]): string {
  const full = JSON.parse(payload) as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const field of keep) if (full[field] !== undefined) kept[field] = full[field];
  return JSON.stringify(kept);
}
