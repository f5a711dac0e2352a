/**
 * The stall watch on a real redis-server paused with SIGSTOP: commands waiting on the stalled
 * connection fail with "Command timed out" after the stall time, not before and not never; a
 * busy connection that answers is left alone; after SIGCONT commands succeed again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { watchForStalls, type StallWatch } from '../../src/store/redis-stall-watch.js';

describe('Redis stall watch', () => {
  let server: RedisServer;
  let client: Redis;
  let watch: StallWatch;

  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    await client.ping();
    watch = watchForStalls(client, { stallMs: 600, checkEveryMs: 100 });
  });
  afterAll(async () => {
    watch?.stop();
    server?.process.kill('SIGCONT');
    client?.disconnect();
    await server?.stop();
  });

  it('leaves a connection alone while it answers, however busy', async () => {
    const until = Date.now() + 1500;
    let count = 0;
    while (Date.now() < until) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => client.set(`busy:${i}`, String(count))));
      count += 1;
    }
    expect(await client.get('busy:0')).toBe(String(count - 1));
  });

  it('fails the commands of a stalled connection after the stall time, then works again', async () => {
    server.process.kill('SIGSTOP');
    try {
      const started = performance.now();
      const outcomes = await Promise.allSettled([client.get('a'), client.set('b', '1'), client.incr('c')]);
      const waited = performance.now() - started;
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/Command timed out/);
      }
      expect(waited).toBeGreaterThanOrEqual(550);
      expect(waited).toBeLessThan(3000);
    } finally {
      server.process.kill('SIGCONT');
    }
    // Redis runs what it had received once it resumes; new commands get their answers.
    await expect(client.set('after', 'yes')).resolves.toBe('OK');
    expect(await client.get('after')).toBe('yes');
  });
});
