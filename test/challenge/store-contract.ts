import { randomBytes, randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Challenge, ChallengeStore } from '../../src/challenge/types.js';

const ADDRESS = 'EViF16aYCetDH56MyKCcxfyeZ3F7Ao7ZBc';
const OTHER_ADDRESS = 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM';
/** Fixed, so expiry is decided by the `now` each test passes, not by the wall clock. */
const T0 = 1_800_000_000;

export function makeChallenge(overrides: Partial<Challenge> = {}): Challenge {
  return {
    id: randomBytes(16).toString('base64url'),
    interactionUid: randomUUID(),
    clientId: 'grafana',
    text: `Sign in to accounts.example as grafana: ${randomUUID()}`,
    issuedAt: T0,
    expiresAt: T0 + 300,
    attempts: 0,
    state: 'pending',
    ...overrides,
  };
}

/**
 * The ChallengeStore contract (src/challenge/types.ts): each transition's refusals and
 * single redemption under concurrency. `makeStore` is called before each test.
 */
export function describeChallengeStoreContract(name: string, makeStore: () => ChallengeStore): void {
  describe(`challenge store contract: ${name}`, () => {
    let store: ChallengeStore;
    const now = T0 + 10;

    async function created(overrides: Partial<Challenge> = {}): Promise<Challenge> {
      const challenge = makeChallenge(overrides);
      await store.create(challenge);
      return challenge;
    }

    beforeEach(() => {
      store = makeStore();
    });

    it('create, get and findByInteraction round-trip the challenge', async () => {
      const challenge = await created();
      expect(await store.get(challenge.id)).toStrictEqual(challenge);
      expect(await store.findByInteraction(challenge.interactionUid)).toStrictEqual(challenge);
      expect(await store.get('no-such-id')).toBeUndefined();
      expect(await store.findByInteraction('no-such-interaction')).toBeUndefined();
    });

    it('a second challenge for the same interaction becomes its current one', async () => {
      const first = await created();
      const second = await created({ interactionUid: first.interactionUid });
      expect(await store.findByInteraction(first.interactionUid)).toStrictEqual(second);
      expect(await store.get(first.id)).toStrictEqual(first);
    });

    it('the id a page posted back does not decide which challenge is current', async () => {
      const first = await created();
      const second = await created({ interactionUid: first.interactionUid });
      const other = await created();
      expect(await store.findByInteraction(first.interactionUid, second.id)).toStrictEqual(second);
      // An older challenge of the interaction, another interaction's, or none at all: still the current one.
      expect(await store.findByInteraction(first.interactionUid, first.id)).toStrictEqual(second);
      expect(await store.findByInteraction(first.interactionUid, other.id)).toStrictEqual(second);
      expect(await store.findByInteraction(first.interactionUid, 'no-such-id')).toStrictEqual(second);
      expect(await store.findByInteraction('no-such-interaction', other.id)).toBeUndefined();
    });

    it('get returns a copy: changing it does not change what is stored', async () => {
      const challenge = await created();
      const copy = await store.get(challenge.id);
      copy!.state = 'redeemed';
      expect((await store.get(challenge.id))?.state).toBe('pending');
    });

    it('markSigned, then redeem without address (continuing after the wallet URL)', async () => {
      const challenge = await created();
      const signed = await store.markSigned(challenge.id, ADDRESS, now);
      expect(signed).toStrictEqual({ ok: true, challenge: { ...challenge, state: 'signed', address: ADDRESS } });
      const redeemed = await store.redeem(challenge.id, now);
      expect(redeemed).toStrictEqual({ ok: true, challenge: { ...challenge, state: 'redeemed', address: ADDRESS } });
      expect(await store.get(challenge.id)).toMatchObject({ state: 'redeemed', address: ADDRESS });
    });

    it('markSigned twice is refused as signed', async () => {
      const challenge = await created();
      await store.markSigned(challenge.id, ADDRESS, now);
      expect(await store.markSigned(challenge.id, OTHER_ADDRESS, now)).toMatchObject({
        ok: false,
        reason: 'signed',
        challenge: { address: ADDRESS },
      });
    });

    it('redeem with address from pending (same-device form)', async () => {
      const challenge = await created();
      expect(await store.redeem(challenge.id, now, ADDRESS)).toStrictEqual({
        ok: true,
        challenge: { ...challenge, state: 'redeemed', address: ADDRESS },
      });
    });

    it('redeem with address from signed: same address ok, another address refused', async () => {
      const challenge = await created();
      await store.markSigned(challenge.id, ADDRESS, now);
      expect(await store.redeem(challenge.id, now, OTHER_ADDRESS)).toMatchObject({ ok: false, reason: 'address_mismatch' });
      expect((await store.get(challenge.id))?.state).toBe('signed');
      expect(await store.redeem(challenge.id, now, ADDRESS)).toMatchObject({ ok: true, challenge: { state: 'redeemed' } });
    });

    it('redeem without address from pending is refused as not_signed', async () => {
      const challenge = await created();
      expect(await store.redeem(challenge.id, now)).toMatchObject({ ok: false, reason: 'not_signed' });
      expect((await store.get(challenge.id))?.state).toBe('pending');
    });

    it('redeem twice: the second is refused as redeemed', async () => {
      const challenge = await created();
      expect((await store.redeem(challenge.id, now, ADDRESS)).ok).toBe(true);
      expect(await store.redeem(challenge.id, now, ADDRESS)).toMatchObject({ ok: false, reason: 'redeemed' });
      expect(await store.markSigned(challenge.id, ADDRESS, now)).toMatchObject({ ok: false, reason: 'redeemed' });
    });

    it('20 concurrent redeems: exactly one succeeds', async () => {
      const challenge = await created();
      await store.markSigned(challenge.id, ADDRESS, now);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? store.redeem(challenge.id, now) : store.redeem(challenge.id, now, ADDRESS))),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.reason === 'redeemed')).toHaveLength(19);
    });

    it('refuses every transition once now >= expiresAt, and allows them just before', async () => {
      const challenge = await created();
      const at = challenge.expiresAt;
      expect(await store.markSigned(challenge.id, ADDRESS, at)).toMatchObject({ ok: false, reason: 'expired' });
      expect(await store.redeem(challenge.id, at, ADDRESS)).toMatchObject({ ok: false, reason: 'expired' });
      expect(await store.recordFailure(challenge.id, 3, at)).toMatchObject({ ok: false, reason: 'expired' });
      expect(await store.get(challenge.id)).toStrictEqual(challenge);
      expect((await store.redeem(challenge.id, at - 1, ADDRESS)).ok).toBe(true);
    });

    it('recordFailure counts attempts; at maxAttempts the challenge is dead for good', async () => {
      const challenge = await created();
      expect(await store.recordFailure(challenge.id, 3, now)).toMatchObject({ ok: true, challenge: { attempts: 1, state: 'pending' } });
      expect(await store.recordFailure(challenge.id, 3, now)).toMatchObject({ ok: true, challenge: { attempts: 2, state: 'pending' } });
      expect(await store.recordFailure(challenge.id, 3, now)).toMatchObject({ ok: true, challenge: { attempts: 3, state: 'dead' } });
      expect(await store.recordFailure(challenge.id, 3, now)).toMatchObject({ ok: false, reason: 'dead' });
      expect(await store.redeem(challenge.id, now, ADDRESS)).toMatchObject({ ok: false, reason: 'dead' });
      expect(await store.markSigned(challenge.id, ADDRESS, now)).toMatchObject({ ok: false, reason: 'dead' });
      expect(await store.get(challenge.id)).toMatchObject({ attempts: 3, state: 'dead' });
    });

    it('concurrent failures never count past maxAttempts', async () => {
      const challenge = await created();
      const results = await Promise.all(Array.from({ length: 10 }, () => store.recordFailure(challenge.id, 3, now)));
      expect(results.filter((r) => r.ok)).toHaveLength(3);
      expect(results.filter((r) => !r.ok && r.reason === 'dead')).toHaveLength(7);
      expect(await store.get(challenge.id)).toMatchObject({ attempts: 3, state: 'dead' });
    });

    it('recordFailure on a signed challenge is refused as signed', async () => {
      const challenge = await created();
      await store.markSigned(challenge.id, ADDRESS, now);
      expect(await store.recordFailure(challenge.id, 3, now)).toMatchObject({ ok: false, reason: 'signed' });
    });

    it('an unknown id is refused as missing by every transition', async () => {
      const missing = { ok: false, reason: 'missing' };
      expect(await store.markSigned('no-such-id', ADDRESS, now)).toStrictEqual(missing);
      expect(await store.redeem('no-such-id', now, ADDRESS)).toStrictEqual(missing);
      expect(await store.redeem('no-such-id', now)).toStrictEqual(missing);
      expect(await store.recordFailure('no-such-id', 3, now)).toStrictEqual(missing);
    });

    it('keeps text with any characters exactly', async () => {
      const challenge = await created({ text: 'Grüße 🌍 — sign in: "quoted" \\ and\nnewline' });
      expect((await store.get(challenge.id))?.text).toBe(challenge.text);
    });
  });
}
