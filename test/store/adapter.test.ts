import { randomUUID } from 'node:crypto';
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
    onTestFinished(async () => { await client.quit(); });
    const adapter = createRedisAdapter(client);
    const grantId = randomUUID();
    for (const model of MODELS) {
      const id = randomUUID();
      const extra = model === 'Session' ? { uid: randomUUID() }
        : model === 'DeviceCode' ? { userCode: `UC-${id}`, grantId }
        : { grantId };
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
    expect(indexTtl).toBeGreaterThanOrEqual(await redis.raw.pttl(`${keyPrefix}oidc:RefreshToken:${long}`) - 1_000);

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
