/**
 * Relying parties configured the way their users usually configure them: no EMAIL_DOMAIN at the
 * provider, no `prompt=consent`, `openid profile email offline_access` asked for, and the scope
 * sent again on every refresh (mod_auth_openidc, Authlib). Plain HTTP, so that each answer is
 * seen exactly as the relying party sees it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { OidcClient, WebStorageStateStore, InMemoryWebStorage } from 'oidc-client-ts';
import { startProduct, TEST_CLIENT_SECRET, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, signIn } from '../support/wallet.js';

const BASIC = `Basic ${Buffer.from(`rp:${TEST_CLIENT_SECRET}`).toString('base64')}`;

describe('relying parties with their usual configuration', () => {
  let running: RunningProduct;
  let rp: oidc.Configuration;

  beforeAll(async () => {
    running = await startProduct({ store: 'redis' });
    rp = await discover(running.baseUrl);
  });
  afterAll(async () => running?.stop());

  const tokenRequest = async (form: Record<string, string>) => {
    const response = await fetch(`${running.baseUrl}/token`, {
      method: 'POST',
      headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };

  /** A completed sign-in with `scope` (no prompt=consent): the token response. */
  const signedIn = async (scope: string) => {
    const request = await authorizationRequest(rp, running.redirectUri, scope);
    const callback = await signIn(new HttpBrowser(running.baseUrl), request.url, KEYS.compressed, running.redirectUri);
    return oidc.authorizationCodeGrant(rp, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
  };

  it('discovery offers the email scope without EMAIL_DOMAIN, and the email claim only with it', async () => {
    const metadata = rp.serverMetadata();
    expect(metadata.scopes_supported).toContain('email');
    expect(metadata.claims_supported).not.toContain('email');
  });

  it('the email scope is granted without EMAIL_DOMAIN and releases no email claim', async () => {
    const tokens = await signedIn('openid profile email');
    expect(tokens.scope!.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    const claims = decodeJwt(tokens.id_token!);
    expect(claims.preferred_username).toBe(KEYS.compressed.address);
    expect(claims).not.toHaveProperty('email');
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, claims.sub!);
    expect(userinfo).not.toHaveProperty('email');
  });

  it('a refresh that sends the configured scope again, offline_access included, gets the granted scopes', async () => {
    const tokens = await signedIn('openid profile email offline_access');
    // offline_access needs prompt=consent (OIDC Core §11): it was dropped at authorization.
    expect(tokens.scope!.split(' ')).not.toContain('offline_access');
    const refreshed = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
      scope: 'openid profile email offline_access',
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body.scope!.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    expect(refreshed.body.id_token).toBeTruthy();
    expect(refreshed.body.refresh_token).toBeTruthy();
    // And again with the rotated token, as the relying party does at the next expiry.
    const again = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: refreshed.body.refresh_token!,
      scope: 'openid profile email offline_access',
    });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
  });

  it('what was not granted stays out: a re-sent scope never widens the grant', async () => {
    const tokens = await signedIn('openid profile');
    const refreshed = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
      scope: 'openid profile evrmore unknown_scope',
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body.scope!.split(' ').sort()).toEqual(['openid', 'profile']);
    expect(decodeJwt(refreshed.body.id_token!)).not.toHaveProperty('evrmore_address');
    // A narrower request is still honoured (RFC 6749 §6).
    const narrower = await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token!, scope: 'openid' });
    expect(narrower.status).toBe(200);
    expect(narrower.body.scope).toBe('openid');
    // A request of which nothing was granted is still refused.
    const nothing = await tokenRequest({ grant_type: 'refresh_token', refresh_token: narrower.body.refresh_token!, scope: 'evrmore' });
    expect(nothing.status).toBe(400);
    expect(nothing.body.error).toBe('invalid_scope');
  });

  it('revocation answers 200 with a JSON body, which oidc-client-ts accepts with its defaults (RFC 7009 §2.2)', async () => {
    const tokens = await signedIn('openid profile');
    const revoke = async (token: string, init: { client: 'rp' | 'spa'; origin?: string }) => {
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
      const form: Record<string, string> = { token };
      if (init.client === 'rp') headers.authorization = BASIC;
      else form.client_id = 'spa';
      if (init.origin) headers.origin = init.origin;
      const response = await fetch(`${running.baseUrl}/token/revocation`, { method: 'POST', headers, body: new URLSearchParams(form) });
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        cors: response.headers.get('access-control-allow-origin'),
        text: await response.text(),
      };
    };
    // oidc-client-ts (JsonService.postForm) throws on any Content-Type but application/json.
    for (const answer of [await revoke(tokens.refresh_token!, { client: 'rp' }), await revoke('unknown-token-value', { client: 'rp' })]) {
      expect(answer.status).toBe(200);
      expect(answer.type).toMatch(/^application\/json/);
      expect(JSON.parse(answer.text)).toEqual({});
    }
    // The token really is revoked.
    const after = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    expect(after.body.error).toBe('invalid_grant');
    // A public client from its own origin, as an SPA calls it.
    const spa = await revoke('some-token', { client: 'spa', origin: running.baseUrl });
    expect(spa).toMatchObject({ status: 200, cors: running.baseUrl });
    expect(spa.type).toMatch(/^application\/json/);
    // Errors stay RFC 6749 §5.2 JSON errors.
    const unauthenticated = await fetch(`${running.baseUrl}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=x',
    });
    expect(unauthenticated.status).toBe(400);
    expect(((await unauthenticated.json()) as { error: string }).error).toBe('invalid_request');
  });

  it("oidc-client-ts's own revokeToken, with the library's defaults, accepts the answer", async () => {
    const tokens = await signedIn('openid profile');
    const client = new OidcClient({
      authority: running.baseUrl,
      client_id: 'rp',
      client_secret: TEST_CLIENT_SECRET,
      redirect_uri: running.redirectUri,
      // Its default store is the browser's localStorage.
      stateStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    });
    // It throws "Invalid response Content-Type: text/plain" on an empty text answer.
    await client.revokeToken(tokens.refresh_token!, 'refresh_token');
    expect((await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! })).body.error).toBe('invalid_grant');
  });

  it('an unknown or malformed refresh token with a scope is still invalid_grant, not a 500', async () => {
    for (const token of ['not-a-token', 'x'.repeat(43), '']) {
      const refused = await tokenRequest({ grant_type: 'refresh_token', refresh_token: token, scope: 'openid profile' });
      expect(refused.status).toBe(400);
      expect(['invalid_grant', 'invalid_request']).toContain(refused.body.error);
    }
  });
});
