/**
 * Rotating refresh tokens against relying parties that refresh in parallel (oauth2-proxy with
 * cookie_refresh, SPAs in several tabs, mod_auth_openidc under concurrent requests): within
 * REFRESH_TOKEN_REUSE_INTERVAL of a rotation, the rotated-out token gets a valid answer; after
 * it, presenting it is a reuse and revokes the grant (RFC 9700 §4.14.2). Plain HTTP.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { startProduct, TEST_CLIENT_SECRET, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, signIn } from '../support/wallet.js';

const BASIC = `Basic ${Buffer.from(`rp:${TEST_CLIENT_SECRET}`).toString('base64')}`;

interface TokenAnswer {
  status: number;
  body: Record<string, string>;
}

function rig(env: Record<string, string>, store: 'redis' | 'memory') {
  const state = {} as { running: RunningProduct; rp: oidc.Configuration };
  beforeAll(async () => {
    state.running = await startProduct({ store, env });
    state.rp = await discover(state.running.baseUrl);
  });
  afterAll(async () => state.running?.stop());

  const refresh = async (refreshToken: string): Promise<TokenAnswer> => {
    const response = await fetch(`${state.running.baseUrl}/token`, {
      method: 'POST',
      headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };

  /** A fresh sign-in: its refresh token. */
  const refreshToken = async (): Promise<string> => {
    const { running, rp } = state;
    const request = await authorizationRequest(rp, running.redirectUri, 'openid profile');
    const callback = await signIn(new HttpBrowser(running.baseUrl), request.url, KEYS.compressed, running.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(rp, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    return tokens.refresh_token!;
  };

  return { state, refresh, refreshToken };
}

const describeStore = describe.each(['redis', 'memory'] as const);

describeStore('parallel refreshes within the reuse interval (%s store)', (store) => {
  const { state, refresh, refreshToken } = rig({}, store);

  const raceOf = async (n: number) => {
    const token = await refreshToken();
    const answers = await Promise.all(Array.from({ length: n }, () => refresh(token)));
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.access_token).toBeTruthy();
      expect(answer.body.id_token).toBeTruthy();
    }
    // Everyone holds the same new token, and it works: the session survived.
    const issued = new Set(answers.map((answer) => answer.body.refresh_token));
    expect(issued.size).toBe(1);
    expect(issued.has(token)).toBe(false);
    const next = await refresh([...issued][0]!);
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    expect(next.body.refresh_token).not.toBe([...issued][0]);
  };

  it('a race of two', async () => raceOf(2));

  it('a race of ten', async () => {
    const before = state.running.logs.filter((line) => line.event === 'token.reused_within_interval').length;
    await raceOf(10);
    // Each answer within the interval is in the audit log (a replayed stolen token looks alike).
    const logged = state.running.logs.filter((line) => line.event === 'token.reused_within_interval').slice(before);
    expect(logged).toHaveLength(9);
    expect(logged[0]).toMatchObject({ client_id: 'rp', ip: '127.0.0.1', address: KEYS.compressed.address });
  });

  it('a second presentation just after the first answer gets the token that rotation issued', async () => {
    const token = await refreshToken();
    const first = await refresh(token);
    expect(first.status).toBe(200);
    const second = await refresh(token);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.refresh_token).toBe(first.body.refresh_token);
    // Presented again, the current token rotates as usual, and the chain is followed.
    const third = await refresh(first.body.refresh_token!);
    expect(third.status).toBe(200);
    const late = await refresh(token);
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    expect(late.body.refresh_token).toBe(third.body.refresh_token);
  });
});

describe('a rotated-out token presented after the reuse interval', () => {
  const { refresh, refreshToken } = rig({ REFRESH_TOKEN_REUSE_INTERVAL: '1s' }, 'redis');

  it('revokes the whole grant, as reuse detection must (RFC 9700 §4.14.2)', async () => {
    const token = await refreshToken();
    const rotated = await refresh(token);
    expect(rotated.status).toBe(200);
    // Past the interval and its one-second rounding.
    await new Promise((resolve) => setTimeout(resolve, 2_600));
    const reuse = await refresh(token);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    const current = await refresh(rotated.body.refresh_token!);
    expect(current.status).toBe(400);
    expect(current.body.error).toBe('invalid_grant');
  });
});

describe('REFRESH_TOKEN_REUSE_INTERVAL=off', () => {
  const { refresh, refreshToken } = rig({ REFRESH_TOKEN_REUSE_INTERVAL: 'off' }, 'redis');

  it('every second presentation is a reuse that revokes the grant', async () => {
    const token = await refreshToken();
    const rotated = await refresh(token);
    expect(rotated.status).toBe(200);
    expect((await refresh(token)).body.error).toBe('invalid_grant');
    expect((await refresh(rotated.body.refresh_token!)).body.error).toBe('invalid_grant');
  });
});
