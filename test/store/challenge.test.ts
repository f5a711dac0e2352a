import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { createMemoryChallengeStore } from '../../src/challenge/memory-store.js';
import { createRedisChallengeStore } from '../../src/challenge/redis-store.js';
import { EXPIRED_GRACE_SECONDS } from '../../src/challenge/lifetime.js';
import { describeChallengeStoreContract, makeChallenge } from './challenge-contract.js';

const prefix = (label: string) => `test:challenge:${label}:${randomUUID()}:`;

describeChallengeStoreContract('memory', () => createMemoryChallengeStore());

describe('redis', () => {
  let prefixed: Redis;
  beforeAll(() => { prefixed = new Redis(inject('redisUrl'), { keyPrefix: prefix('contract') }); });
  afterAll(async () => { await prefixed.quit(); });

  describeChallengeStoreContract('redis with keyPrefix', () => createRedisChallengeStore(prefixed));
});

describe('redis challenge store keys', () => {
  const keyPrefix = prefix('keys');
  let prefixed: Redis;
  let raw: Redis;
  beforeAll(() => {
    prefixed = new Redis(inject('redisUrl'), { keyPrefix });
    raw = new Redis(inject('redisUrl'));
  });
  afterAll(async () => { await Promise.all([prefixed.quit(), raw.quit()]); });

  it('stores under the keyPrefix, with TTL = lifetime + grace on the challenge and its index', async () => {
    const store = createRedisChallengeStore(prefixed);
    const challenge = makeChallenge();
    await store.create(challenge);
    const redeemed = await store.redeem(challenge.id, challenge.issuedAt + 1, 'EViF16aYCetDH56MyKCcxfyeZ3F7Ao7ZBc');
    expect(redeemed.ok).toBe(true);

    const keys = [`${keyPrefix}challenge:id:${challenge.id}`, `${keyPrefix}challenge:interaction:${challenge.interactionUid}`];
    expect(await raw.hget(keys[0]!, 'state')).toBe('redeemed');
    expect(await raw.exists(`challenge:id:${challenge.id}`)).toBe(0);
    const lifetimeMs = (challenge.expiresAt - challenge.issuedAt + EXPIRED_GRACE_SECONDS) * 1000;
    for (const key of keys) {
      const pttl = await raw.pttl(key);
      expect(pttl, key).toBeGreaterThan(lifetimeMs - 5_000);
      expect(pttl, key).toBeLessThanOrEqual(lifetimeMs);
    }
  });
});
