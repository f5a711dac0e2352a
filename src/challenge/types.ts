/**
 * A sign-in challenge: the one-time text a wallet signs to prove it holds an address
 * (docs/wallet-protocol.md). The server keeps the exact text; it never trusts text sent back to it.
 */
export type ChallengeState = 'pending' | 'signed' | 'redeemed' | 'dead';

export interface Challenge {
  /** Unguessable id (base64url, >= 128 bits): names the challenge in the wallet URL. */
  id: string;
  /** The oidc-provider interaction this challenge belongs to. */
  interactionUid: string;
  clientId: string;
  /** The exact text to sign. */
  text: string;
  /** Unix seconds. */
  issuedAt: number;
  /** Unix seconds; never later than the interaction's own expiry. */
  expiresAt: number;
  /** Failed signature attempts so far. */
  attempts: number;
  state: ChallengeState;
  /** The proven address, once signed (wallet endpoint) or redeemed. */
  address?: string;
}

/** Why a state change was refused. */
export type ChallengeRefusal = 'missing' | 'expired' | 'dead' | 'redeemed' | 'signed' | 'not_signed' | 'address_mismatch';

export type ChallengeTransition = { ok: true; challenge: Challenge } | { ok: false; reason: ChallengeRefusal; challenge?: Challenge };

/**
 * Storage of challenges. Every state change is atomic (one Lua script on Redis), so a
 * challenge is redeemed at most once even when two requests race.
 */
export interface ChallengeStore {
  /** Stores a new challenge (TTL from expiresAt) and makes it the interaction's current one. */
  create(challenge: Challenge): Promise<void>;
  get(id: string): Promise<Challenge | undefined>;
  /**
   * The interaction's current challenge, if it has one. `likelyId`, the id a page posted back,
   * is read beside the interaction's pointer (one round trip instead of two); the pointer
   * still decides which challenge is current.
   */
  findByInteraction(interactionUid: string, likelyId?: string): Promise<Challenge | undefined>;
  /**
   * pending -> signed: a wallet proved `address` through the wallet URL (cross-device).
   * Refused: missing, expired (now >= expiresAt), dead, redeemed, signed.
   */
  markSigned(id: string, address: string, now: number): Promise<ChallengeTransition>;
  /**
   * -> redeemed, exactly once. With `address` (the same-device form, signature already verified):
   * from pending, or from signed by that same address. Without `address` (continuing after the
   * wallet URL was used): only from signed. Refused: missing, expired, dead, redeemed, not_signed,
   * address_mismatch.
   */
  redeem(id: string, now: number, address?: string): Promise<ChallengeTransition>;
  /**
   * A failed signature attempt on a pending challenge: attempts + 1, and the state becomes dead
   * when attempts reaches maxAttempts. Refused like markSigned when not pending.
   */
  recordFailure(id: string, maxAttempts: number, now: number): Promise<ChallengeTransition>;
}
