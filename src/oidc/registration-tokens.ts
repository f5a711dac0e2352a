/**
 * Per-partner initial access tokens for dynamic client registration (RFC 7591 §3: the
 * registration endpoint "MAY require an initial access token"). The operator issues one token
 * per partner with the CLI, lists them and revokes one without touching the others; every
 * instance sees the change at once, since the tokens live in Redis.
 *
 * Only a SHA-256 of each token is stored, with the partner's name and the dates: the token
 * itself is shown once, at issue. oidc-provider (features.registration.initialAccessToken:
 * true) looks a presented token up through the adapter of its InitialAccessToken model; that
 * adapter answers from this store.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { RedisClient } from '../store/redis-script.js';

export interface PartnerToken {
  /** A short public handle (the first 12 hex digits of the hash), for listing and revoking. */
  id: string;
  partner: string;
  /** Seconds since the epoch. */
  createdAt: number;
  expiresAt?: number;
}

export interface RegistrationTokens {
  issue(partner: string, ttlSeconds?: number): Promise<{ token: string; record: PartnerToken }>;
  list(): Promise<PartnerToken[]>;
  /** Revokes the token with this id, or every token of this partner; returns how many. */
  revoke(idOrPartner: string): Promise<number>;
  /** The record of a presented token, when it is valid now. */
  find(token: string): Promise<PartnerToken | undefined>;
}

/** One hash holds them all: one key, so a Redis Cluster needs nothing more. */
const KEY = 'registration-tokens';

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const now = () => Math.floor(Date.now() / 1000);

export function createRedisRegistrationTokens(redis: RedisClient): RegistrationTokens {
  const all = async (): Promise<Array<[string, PartnerToken]>> =>
    Object.entries(await redis.hgetall(KEY)).map(([hash, json]) => [hash, JSON.parse(json) as PartnerToken]);
  return {
    async issue(partner, ttlSeconds) {
      // 256 bits, URL-safe: a Bearer token (RFC 6750 §2.1) that no form or header encoding changes.
      const token = randomBytes(32).toString('base64url');
      const hash = digest(token);
      const createdAt = now();
      const record: PartnerToken = {
        id: hash.slice(0, 12),
        partner,
        createdAt,
        ...(ttlSeconds ? { expiresAt: createdAt + ttlSeconds } : {}),
      };
      await redis.hset(KEY, hash, JSON.stringify(record));
      return { token, record };
    },
    async list() {
      return (await all()).map(([, record]) => record).sort((a, b) => a.createdAt - b.createdAt);
    },
    async revoke(idOrPartner) {
      const doomed = (await all())
        .filter(([, record]) => record.id === idOrPartner || record.partner === idOrPartner)
        .map(([hash]) => hash);
      return doomed.length ? redis.hdel(KEY, ...doomed) : 0;
    },
    async find(token) {
      const json = await redis.hget(KEY, digest(token));
      if (!json) return undefined;
      const record = JSON.parse(json) as PartnerToken;
      return record.expiresAt !== undefined && record.expiresAt <= now() ? undefined : record;
    },
  };
}

/**
 * The adapter oidc-provider uses for its InitialAccessToken model: `find` answers from the
 * store with the payload oidc-provider checks (kind, jti, iat, exp); tokens are never created,
 * consumed or deleted through the provider.
 */
function initialAccessTokenAdapter(tokens: RegistrationTokens): Adapter {
  const unsupported = async () => undefined;
  return {
    async find(id: string): Promise<AdapterPayload | undefined> {
      const record = await tokens.find(id);
      if (!record) return undefined;
      return { jti: id, kind: 'InitialAccessToken', iat: record.createdAt, ...(record.expiresAt ? { exp: record.expiresAt } : {}) };
    },
    upsert: unsupported,
    findByUserCode: unsupported,
    findByUid: unsupported,
    consume: unsupported,
    destroy: unsupported,
    revokeByGrantId: unsupported,
  };
}

/** `base` for every model but InitialAccessToken, which the partner tokens answer. */
export function withPartnerTokens(base: AdapterFactory, tokens: RegistrationTokens): AdapterFactory {
  const partnerTokens = initialAccessTokenAdapter(tokens);
  return (name: string) => (name === 'InitialAccessToken' ? partnerTokens : (base as (name: string) => Adapter)(name));
}
