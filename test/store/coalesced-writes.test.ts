/**
 * Commands issued in one turn of the event loop reach Redis in one socket write, on every
 * connection the client opens, and each still gets its own reply.
 */
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { coalesceWrites } from '../../src/store/coalesced-writes.js';

type Implementation = Writable & { _write?: unknown; _writev?: unknown };

/** Counts the writes the socket hands to the operating system (its _write and _writev calls). */
function countSocketWrites(socket: Writable): { count: () => number } {
  const target = socket as Implementation;
  let count = 0;
  for (const name of ['_write', '_writev'] as const) {
    const original = target[name] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof original !== 'function') continue;
    target[name] = function (this: unknown, ...args: unknown[]) {
      count += 1;
      return original.apply(this, args);
    };
  }
  return { count: () => count };
}

const clients: Redis[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.quit().catch(() => undefined)));
});

async function connected(coalesced: boolean): Promise<Redis> {
  const client = new Redis(inject('redisUrl'), { keyPrefix: `test:coalesce:${randomUUID()}:`, lazyConnect: true });
  clients.push(coalesced ? coalesceWrites(client) : client);
  await client.connect();
  return client;
}

const twenty = (client: Redis) => Promise.all(Array.from({ length: 20 }, (_, i) => client.incrby('counter', i)));

describe('coalesced Redis writes', () => {
  it('sends twenty commands of one turn in one write, each with its own reply', async () => {
    const client = await connected(true);
    const writes = countSocketWrites(client.stream);
    const replies = await twenty(client);
    expect(writes.count()).toBe(1);
    expect(replies).toEqual(Array.from({ length: 20 }, (_, i) => (i * (i + 1)) / 2));
    expect(client.stream.writableCorked).toBe(0);
  });

  it('(control) an ordinary client needs more than one write for the same commands', async () => {
    const client = await connected(false);
    const writes = countSocketWrites(client.stream);
    await twenty(client);
    expect(writes.count()).toBeGreaterThan(1);
  });

  it('coalesces again after a reconnection', async () => {
    const client = await connected(true);
    const first = client.stream;
    const ready = new Promise((resolve) => client.once('ready', resolve));
    client.disconnect(true);
    await ready;
    expect(client.stream).not.toBe(first);
    const writes = countSocketWrites(client.stream);
    await twenty(client);
    expect(writes.count()).toBe(1);
  });
});
