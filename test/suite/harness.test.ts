import { describe, it, expect, inject } from 'vitest';
import { Redis } from 'ioredis';

describe('test harness', () => {
  it('runs on a supported Node LTS and has its own redis-server', async () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
    const redis = new Redis(inject('redisUrl'));
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect();
  });
});
