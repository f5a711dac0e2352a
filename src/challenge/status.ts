/**
 * The one rule for "is this challenge still usable?", pure and with the clock passed in, so the
 * service, the sign-in page and the wallet URL agree on it at the same instant. A pending or signed
 * challenge past its expiry is expired (docs/wallet-protocol.md "Lifetimes"); redeemed and dead are
 * final whatever the time.
 */
import type { Challenge } from './types.js';

export type ChallengeStatus = 'missing' | 'pending' | 'signed' | 'expired' | 'redeemed' | 'dead';

/** `now` in Unix seconds, as Challenge.expiresAt. */
export function challengeStatus(challenge: Challenge | undefined, now: number): ChallengeStatus {
  if (!challenge) return 'missing';
  if ((challenge.state === 'pending' || challenge.state === 'signed') && challenge.expiresAt <= now) return 'expired';
  return challenge.state;
}

/** A wallet may still sign it, or a signed one may still be redeemed. */
export function isLive(status: ChallengeStatus): status is 'pending' | 'signed' {
  return status === 'pending' || status === 'signed';
}

/** Unix seconds of the system clock, the default wherever no clock is injected. */
export const systemClock = (): number => Math.floor(Date.now() / 1000);
