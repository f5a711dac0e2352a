/**
 * The login protocol of docs/wallet-protocol.md, apart from HTTP: issue a challenge for an interaction,
 * check a signature against the text we stored (never against text sent back to us), and move
 * the challenge through pending -> signed -> redeemed exactly once.
 */
import type { EvrmoreNetwork } from '../evrmore/network.js';
import { verifyMessage } from '../evrmore/message.js';
import { UserError, type ErrorCode } from '../errors.js';
import type { EvrmoreError } from '../evrmore/errors.js';
import { CHALLENGE_ID_PATTERN, challengeText, newChallengeId, newNonce } from './text.js';
import type { Challenge, ChallengeRefusal, ChallengeStore, ChallengeTransition } from './types.js';
import type { ChallengeNotifier } from './notifier.js';
import { challengeStatus, isLive, systemClock, type ChallengeStatus } from './status.js';

export interface InteractionRef {
  uid: string;
  clientId: string;
  clientName: string;
  /** A registered client's redirect host, named in the text to sign (./text.ts). */
  clientHost?: string;
  /** Unix seconds at which the interaction itself expires. */
  expiresAt: number;
}

export interface ChallengeServiceOptions {
  store: ChallengeStore;
  network: EvrmoreNetwork;
  issuerHost: string;
  ttlSeconds: number;
  maxAttempts: number;
  /** Tells open login pages about state changes (server-sent events). */
  notifier?: ChallengeNotifier;
  /** Unix seconds; injectable so tests can move time. */
  now?: () => number;
  /** Hears how long each challenge took to create and store (the challenge-latency metric). */
  onIssued?: (seconds: number) => void;
}

/** The refusal of a challenge in `reason`'s state (its words: src/errors.ts). */
export function refusalError(reason: ChallengeRefusal): UserError {
  return new UserError(`challenge_${reason}`);
}

/** Why a signature was refused, and how many tries the text has left (none: get a new one). */
function signatureRefusal(error: EvrmoreError, left: number): UserError {
  // verifyMessage checks no key of ours, so its refusals are all about the address or signature.
  const code: ErrorCode = error.reason === 'invalid_key' ? 'signature_mismatch' : error.reason;
  const followedBy =
    left === 0
      ? { key: 'error.triesLeft.none' as const }
      : left === 1
        ? { key: 'error.triesLeft.one' as const }
        : { key: 'error.triesLeft.other' as const, params: { left } };
  return UserError.of(code, error.values, { followedBy });
}

export class ChallengeService {
  /** The clock every usability decision is taken with (Unix seconds); pages and wallet routes share it. */
  readonly now: () => number;

  constructor(private readonly options: ChallengeServiceOptions) {
    this.now = options.now ?? systemClock;
  }

  get network(): EvrmoreNetwork {
    return this.options.network;
  }

  get maxAttempts(): number {
    return this.options.maxAttempts;
  }

  /** The interaction's challenge while it can still be signed; otherwise a fresh one. */
  async currentFor(ref: InteractionRef): Promise<Challenge> {
    const existing = await this.options.store.findByInteraction(ref.uid);
    if (existing && isLive(challengeStatus(existing, this.now()))) {
      return existing;
    }
    return this.issue(ref);
  }

  async issue(ref: InteractionRef): Promise<Challenge> {
    const started = performance.now();
    const issuedAt = this.now();
    // A challenge never outlives the interaction it belongs to.
    const expiresAt = Math.min(issuedAt + this.options.ttlSeconds, ref.expiresAt);
    const challenge: Challenge = {
      id: newChallengeId(),
      interactionUid: ref.uid,
      clientId: ref.clientId,
      text: challengeText({
        issuerHost: this.options.issuerHost,
        clientName: ref.clientName,
        clientId: ref.clientId,
        clientHost: ref.clientHost,
        nonce: newNonce(),
        expiresAt,
      }),
      issuedAt,
      expiresAt,
      attempts: 0,
      state: 'pending',
    };
    await this.options.store.create(challenge);
    this.options.onIssued?.((performance.now() - started) / 1000);
    return challenge;
  }

