import { describe, expect, it } from 'vitest';
import { createMemoryChallengeStore } from '../../src/challenge/memory-store.js';
import { createRedisChallengeStore } from '../../src/challenge/redis-store.js';
import { EXPIRED_GRACE_SECONDS } from '../../src/challenge/lifetime.js';
import { describeChallengeStoreContract, makeChallenge } from './store-contract.js';
import { useRedisClients } from '../support/redis-clients.js';

describeChallengeStoreContract('memory', () => createMemoryChallengeStore());

describe('redis', () => {
  const redis = useRedisClients('challenge:contract');
  describeChallengeStoreContract('redis with keyPrefix', () => createRedisChallengeStore(redis.prefixed));
});

describe('redis challenge store keys', () => {
  const redis = useRedisClients('challenge:keys');
  const { keyPrefix } = redis;

  it('stores under the keyPrefix, with TTL = lifetime + grace on the challenge and its index', async () => {
    const store = createRedisChallengeStore(redis.prefixed);
    const challenge = makeChallenge();
    await store.create(challenge);
    const redeemed = await store.redeem(challenge.id, challenge.issuedAt + 1, 'EViF16aYCetDH56MyKCcxfyeZ3F7Ao7ZBc');
    expect(redeemed.ok).toBe(true);

    const keys = [`${keyPrefix}challenge:id:${challenge.id}`, `${keyPrefix}challenge:interaction:${challenge.interactionUid}`];
    expect(await redis.raw.hget(keys[0]!, 'state')).toBe('redeemed');
    expect(await redis.raw.exists(`challenge:id:${challenge.id}`)).toBe(0);
    const lifetimeMs = (challenge.expiresAt - challenge.issuedAt + EXPIRED_GRACE_SECONDS) * 1000;
    for (const key of keys) {
      const pttl = await redis.raw.pttl(key);
      expect(pttl, key).toBeGreaterThan(lifetimeMs - 5_000);
      expect(pttl, key).toBeLessThanOrEqual(lifetimeMs);
    }
  });
});
