/**
 * IP lock-outs after repeated failed sign-ins (SECURITY.md, "Alert on repeated failures from one IP"): a
 * key that lives as long as the lock-out. Every sign-in attempt asks first, so asking is one
 * command (PTTL); in Redis under the client's keyPrefix, or in memory for the embedded default.
 */
import type { RedisClient } from '../store/redis-script.js';
import { MemoryTtlMap } from '../store/memory-ttl-map.js';
import { inWords } from '../errors.js';

export interface Lockouts {
  /** Milliseconds until `ipKey` may sign in again; 0 when it is not locked out. */
  remainingMs(ipKey: string): Promise<number>;
  /** Locks `ipKey` out for `seconds` from now (a later lock replaces an earlier one). */
  lock(ipKey: string, seconds: number): Promise<void>;
}

const lockoutKey = (ipKey: string) => `lockout:ip:${ipKey}`;

export function createRedisLockouts(redis: RedisClient): Lockouts {
  return {
    async remainingMs(ipKey) {
      // -2: no such key, -1: no TTL (never written so).
      const ms = await redis.pttl(lockoutKey(ipKey));
      return Math.max(ms, 0);
    },
    async lock(ipKey, seconds) {
      await redis.set(lockoutKey(ipKey), '1', 'EX', seconds);
    },
  };
}

export function createMemoryLockouts(now: () => number = Date.now): Lockouts {
  const until = new MemoryTtlMap<string, number>({ now });
  return {
    async remainingMs(ipKey) {
      const end = until.get(ipKey);
      return end === undefined ? 0 : Math.max(1, end - now());
    },
    async lock(ipKey, seconds) {
      until.set(ipKey, now() + seconds * 1000, seconds * 1000);
    },
  };
}

/**
 * For the locked-out page of a development server, whose developer locked themselves out with
 * typos: how long lock-outs last there and how to end one at once.
 */
export function developmentLockoutHint(options: { lockoutSeconds: number; redisKeyPrefix?: string }): string {
  const { lockoutSeconds, redisKeyPrefix } = options;
  const clear =
    redisKeyPrefix === undefined
      ? 'restart the server: the in-memory store forgets lock-outs'
      : `delete its Redis key: redis-cli --scan --pattern '${redisKeyPrefix}lockout:ip:*' | xargs -r redis-cli del`;
  return `Development server: lock-outs last ${inWords(lockoutSeconds)} here (FAILURE_LOCKOUT). To end this one now, ${clear}. FAILURE_LOCKOUT=off turns lock-outs off.`;
}