  /** The state a page or wallet should see: a pending challenge past its expiry is expired. */
  publicState(challenge: Challenge | undefined): ChallengeStatus {
    return challengeStatus(challenge, this.now());
  }

  async get(id: string): Promise<Challenge | undefined> {
    return this.options.store.get(id);
  }

  /** `likelyId`: the challenge id a page posted back, if any (see ChallengeStore.findByInteraction). */
  async forInteraction(uid: string, likelyId?: string): Promise<Challenge | undefined> {
    return this.options.store.findByInteraction(uid, likelyId && CHALLENGE_ID_PATTERN.test(likelyId) ? likelyId : undefined);
  }

  /**
   * Checks `signature` by `address` over the stored text. A wrong signature costs one of the
   * challenge's attempts; the last one kills it.
   */
  async verify(challenge: Challenge, address: unknown, signature: unknown): Promise<string> {
    this.assertUsable(challenge);
    const result = verifyMessage(address, challenge.text, signature, this.options.network);
    if (result.ok) return result.address;
    const failed = await this.options.store.recordFailure(challenge.id, this.options.maxAttempts, this.now());
    if (!failed.ok) throw refusalError(failed.reason);
    if (failed.challenge.state === 'dead') this.announce(failed.challenge);
    throw signatureRefusal(result.error, Math.max(0, this.options.maxAttempts - failed.challenge.attempts));
  }

  /** Same-device login: verified by the form, redeemed at once. */
  async redeemWithSignature(challenge: Challenge, address: unknown, signature: unknown): Promise<string> {
    const proven = await this.verify(challenge, address, signature);
    return this.expectOk(await this.options.store.redeem(challenge.id, this.now(), proven)).address!;
  }

  /** Cross-device: the wallet URL received a valid signature; the desktop redeems it later. */
  async markSignedWithSignature(challenge: Challenge, address: unknown, signature: unknown): Promise<string> {
    const proven = await this.verify(challenge, address, signature);
    return this.expectOk(await this.options.store.markSigned(challenge.id, proven, this.now())).address!;
  }

  /**
   * The desktop continues after the phone signed, as `address`: the one the person confirmed or
   * the relying party named (login CSRF, docs/wallet-protocol.md "Security notes"). Redeems
   * exactly once, and only a challenge signed by that very address.
   */
  async redeemSigned(challenge: Challenge, address: string | undefined): Promise<string> {
    // The store's redeem with an address also takes a pending challenge (the same-device form,
    // whose signature was just checked); here nothing was checked, so a pending one is refused
    // first. A signed challenge never becomes pending again, so this cannot race.
    if (!address || challenge.state === 'pending') {
      const state = this.publicState(challenge);
      throw refusalError(state === 'expired' || state === 'dead' || state === 'redeemed' ? state : 'not_signed');
    }
    return this.expectOk(await this.options.store.redeem(challenge.id, this.now(), address)).address!;
  }

  private assertUsable(challenge: Challenge): void {
    const status = challengeStatus(challenge, this.now());
    if (status !== 'pending') throw refusalError(status);
  }

  private expectOk(transition: ChallengeTransition): Challenge {
    if (!transition.ok) throw refusalError(transition.reason);
    this.announce(transition.challenge);
    return transition.challenge;
  }

  /**
   * Not awaited: the answer to the signer does not wait for the news to leave. A page that
   * misses it (notifier down) still learns the state from its periodic check.
   */
  private announce(challenge: Challenge): void {
    this.options.notifier?.notify(challenge.id, challenge.state).catch(() => undefined);
  }

  /** Follows the challenge's state changes (for the login page's event stream). */
  watch(challengeId: string, listener: (state: Challenge['state']) => void): () => void {
    return this.options.notifier?.listen(challengeId, listener) ?? (() => {});
  }
}
