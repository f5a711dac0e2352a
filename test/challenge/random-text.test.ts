/** Random text drawn from a pool (src/challenge/random-text.ts): the right length and form, never repeated. */
import { describe, expect, it } from 'vitest';
import { randomText } from '../../src/challenge/random-text.js';
import { newChallengeId, newNonce } from '../../src/challenge/text.js';

describe('random text', () => {
  it('has the length and alphabet asked for', () => {
    for (let i = 0; i < 1000; i++) {
      expect(randomText(16, 'hex')).toMatch(/^[0-9a-f]{32}$/);
      expect(randomText(24, 'base64url')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    }
    expect(newNonce()).toMatch(/^[0-9a-f]{32}$/);
    expect(newChallengeId()).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('never hands out the same bytes twice, across many refills of the pool', () => {
    const seen = new Set<string>();
    // 24 bytes each: ~100 refills of a 4 KiB pool, and draws that straddle its end.
    for (let i = 0; i < 20_000; i++) seen.add(randomText(24, 'base64url'));
    expect(seen.size).toBe(20_000);
  });

  it('looks uniform: every hex digit about equally often', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) for (const digit of randomText(16, 'hex')) counts.set(digit, (counts.get(digit) ?? 0) + 1);
    // 128 000 digits: 8 000 expected each; a stuck or zeroed pool is far outside this band.
    expect(counts.size).toBe(16);
    for (const count of counts.values()) expect(Math.abs(count - 8000)).toBeLessThan(600);
  });

  it('refuses sizes it does not serve', () => {
    expect(() => randomText(0, 'hex')).toThrow(RangeError);
    expect(() => randomText(257, 'hex')).toThrow(RangeError);
  });
});
