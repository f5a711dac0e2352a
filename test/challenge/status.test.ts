/**
 * challengeStatus: the one rule the service, the sign-in page and the wallet URL use to decide
 * whether a challenge can still be signed or redeemed, at an instant passed in.
 */
import { describe, it, expect } from 'vitest';
import { challengeStatus, isLive } from '../../src/challenge/status.js';
import type { Challenge, ChallengeState } from '../../src/challenge/types.js';
import { challengeJson } from '../../src/interaction/wallet-routes.js';
import { LoginPresenter } from '../../src/interaction/login-presenter.js';
import { NETWORKS } from '../../src/evrmore/network.js';
import type { Views } from '../../src/http/views.js';
import type Provider from 'oidc-provider';

const challenge = (state: ChallengeState, expiresAt = 1000): Challenge => ({
  id: 'c',
  interactionUid: 'i',
  clientId: 'rp',
  text: 'sign this',
  issuedAt: 700,
  expiresAt,
  attempts: 0,
  state,
});

describe('challengeStatus', () => {
  it('is missing without a challenge', () => {
    expect(challengeStatus(undefined, 0)).toBe('missing');
  });

  it('keeps pending and signed until the second of expiry, then says expired', () => {
    for (const state of ['pending', 'signed'] as const) {
      expect(challengeStatus(challenge(state), 999)).toBe(state);
      expect(challengeStatus(challenge(state), 1000)).toBe('expired');
      expect(challengeStatus(challenge(state), 5000)).toBe('expired');
    }
  });

  it('keeps redeemed and dead final, before and after expiry', () => {
    for (const state of ['redeemed', 'dead'] as const) {
      expect(challengeStatus(challenge(state), 999)).toBe(state);
      expect(challengeStatus(challenge(state), 1000)).toBe(state);
    }
  });

  it('takes the clock it is given, not the system clock', () => {
    const farFuture = Math.floor(Date.now() / 1000) + 10 * 365 * 86400;
    expect(challengeStatus(challenge('pending', farFuture), farFuture + 1)).toBe('expired');
    expect(challengeStatus(challenge('pending', 10), 9)).toBe('pending');
  });

  it('calls only pending and signed live', () => {
    expect((['missing', 'pending', 'signed', 'expired', 'redeemed', 'dead'] as const).filter(isLive)).toEqual(['pending', 'signed']);
  });
});

describe("the wallet URL's JSON state", () => {
  const presenter = new LoginPresenter({ views: {} as Views, issuer: new URL('https://id.example'), network: NETWORKS.mainnet });
  const provider = { issuer: 'https://id.example' } as Provider;
  const state = (c: Challenge, now: number) => challengeJson(c, presenter, provider, { name: 'RP', verified: true }, now).state;

  it('follows challengeStatus: a signed challenge past its expiry is expired, as the service sees it', () => {
    expect(state(challenge('pending'), 999)).toBe('pending');
    expect(state(challenge('pending'), 1000)).toBe('expired');
    expect(state(challenge('signed'), 999)).toBe('signed');
    expect(state(challenge('signed'), 1000)).toBe('expired');
    expect(state(challenge('redeemed'), 1000)).toBe('redeemed');
  });
});
