import { errors, type Adapter, type AdapterFactory, type AdapterPayload } from 'oidc-provider';

/**
 * The storage-independent half of the oidc-provider adapters: key naming, TTLs, the grant index,
 * the lookups, and what happens when a single-use model is consumed twice. A backend (Redis or
 * process memory) supplies only primitive operations, each on ONE key, so the Redis backend works
 * unchanged on Redis Cluster (see the key layout in redis-adapter.ts).
 */

/** A model as stored: its payload verbatim, plus the fields the store itself needs to see. */
export interface StoredModel {
  /** JSON of the payload as upserted. Kept opaque so nothing rewrites it (e.g. Lua's cjson). */
  payload: string;
  /** Epoch seconds of the first `consume`. */
  consumed?: number;
  grantId?: string;
  uid?: string;
  userCode?: string;
}

export type ConsumeOutcome =
  | { status: 'consumed' }
  | { status: 'missing' }
  | { status: 'already-consumed'; grantId: string | undefined; consumedAt?: number };

/** `ttlSeconds` undefined everywhere means "does not expire". */
export interface AdapterBackend {
  /** Replaces the model; value and TTL are written in one step. */
  writeModel(key: string, model: StoredModel, ttlSeconds: number | undefined): Promise<void>;
  readModel(key: string): Promise<StoredModel | undefined>;
  /** Reads and deletes in one step, so two concurrent takes cannot both get the model. */
  takeModel(key: string): Promise<StoredModel | undefined>;
  /** In one step: sets `consumed` to `now` unless it is already set; keeps the TTL. */
  consume(key: string, now: number): Promise<ConsumeOutcome>;
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
 * Logical key names. The Redis client adds its own keyPrefix in front; the memory store uses them
 * as they are. Model names never contain ':' and oidc-provider ids are base64url, so a model key
 * parses back into model and id.
 */
const adapterKeys = {
  model: (model: string, id: string) => `oidc:${model}:${id}`,
  grantIndex: (grantId: string) => `oidc:grant-index:${grantId}`,
  sessionUid: (uid: string) => `oidc:session-uid:${uid}`,
  userCode: (userCode: string) => `oidc:user-code:${userCode}`,
  idOfModelKey: (key: string) => key.split(':').slice(2).join(':'),
};

/**
 * Models issued under a grant, which revoking the grant must remove (as oidc-provider's own
 * memory adapter does). Interaction also carries a grantId, but only as a reference to an existing
 * grant it may extend: revoking that grant must not break a sign-in in progress.
 */
const GRANT_MEMBERS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

function epochSeconds(ms = Date.now()): number {
  return Math.floor(ms / 1000);
}

/**
 * Stored lifetime in whole seconds. clockTolerance keeps a model around for as long as
 * oidc-provider itself would still accept it (its `clockTolerance` setting).
 */
/**
 * Models kept a while after they expire, because an expired one still answers differently
 * from an unknown one: a device polling an expired device code must hear expired_token
 * (RFC 8628 §3.5), and a person typing its user code "this code has expired". oidc-provider
 * checks expiry itself on every read, so a kept record grants nothing.
 */
export const KEPT_AFTER_EXPIRY: Record<string, number> = { DeviceCode: 10 * 60 };

function ttlSeconds(expiresIn: number | undefined, clockTolerance: number): number | undefined {
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn)) return undefined;
  return Math.max(1, Math.ceil(expiresIn + clockTolerance));
}

function words(model: string): string {
  return model.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase();
}

/**
 * The error the losing request gets. oidc-provider checks `consumed` itself only after a separate
 * read, so two requests racing with the same code both pass that check; this error is what keeps
 * the second from getting tokens. PAR is consumed at the authorization endpoint, where
 * invalid_request_uri is the error oidc-provider itself uses for a reused request_uri.
 */
/**
 * A refresh token presented twice within the reuse interval (REFRESH_TOKEN_REUSE_INTERVAL): the
 * second request lost the race to rotate it, most likely to its own relying party refreshing in
 * parallel. Nothing is revoked; src/oidc/refresh-grant.ts answers it with the token that won.
 * Should it escape, it is still the invalid_grant the second request would have got.
 */
export class RefreshTokenRotatedMeanwhile extends errors.InvalidGrant {
  constructor() {
    super('refresh token already used');
  }
}

export interface StoreAdapterOptions {
  /** Seconds; should equal the provider's `clockTolerance`. */
  clockTolerance?: number;
  /** Seconds after its rotation in which a second consume of a refresh token revokes nothing. */
  refreshTokenReuseInterval?: number;
}

function consumeRefused(model: string, why: 'already used' | 'not found'): Error {
  if (model === 'PushedAuthorizationRequest') {
    return new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
  }
  return new errors.InvalidGrant(`${words(model)} ${why}`);
}

function toStored(model: string, payload: AdapterPayload): StoredModel {
  const stored: StoredModel = { payload: JSON.stringify(payload) };
  if (payload.consumed) stored.consumed = typeof payload.consumed === 'number' ? payload.consumed : epochSeconds();
  if (GRANT_MEMBERS.has(model) && typeof payload.grantId === 'string') stored.grantId = payload.grantId;
  if (model === 'Session' && typeof payload.uid === 'string') stored.uid = payload.uid;
  if (typeof payload.userCode === 'string') stored.userCode = payload.userCode;
  return stored;
}

