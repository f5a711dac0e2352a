import { errors, type Adapter, type AdapterFactory, type AdapterPayload } from 'oidc-provider';
import { KEPT_WHEN_CONSUMED, type AdapterBackend, type StoredModel } from './adapter-backend.js';

/**
 * The storage-independent half of the oidc-provider adapters: key naming, TTLs, the grant index,
 * the lookups, and what happens when a single-use model is consumed twice. A backend (Redis or
 * process memory) supplies only primitive operations, each on ONE key, so the Redis backend works
 * unchanged on Redis Cluster (see the key layout in redis-adapter.ts).
 */

/**
 * Logical key names. The Redis client adds its own keyPrefix in front; the memory store uses them
 * as they are. Model names never contain ':' and oidc-provider ids are base64url, so a model key
 * parses back into model and id.
 *
 * A grant index lists its members as `<Model>:<id>`, the model key without its `oidc:`: short
 * enough (at most 64 bytes for oidc-provider's codes and tokens) for Redis to keep a small
 * index in its compact encoding, several times smaller. Members written before in full
 * (`oidc:<Model>:<id>`) are still read.
 */
const adapterKeys = {
  model: (model: string, id: string) => `oidc:${model}:${id}`,
  grantIndex: (grantId: string) => `oidc:grant-index:${grantId}`,
  sessionUid: (uid: string) => `oidc:session-uid:${uid}`,
  userCode: (userCode: string) => `oidc:user-code:${userCode}`,
  indexMember: (model: string, id: string) => `${model}:${id}`,
  keyOfIndexMember: (member: string) => (member.startsWith('oidc:') ? member : `oidc:${member}`),
  modelOfKey: (key: string) => key.split(':')[1]!,
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

/**
 * oidc-provider's models built on its BaseModel: their payload always carries `jti` (the id the
 * adapter is given) and `kind` (the model name), which the key already says, so they are not
 * stored twice. (A Client, or a model of our own, is stored as it is.)
 */
const BASE_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'BackchannelAuthenticationRequest',
  'ClientCredentials',
  'DeviceCode',
  'Grant',
  'InitialAccessToken',
  'Interaction',
  'PreAuthorizedCode',
  'PushedAuthorizationRequest',
  'RefreshToken',
  'RegistrationAccessToken',
  'ReplayDetection',
  'Session',
]);

function epochSeconds(ms = Date.now()): number {
  return Math.floor(ms / 1000);
}

/**
 * Models kept a while after they expire, because an expired one still answers differently
 * from an unknown one: a device polling an expired device code must hear expired_token
 * (RFC 8628 §3.5), and a person typing its user code "this code has expired". oidc-provider
 * checks expiry itself on every read, so a kept record grants nothing.
 */
export const KEPT_AFTER_EXPIRY: Record<string, number> = { DeviceCode: 10 * 60 };

/**
 * Stored lifetime in whole seconds. clockTolerance keeps a model around for as long as
 * oidc-provider itself would still accept it (its `clockTolerance` setting).
 */
function ttlSeconds(expiresIn: number | undefined, clockTolerance: number): number | undefined {
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn)) return undefined;
  return Math.max(1, Math.ceil(expiresIn + clockTolerance));
}

function words(model: string): string {
  return model.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase();
}

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

/**
 * The error the losing request gets. oidc-provider checks `consumed` itself only after a separate
 * read, so two requests racing with the same code both pass that check; this error is what keeps
 * the second from getting tokens. PAR is consumed at the authorization endpoint, where
 * invalid_request_uri is the error oidc-provider itself uses for a reused request_uri.
 */
function consumeRefused(model: string, why: 'already used' | 'not found'): Error {
  if (model === 'PushedAuthorizationRequest') {
    return new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
  }
  return new errors.InvalidGrant(`${words(model)} ${why}`);
}

function toStored(model: string, id: string, payload: AdapterPayload): StoredModel {
  let json: string;
  if (BASE_MODELS.has(model) && payload.jti === id && payload.kind === model) {
    const { jti: _jti, kind: _kind, ...rest } = payload;
    json = JSON.stringify(rest);
  } else {
    json = JSON.stringify(payload);
  }
  const stored: StoredModel = { payload: json };
  if (payload.consumed) stored.consumed = typeof payload.consumed === 'number' ? payload.consumed : epochSeconds();
  return stored;
}

function toPayload(model: string, id: string, stored: StoredModel): AdapterPayload {
  const payload = JSON.parse(stored.payload) as AdapterPayload;
  if (BASE_MODELS.has(model) && payload.kind === undefined) {
    payload.jti = id;
    payload.kind = model;
  }
  if (stored.consumed !== undefined) payload.consumed = stored.consumed;
  return payload;
}

