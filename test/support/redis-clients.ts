/**
 * Two clients of the run's redis-server for one describe block: one with a keyPrefix of its own
 * (what the code under test gets) and a raw one (to look at the keys it wrote). Opened before
 * the block's tests, closed after.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { Redis } from 'ioredis';

export interface RedisClients {
  readonly keyPrefix: string;
  readonly prefixed: Redis;
  readonly raw: Redis;
}

export function useRedisClients(label: string): RedisClients {
  const keyPrefix = `test:${label}:${randomUUID()}:`;
  let prefixed: Redis | undefined;
  let raw: Redis | undefined;
  beforeAll(() => {
    prefixed = new Redis(inject('redisUrl'), { keyPrefix });
    raw = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    await Promise.all([prefixed?.quit(), raw?.quit()]);
  });
  return {
    keyPrefix,
    get prefixed() {
      return prefixed!;
    },
    get raw() {
      return raw!;
    },
  };
}