function toPayload(stored: StoredModel): AdapterPayload {
  const payload = JSON.parse(stored.payload) as AdapterPayload;
  if (stored.consumed !== undefined) payload.consumed = stored.consumed;
  return payload;
}

export class StoreAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly backend: AdapterBackend,
    private readonly clockTolerance: number,
    /** Seconds in which a second consume is a race, not a reuse (RefreshToken only; 0: never). */
    private readonly raceInterval: number,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = adapterKeys.model(this.model, id);
    const ttl = ttlSeconds(expiresIn, this.clockTolerance + (KEPT_AFTER_EXPIRY[this.model] ?? 0));
    const stored = toStored(this.model, payload);
    // Indexes first: a token must never be findable without being revocable through its grant.
    await Promise.all([
      stored.grantId && this.backend.addGrantMember(adapterKeys.grantIndex(stored.grantId), key, ttl),
      stored.uid && this.backend.setLookup(adapterKeys.sessionUid(stored.uid), id, ttl),
      stored.userCode && this.backend.setLookup(adapterKeys.userCode(stored.userCode), id, ttl),
    ]);
    await this.backend.writeModel(key, stored, ttl);
  }

  /**
   * A refresh token rotated within the reuse interval is shown as not yet consumed, so that
   * oidc-provider does not take a parallel refresh for a reuse before the consume below can
   * tell the two apart (src/oidc/refresh-grant.ts). After the interval it shows as consumed.
   */
  async find(id: string): Promise<AdapterPayload | undefined> {
    const stored = await this.backend.readModel(adapterKeys.model(this.model, id));
    if (!stored) return undefined;
    const payload = toPayload(stored);
    if (stored.consumed !== undefined && this.withinRaceInterval(stored.consumed)) delete payload.consumed;
    return payload;
  }

  /** When the model was consumed, whatever find shows (epoch seconds; undefined: not consumed). */
  async consumedAt(id: string): Promise<number | undefined> {
    return (await this.backend.readModel(adapterKeys.model(this.model, id)))?.consumed;
  }

  private withinRaceInterval(consumedAt: number): boolean {
    return this.raceInterval > 0 && epochSeconds() - consumedAt <= this.raceInterval;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = await this.backend.getLookup(adapterKeys.sessionUid(uid));
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = await this.backend.getLookup(adapterKeys.userCode(userCode));
    return id === undefined ? undefined : this.find(id);
  }

  async destroy(id: string): Promise<void> {
    const key = adapterKeys.model(this.model, id);
    const stored = await this.backend.takeModel(key);
    if (!stored) return;
    await Promise.all([
      stored.grantId && this.backend.removeGrantMembers(adapterKeys.grantIndex(stored.grantId), [key]),
      this.dropLookups(id, stored),
    ]);
  }

  /**
   * A second consume means the code or refresh token was used twice, so it may be in an
   * attacker's hands: revoke everything issued under its grant, and the grant itself
   * (RFC 6749 §4.1.2, RFC 9700 §4.14.2). Deleting the Grant also voids tokens that the winning
   * request issues after this revocation ran, because oidc-provider checks the grant on use.
   * Except a refresh token consumed again within the reuse interval: a race, not a reuse.
   */
  async consume(id: string): Promise<void> {
    const outcome = await this.backend.consume(adapterKeys.model(this.model, id), epochSeconds());
    if (outcome.status === 'consumed') return;
    if (outcome.status === 'missing') throw consumeRefused(this.model, 'not found');
    if (outcome.consumedAt !== undefined && this.withinRaceInterval(outcome.consumedAt)) throw new RefreshTokenRotatedMeanwhile();
    if (outcome.grantId !== undefined) {
      await Promise.all([
        this.revokeByGrantId(outcome.grantId),
        this.backend.takeModel(adapterKeys.model('Grant', outcome.grantId)),
      ]);
    }
    throw consumeRefused(this.model, 'already used');
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const indexKey = adapterKeys.grantIndex(grantId);
    const members = await this.backend.grantMembers(indexKey);
    await Promise.all(members.map(async (member) => {
      const stored = await this.backend.takeModel(member);
      if (stored) await this.dropLookups(adapterKeys.idOfModelKey(member), stored);
    }));
    // Only the members seen above: one added meanwhile stays listed for the next revocation.
    await this.backend.removeGrantMembers(indexKey, members);
  }

  private async dropLookups(id: string, stored: StoredModel): Promise<void> {
    await Promise.all([
      stored.uid && this.backend.deleteLookup(adapterKeys.sessionUid(stored.uid), id),
      stored.userCode && this.backend.deleteLookup(adapterKeys.userCode(stored.userCode), id),
    ]);
  }
}

export function createStoreAdapterFactory(backend: AdapterBackend, options: StoreAdapterOptions = {}): AdapterFactory {
  const { clockTolerance = 0, refreshTokenReuseInterval = 0 } = options;
  return (name) => new StoreAdapter(name, backend, clockTolerance, name === 'RefreshToken' ? refreshTokenReuseInterval : 0);
}
