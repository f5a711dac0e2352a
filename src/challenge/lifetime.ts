import type { Challenge } from './types.js';

/**
 * How long a challenge is kept after it expires, so that a late submission is refused as
 * 'expired' (a clear message for the user) rather than 'missing' (an unknown id).
 */
export const EXPIRED_GRACE_SECONDS = 120;

/**
 * The stored lifetime, from the challenge's own times rather than the wall clock, so that it is
 * the same wherever it is computed and tests can use any timestamps.
 */
export function storedLifetimeSeconds(challenge: Challenge): number {
  return Math.max(1, challenge.expiresAt - challenge.issuedAt) + EXPIRED_GRACE_SECONDS;
}
