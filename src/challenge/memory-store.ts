/**
 * Challenges in process memory, for development without Redis. The rules are those of
 * the Lua scripts in redis-store.ts, checked in the same order; each transition runs without an
 * await inside it, which is what makes it atomic here.
 */
import { MemoryTtlMap } from '../store/memory-ttl-map.js';
import { storedLifetimeSeconds } from './lifetime.js';
import type { Challenge, ChallengeRefusal, ChallengeStore, ChallengeTransition } from './types.js';

type Change = (challenge: Challenge) => ChallengeRefusal | undefined;

export function createMemoryChallengeStore(): ChallengeStore {
  // Copies in and out, so no caller can change a stored challenge behind the store's back.
  const challenges = new MemoryTtlMap<string, Challenge>();
  const byInteraction = new MemoryTtlMap<string, string>();

  const get = async (id: string) => {
    const challenge = challenges.get(id);
    return challenge && { ...challenge };
  };

  /** Terminal states first, as they stay true forever; then expiry; then the change itself. */
  function transition(id: string, now: number, change: Change): ChallengeTransition {
    const challenge = challenges.get(id);
    if (!challenge) return { ok: false, reason: 'missing' };
    let reason: ChallengeRefusal | undefined;
    if (challenge.state === 'redeemed' || challenge.state === 'dead') reason = challenge.state;
    else if (now >= challenge.expiresAt) reason = 'expired';
    else reason = change(challenge);
    return reason ? { ok: false, reason, challenge: { ...challenge } } : { ok: true, challenge: { ...challenge } };
  }

  return {
    async create(challenge) {
      const ttlMs = storedLifetimeSeconds(challenge) * 1000;
      challenges.set(challenge.id, { ...challenge }, ttlMs);
      byInteraction.set(challenge.interactionUid, challenge.id, ttlMs);
    },
    get,
    async findByInteraction(interactionUid) {
      const id = byInteraction.get(interactionUid);
      const challenge = id === undefined ? undefined : await get(id);
      return challenge?.interactionUid === interactionUid ? challenge : undefined;
    },
    async markSigned(id, address, now) {
      return transition(id, now, (challenge) => {
        if (challenge.state === 'signed') return 'signed';
        challenge.state = 'signed';
        challenge.address = address;
        return undefined;
      });
    },
    async redeem(id, now, address) {
      return transition(id, now, (challenge) => {
        if (!address) {
          if (challenge.state !== 'signed') return 'not_signed';
        } else if (challenge.state === 'signed') {
          if (challenge.address !== address) return 'address_mismatch';
        } else {
          challenge.address = address;
        }
        challenge.state = 'redeemed';
        return undefined;
      });
    },
    async recordFailure(id, maxAttempts, now) {
      return transition(id, now, (challenge) => {
        if (challenge.state === 'signed') return 'signed';
        challenge.attempts += 1;
        if (challenge.attempts >= maxAttempts) challenge.state = 'dead';
        return undefined;
      });
    },
  };
}
