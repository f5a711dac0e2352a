import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { Redis } from 'ioredis';
import { createRedisAdapter } from '../../src/oidc/redis-adapter.js';
import { KEPT_AFTER_EXPIRY } from '../../src/oidc/store-adapter.js';
import { createMemoryAdapter } from '../../src/oidc/memory-adapter.js';
import { describeAdapterContract, MODELS, payloadFor } from './adapter-contract.js';
import { useRedisClients } from '../support/redis-clients.js';

/** Each test file and block gets its own prefix on the run's shared redis-server. */
const prefix = (label: string) => `test:adapter:${label}:${randomUUID()}:`;

/** Keys under `match` as the server sees them, with the remaining TTL of each. */
async function keysWithTtl(raw: Redis, match: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for await (const batch of raw.scanStream({ match, count: 1000 }) as AsyncIterable<string[]>) {
    for (const key of batch) found.set(key, await raw.pttl(key));
  }
  return found;
}

describeAdapterContract('memory', () => createMemoryAdapter());

describe('redis', () => {
  const redis = useRedisClients('adapter:contract');
  describeAdapterContract('redis with keyPrefix', () => createRedisAdapter(redis.prefixed));
});

describe('redis adapter keys', () => {
  const redis = useRedisClients('adapter:keys');
  const { keyPrefix } = redis;

  it('carries the keyPrefix on every key (scripts included) and gives every key a TTL', async () => {
    // A prefix of its own: other tests here store keys without TTL on purpose.
    const ttlPrefix = prefix('ttl');
    const client = new Redis(inject('redisUrl'), { keyPrefix: ttlPrefix });
    onTestFinished(async () => {
      await client.quit();
    });
    const adapter = createRedisAdapter(client);
    const grantId = randomUUID();
    for (const model of MODELS) {
      const id = randomUUID();
      const extra = model === 'Session' ? { uid: randomUUID() } : model === 'DeviceCode' ? { userCode: `UC-${id}`, grantId } : { grantId };
      await adapter(model).upsert(id, payloadFor(model, id, extra), 300);
    }
    const code = randomUUID();
    await adapter('AuthorizationCode').upsert(code, payloadFor('AuthorizationCode', code, { grantId }), 300);
    await adapter('AuthorizationCode').consume(code);
    const gone = randomUUID();
    await adapter('AccessToken').upsert(gone, payloadFor('AccessToken', gone, { grantId }), 300);
    await adapter('AccessToken').destroy(gone);

    // The consume script must have acted on the prefixed key, not on an unprefixed twin.
    // (A consumed model's value starts with the epoch seconds of its consumption: redis-adapter.ts.)
    expect(await redis.raw.get(`${ttlPrefix}oidc:AuthorizationCode:${code}`)).toMatch(/^\d+\{/);
    expect(await redis.raw.exists(`oidc:AuthorizationCode:${code}`)).toBe(0);
    expect(await keysWithTtl(redis.raw, 'oidc:*')).toStrictEqual(new Map());

    const keys = await keysWithTtl(redis.raw, `${ttlPrefix}*`);
    // 15 models, the extra code, a session-uid and a user-code lookup, one grant index.
    expect(keys.size).toBe(MODELS.length + 1 + 2 + 1);
    for (const [key, pttl] of keys) {
      expect(key.startsWith(`${ttlPrefix}oidc:`), key).toBe(true);
      expect(pttl, key).toBeGreaterThan(0);
      expect(pttl, key).toBeLessThanOrEqual(300_000 + KEPT_AFTER_EXPIRY.DeviceCode! * 1000);
    }
  });

  /** An id as oidc-provider makes them (256 bits, base64url: 43 characters). */
  const tokenId = () => randomBytes(32).toString('base64url');
  const seconds = () => Math.floor(Date.now() / 1000);
  /** A refresh token as a wallet sign-in stores it. */
  const signInRefreshToken = (jti: string, grantId: string) => ({
    iat: seconds(),
    exp: seconds() + 2_592_000,
    accountId: 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM',
    acr: 'urn:evrmore:acr:wallet-signature',
    amr: ['pop'],
    authTime: seconds(),
    expiresWithSession: true,
    iiat: seconds(),
    grantId,
    gty: 'authorization_code refresh_token',
    nonce: 'ilQ9EkfwFpK3Y5ldLG_ofg',
    rotations: 1,
    scope: 'openid profile evrmore',
    sessionUid: tokenId(),
    kind: 'RefreshToken',
    jti,
    clientId: 'bench-rp',
  });

  it('keeps a rotated refresh token as a marker of at most 200 bytes (the whole token is ~480)', async () => {
    const adapter = createRedisAdapter(redis.prefixed);
    const [token, grantId] = [tokenId(), tokenId()];
    await adapter('RefreshToken').upsert(token, signInRefreshToken(token, grantId), 2_592_000);
    const before = await redis.raw.strlen(`${keyPrefix}oidc:RefreshToken:${token}`);
    await adapter('RefreshToken').consume(token);
    const after = await redis.raw.strlen(`${keyPrefix}oidc:RefreshToken:${token}`);
    expect(before).toBeGreaterThan(400);
    expect(after).toBeLessThanOrEqual(200);
    expect(await redis.raw.pttl(`${keyPrefix}oidc:RefreshToken:${token}`)).toBeGreaterThan(2_591_000_000);
  });

  it('stores a model once, as a string: its value repeats neither its id nor its kind', async () => {
    const adapter = createRedisAdapter(redis.prefixed);
    const token = tokenId();
    const payload = signInRefreshToken(token, tokenId());
    await adapter('RefreshToken').upsert(token, payload, 600);
    const value = await redis.raw.get(`${keyPrefix}oidc:RefreshToken:${token}`);
    expect(value).not.toContain(token);
    expect(value).not.toContain('"kind"');
    expect(await adapter('RefreshToken').find(token)).toStrictEqual(payload);
  });

  it("keeps the grant index of a sign-in (code, two access and two refresh tokens) in Redis's compact encoding", async () => {
    const adapter = createRedisAdapter(redis.prefixed);
    const grantId = tokenId();
    for (const model of ['AuthorizationCode', 'AccessToken', 'RefreshToken', 'AccessToken', 'RefreshToken']) {
      const jti = tokenId();
      await adapter(model).upsert(jti, payloadFor(model, jti, { grantId }), 600);
    }
    const index = `${keyPrefix}oidc:grant-index:${grantId}`;
    expect(await redis.raw.zcard(index)).toBe(5);
    // listpack (ziplist before Redis 7); a skiplist would cost three times as much.
    expect(await redis.raw.object('ENCODING', index)).toMatch(/^(listpack|ziplist)$/);
  });

  it('reads, consumes, destroys and revokes models an earlier version stored as hashes', async () => {
    const adapter = createRedisAdapter(redis.prefixed);
    const grantId = randomUUID();
    const [session, code, accessToken, refreshToken] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const uid = randomUUID();
    const hash = (model: string, jti: string, fields: Record<string, string>, extra: Record<string, unknown> = {}) =>
      redis.raw.hset(`${keyPrefix}oidc:${model}:${jti}`, { payload: JSON.stringify(payloadFor(model, jti, extra)), ...fields });
    await hash('Session', session, { uid }, { uid });
    await redis.raw.set(`${keyPrefix}oidc:session-uid:${uid}`, session);
    for (const [model, jti] of [
      ['AuthorizationCode', code],
      ['AccessToken', accessToken],
      ['RefreshToken', refreshToken],
    ] as const) {
      await hash(model, jti, { grantId }, { grantId });
      await redis.raw.zadd(`${keyPrefix}oidc:grant-index:${grantId}`, '+inf', `oidc:${model}:${jti}`);
    }
    expect(await adapter('Session').findByUid(uid)).toStrictEqual(payloadFor('Session', session, { uid }));
    await adapter('AuthorizationCode').consume(code);
    expect((await adapter('AuthorizationCode').find(code))?.consumed).toBeTypeOf('number');
    await adapter('Session').destroy(session);
    expect(await adapter('Session').findByUid(uid)).toBeUndefined();
    // The code used twice: everything under its grant goes, members listed in full included.
    await expect(adapter('AuthorizationCode').consume(code)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await adapter('AccessToken').find(accessToken)).toBeUndefined();
    expect(await adapter('RefreshToken').find(refreshToken)).toBeUndefined();
    expect(await redis.raw.exists(`${keyPrefix}oidc:grant-index:${grantId}`)).toBe(0);
  });

  it('stores a model given no expiresIn without a TTL, since it is meant to last (a registered Client)', async () => {
    const adapter = createRedisAdapter(redis.prefixed);
    const clientId = randomUUID();
    await adapter('Client').upsert(clientId, { client_id: clientId });
    expect(await redis.raw.pttl(`${keyPrefix}oidc:Client:${clientId}`)).toBe(-1);
  });

  it('extends the grant index TTL to its longest-lived member and never shortens it', async () => {
    const adapter = createRedisAdapter(redis.prefixed);
    const grantId = randomUUID();
    const [long, short] = [randomUUID(), randomUUID()];
    await adapter('RefreshToken').upsert(long, payloadFor('RefreshToken', long, { grantId }), 3_600);
    await adapter('AccessToken').upsert(short, payloadFor('AccessToken', short, { grantId }), 60);
    const indexTtl = await redis.raw.pttl(`${keyPrefix}oidc:grant-index:${grantId}`);
    expect(indexTtl).toBeGreaterThan(3_590_000);
    expect(indexTtl).toBeGreaterThanOrEqual((await redis.raw.pttl(`${keyPrefix}oidc:RefreshToken:${long}`)) - 1_000);

    const lasting = randomUUID();
    await adapter('AccessToken').upsert(lasting, payloadFor('AccessToken', lasting, { grantId }));
    expect(await redis.raw.pttl(`${keyPrefix}oidc:grant-index:${grantId}`)).toBe(-1);
    await adapter('AccessToken').revokeByGrantId(grantId);
    expect(await redis.raw.exists(`${keyPrefix}oidc:grant-index:${grantId}`)).toBe(0);
    expect(await adapter('AccessToken').find(lasting)).toBeUndefined();
  });

  it('adds clockTolerance to stored TTLs', async () => {
    const adapter = createRedisAdapter(redis.prefixed, { clockTolerance: 30 });
    const id = randomUUID();
    await adapter('AccessToken').upsert(id, payloadFor('AccessToken', id), 60);
    expect(await redis.raw.pttl(`${keyPrefix}oidc:AccessToken:${id}`)).toBeGreaterThan(80_000);
  });

  it('works after the server dropped its script cache (EVALSHA falls back to EVAL)', async () => {
    const adapter = createRedisAdapter(redis.prefixed);
    const id = randomUUID();
    await adapter('AuthorizationCode').upsert(id, payloadFor('AuthorizationCode', id), 60);
    await redis.raw.script('FLUSH');
    await adapter('AuthorizationCode').consume(id);
    expect((await adapter('AuthorizationCode').find(id))?.consumed).toBeTypeOf('number');
  });
});
