/**
 * Structured JSON audit lines of every sign-in attempt (time, client IP,
 * client_id, address, outcome, reason) and of token issuance and revocation — and no
 * signature, token, code, cookie or secret anywhere in the log of a full flow.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { startProduct, TEST_CLIENT_SECRET, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import {
  KEYS,
  authorizationRequest,
  continueAfterPhone,
  discover,
  finishToRelyingParty,
  openLogin,
  sign,
  submitSignature,
} from '../support/wallet.js';

describe('audit log', () => {
  let product: RunningProduct;
  /** Every value that must never reach the log. */
  const secrets = new Map<string, string>();

  beforeAll(async () => {
    product = await startProduct({ store: 'redis' });
    const config = await discover(product.baseUrl);
    const keep = (name: string, value: string | undefined) => {
      if (value) secrets.set(name, value);
    };

    // Same device: one wrong signature, a malformed "address" (a pasted signature), then the right one.
    const browser = new HttpBrowser(product.baseUrl);
    const request = await authorizationRequest(config, product.redirectUri, 'openid profile evrmore offline_access');
    const login = await openLogin(browser, request.url);
    const wrong = sign(KEYS.compressed, 'not the text');
    expect((await submitSignature(browser, login, KEYS.compressed.address, wrong)).status).toBe(400);
    const right = sign(KEYS.compressed, login.text);
    expect((await submitSignature(browser, login, right, right)).status).toBe(400);
    const posted = await submitSignature(browser, login, KEYS.compressed.address, right);
    const callback = await finishToRelyingParty(browser, posted, product.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    keep('wrong signature', wrong);
    keep('signature', right);
    keep('authorization code', callback.searchParams.get('code') ?? undefined);
    keep('PKCE verifier', request.verifier);
    keep('challenge id', login.challengeId);
    keep('interaction id', login.uid);
    keep('access token', tokens.access_token);
    keep('id token', tokens.id_token);
    keep('refresh token', tokens.refresh_token);

    await oidc.fetchUserInfo(config, tokens.access_token, KEYS.compressed.address);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    keep('refreshed access token', refreshed.access_token);
    keep('rotated refresh token', refreshed.refresh_token);
    await oidc.tokenIntrospection(config, refreshed.access_token);
    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    // A failed token request (the used code again) is audited too.
    await expect(
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      }),
    ).rejects.toBeTruthy();

    // Cross device: the phone signs through the wallet URL, the desktop continues.
    const desktop = new HttpBrowser(product.baseUrl);
    const second = await authorizationRequest(config, product.redirectUri);
    const crossLogin = await openLogin(desktop, second.url);
    const phoneSignature = sign(KEYS.uncompressed, crossLogin.text);
    keep('phone signature', phoneSignature);
    keep('second challenge id', crossLogin.challengeId);
    const signed = await fetch(`${product.baseUrl}/w/${crossLogin.challengeId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ address: KEYS.uncompressed.address, signature: phoneSignature }),
    });
    expect(signed.status).toBe(200);
    const continued = await continueAfterPhone(desktop, crossLogin);
    const crossCallback = await finishToRelyingParty(desktop, continued, product.redirectUri);
    keep('second code', crossCallback.searchParams.get('code') ?? undefined);

    // Logout.
    const logoutUrl = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: product.redirectUri.replace('/cb', '/logged-out'),
    });
    const confirm = await browser.navigate(logoutUrl.href);
    const action = /<form[^>]*action="([^"]+)"/.exec(confirm.body)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1]!;
    keep('logout xsrf', xsrf);
    await browser.request(new URL(action, product.baseUrl).href, { form: { xsrf, logout: 'yes' } });

    for (const [i, cookie] of [...browser.cookies.values(), ...desktop.cookies.values()].entries())
      keep(`cookie ${i} ${cookie.name}`, cookie.value);
    keep('client secret', TEST_CLIENT_SECRET);
    const dev = JSON.parse(readFileSync(join(product.config.dataDir, 'dev-secrets.json'), 'utf8')) as {
      cookieKeys: string[];
      jwks: { keys: Array<Record<string, string>> };
    };
    for (const [i, key] of dev.cookieKeys.entries()) keep(`cookie key ${i}`, key);
    for (const key of dev.jwks.keys) for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) keep(`signing key ${part}`, key[part]);
  });
  afterAll(async () => product?.stop());

  const lines = (event: string) => product.logs.filter((l) => l.event === event);

  it('logs every sign-in attempt with time, IP, client, address, channel, outcome and reason', () => {
    const attempts = lines('auth.attempt');
    expect(attempts.map((a) => [a.channel, a.outcome, a.reason])).toEqual([
      ['form', 'failure', 'signature_mismatch'],
      ['form', 'failure', 'invalid_input'],
      ['form', 'success', undefined],
      ['wallet', 'success', undefined],
      ['continue', 'success', undefined],
    ]);
    for (const attempt of attempts) {
      expect(Date.parse(String(attempt.time))).toBeGreaterThan(Date.now() - 60_000);
      expect(attempt).toMatchObject({ ip: '127.0.0.1', client_id: 'rp', service: 'evrmore-accounts' });
    }
    expect(attempts[0]).toMatchObject({ address: KEYS.compressed.address, level: 40 });
    // The signature pasted as the address is not logged as one.
    expect(attempts[1]).toMatchObject({ address_malformed: true });
    expect(attempts[1]).not.toHaveProperty('address');
    expect(attempts[2]).toMatchObject({ address: KEYS.compressed.address, level: 30 });
    expect(attempts[4]).toMatchObject({ address: KEYS.uncompressed.address });
  });

  it('logs token issuance and revocation from the provider events', () => {
    const issued = lines('token.issued');
    const types = new Set(issued.map((l) => l.type));
    for (const type of ['authorization_code', 'access_token', 'refresh_token', 'id_token']) expect(types, type).toContain(type);
    expect(issued.find((l) => l.type === 'access_token')).toMatchObject({
      client_id: 'rp',
      address: KEYS.compressed.address,
      expires_in: expect.any(Number),
    });
    const revoked = lines('token.revoked');
    expect(revoked.some((l) => l.type === 'refresh_token' && l.client_id === 'rp')).toBe(true);
    expect(lines('token.error')).toContainEqual(expect.objectContaining({ client_id: 'rp', error: 'invalid_grant', ip: '127.0.0.1' }));
    expect(lines('session.ended')).toHaveLength(1);
  });

  it('never writes a signature, token, code, cookie, capability id or secret', () => {
    expect(secrets.size).toBeGreaterThan(20);
    const raw = product.rawLogs();
    expect(raw.length).toBeGreaterThan(1000);
    const found = [...secrets].filter(([, value]) => raw.includes(value)).map(([name]) => name);
    expect(found).toEqual([]);
    // Nor anything shaped like a signature (65 bytes, base64) or a JWT.
    expect(raw).not.toMatch(/[A-Za-z0-9+/]{86}[A-Za-z0-9+/=]{2}/);
    expect(raw).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
  });
});