/** The ids a stored model is indexed and looked up by. */
interface References {
  grantId?: string;
  uid?: string;
  userCode?: string;
}

function referencesOf(model: string, payload: AdapterPayload): References {
  const refs: References = {};
  if (GRANT_MEMBERS.has(model) && typeof payload.grantId === 'string') refs.grantId = payload.grantId;
  if (model === 'Session' && typeof payload.uid === 'string') refs.uid = payload.uid;
  if (typeof payload.userCode === 'string') refs.userCode = payload.userCode;
  return refs;
}

function storedReferences(model: string, stored: StoredModel): References {
  return referencesOf(model, JSON.parse(stored.payload) as AdapterPayload);
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
    const refs = referencesOf(this.model, payload);
    // Indexes and model in one round trip, the indexes sent first (one connection runs them in
    // order), so a token is not findable before it is revocable through its grant. Should an
    // index fail, the upsert fails: a new token's id then reaches nobody, and revoking a grant
    // deletes the Grant, which voids anything its index missed (oidc-provider checks it on use).
    const indexed = Promise.all([
      refs.grantId && this.backend.addGrantMember(adapterKeys.grantIndex(refs.grantId), adapterKeys.indexMember(this.model, id), ttl),
      refs.uid && this.backend.setLookup(adapterKeys.sessionUid(refs.uid), id, ttl),
      refs.userCode && this.backend.setLookup(adapterKeys.userCode(refs.userCode), id, ttl),
    ]);
    await Promise.all([indexed, this.backend.writeModel(key, toStored(this.model, id, payload), ttl)]);
  }

  /**
   * A refresh token rotated within the reuse interval is shown as not yet consumed, so that
   * oidc-provider does not take a parallel refresh for a reuse before the consume below can
   * tell the two apart (src/oidc/refresh-grant.ts). After the interval it shows as consumed.
   */
  async find(id: string): Promise<AdapterPayload | undefined> {
    const stored = await this.backend.readModel(adapterKeys.model(this.model, id));
    if (!stored) return undefined;
    const payload = toPayload(this.model, id, stored);
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
    const refs = storedReferences(this.model, stored);
    await Promise.all([
      refs.grantId && this.backend.removeGrantMembers(adapterKeys.grantIndex(refs.grantId), [adapterKeys.indexMember(this.model, id), key]),
      this.dropLookups(id, refs),
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
    const outcome = await this.backend.consume(adapterKeys.model(this.model, id), epochSeconds(), KEPT_WHEN_CONSUMED[this.model]);
    if (outcome.status === 'consumed') return;
    if (outcome.status === 'missing') throw consumeRefused(this.model, 'not found');
    const consumedAt = outcome.model.consumed;
    if (consumedAt !== undefined && this.withinRaceInterval(consumedAt)) throw new RefreshTokenRotatedMeanwhile();
    const { grantId } = storedReferences(this.model, outcome.model);
    if (grantId !== undefined) {
      await Promise.all([this.revokeByGrantId(grantId), this.backend.takeModel(adapterKeys.model('Grant', grantId))]);
    }
    throw consumeRefused(this.model, 'already used');
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const indexKey = adapterKeys.grantIndex(grantId);
    const members = await this.backend.grantMembers(indexKey);
    await Promise.all(
      members.map(async (member) => {
        const key = adapterKeys.keyOfIndexMember(member);
        const stored = await this.backend.takeModel(key);
        if (stored) await this.dropLookups(adapterKeys.idOfModelKey(key), storedReferences(adapterKeys.modelOfKey(key), stored));
      }),
    );
    // Only the members seen above: one added meanwhile stays listed for the next revocation.
    await this.backend.removeGrantMembers(indexKey, members);
  }

  private async dropLookups(id: string, refs: References): Promise<void> {
    await Promise.all([
      refs.uid && this.backend.deleteLookup(adapterKeys.sessionUid(refs.uid), id),
      refs.userCode && this.backend.deleteLookup(adapterKeys.userCode(refs.userCode), id),
    ]);
  }
}

export function createStoreAdapterFactory(backend: AdapterBackend, options: StoreAdapterOptions = {}): AdapterFactory {
  const { clockTolerance = 0, refreshTokenReuseInterval = 0 } = options;
  return (name) => new StoreAdapter(name, backend, clockTolerance, name === 'RefreshToken' ? refreshTokenReuseInterval : 0);
}
