/**
 * IP lock-outs, in Redis (under the client's keyPrefix) and in memory (the embedded default):
 * nothing locked until locked, the time left while locked, a later lock replacing an earlier
 * one, and free again when the time is over.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryLockouts, createRedisLockouts, type Lockouts } from '../../src/security/lockouts.js';
import { useRedisClients } from '../support/redis-clients.js';

function lockoutContract(name: string, make: () => { lockouts: Lockouts; passSeconds: (seconds: number) => Promise<void> }) {
  describe(`lock-outs (${name})`, () => {
    it('are off until set, count down while set, and end', async () => {
      const { lockouts, passSeconds } = make();
      const ip = `198.51.100.${Math.floor(Math.random() * 250)}`;
      expect(await lockouts.remainingMs(ip)).toBe(0);
      await lockouts.lock(ip, 60);
      const left = await lockouts.remainingMs(ip);
      expect(left).toBeGreaterThan(55_000);
      expect(left).toBeLessThanOrEqual(60_000);
      expect(await lockouts.remainingMs('203.0.113.9')).toBe(0);
      // A later lock replaces the earlier one.
      await lockouts.lock(ip, 1);
      expect(await lockouts.remainingMs(ip)).toBeLessThanOrEqual(1000);
      await passSeconds(1.2);
      expect(await lockouts.remainingMs(ip)).toBe(0);
    });
  });
}

let clock = Date.now();
lockoutContract('memory', () => ({
  lockouts: createMemoryLockouts(() => clock),
  passSeconds: async (seconds) => {
    clock += seconds * 1000;
  },
}));

describe('in Redis', () => {
  const redis = useRedisClients('lockouts');
  const { keyPrefix } = redis;

  lockoutContract('redis', () => ({
    lockouts: createRedisLockouts(redis.prefixed),
    passSeconds: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
  }));

  it('keeps the lock-out under the keyPrefix with its TTL', async () => {
    await createRedisLockouts(redis.prefixed).lock('192.0.2.1', 120);
    const ttl = await redis.raw.ttl(`${keyPrefix}lockout:ip:192.0.2.1`);
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
  });
});
