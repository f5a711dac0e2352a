import { describe, expect, it } from 'vitest';
import { MemoryTtlMap } from '../../src/store/memory-ttl-map.js';

function clocked() {
  let now = 1_000_000;
  const map = new MemoryTtlMap<string, string>({ now: () => now, sweepIntervalMs: 10_000 });
  return {
    map,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('MemoryTtlMap', () => {
  it('returns an entry until its TTL has passed, and keeps an entry without TTL', () => {
    const { map, advance } = clocked();
    map.set('short', 'a', 1_000);
    map.set('forever', 'b');
    advance(999);
    expect(map.get('short')).toBe('a');
    advance(1);
    expect(map.get('short')).toBeUndefined();
    advance(1e12);
    expect(map.get('forever')).toBe('b');
  });

  it('delete reports whether a live entry was there', () => {
    const { map, advance } = clocked();
    map.set('k', 'v', 10);
    advance(10);
    expect(map.delete('k')).toBe(false);
    map.set('k', 'v', 10);
    expect(map.delete('k')).toBe(true);
  });

  it('drops expired entries nobody reads, on a write after the sweep interval', () => {
    const { map, advance } = clocked();
    for (let i = 0; i < 100; i += 1) map.set(`k${i}`, 'v', 1_000);
    advance(5_000);
    map.set('trigger', 'v');
    expect(map.size).toBe(101);
    advance(5_000);
    map.set('trigger', 'v');
    expect(map.size).toBe(1);
  });
});
