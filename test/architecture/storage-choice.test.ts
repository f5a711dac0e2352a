/**
 * The Redis-or-memory choice is made in one place, createStores (src/product/stores.ts;
 * docs/architecture.md "Where each concern lives"). A file that builds both a Redis store and a
 * memory store is making that choice; this test walks src/ and names every such file.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { filesBelow } from './support/files.js';

const src = join(import.meta.dirname, '../../src');

/** Calls (not definitions) of Redis store factories and of memory store factories in `text`. */
function storeConstructions(text: string): { redis: boolean; memory: boolean } {
  const calls = (kind: 'Redis' | 'Memory') => new RegExp(`(?<!function )\\b(?:create${kind}\\w*|new RateLimiter${kind})\\s*\\(`).test(text);
  return { redis: calls('Redis'), memory: calls('Memory') };
}

describe('storage choice', () => {
  it('recognises a choice, and not a definition', () => {
    expect(storeConstructions('const s = redis ? createRedisAccountStore(redis) : createMemoryAccountStore();')).toEqual({
      redis: true,
      memory: true,
    });
    expect(storeConstructions('return redis ? new RateLimiterRedis(o) : new RateLimiterMemory(o);')).toEqual({ redis: true, memory: true });
    expect(storeConstructions('export function createRedisLockouts(redis) {}\nexport function createMemoryLockouts() {}')).toEqual({
      redis: false,
      memory: false,
    });
  });

  it('is made in src/product/stores.ts only', () => {
    const choosing = filesBelow(src, /\.ts$/)
      .filter((file) => {
        const { redis, memory } = storeConstructions(readFileSync(file, 'utf8'));
        return redis && memory;
      })
      .map((file) => relative(src, file).split(sep).join('/'));
    expect(choosing).toEqual(['product/stores.ts']);
  });
});
