/**
 * The whole product over real HTTP, with openid-client as the relying party and a known-answer
 * test key as the wallet: authorization code + PKCE, ID token against the JWKS, claims,
 * userinfo, refresh with rotation, introspection, revocation and logout — on Redis and in memory.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, signIn } from '../support/wallet.js';

for (const store of ['redis', 'memory'] as const) {
  describe(`full sign-in flow (${store} store)`, () => {
    let running: RunningProduct;
    let config: oidc.Configuration;

    beforeAll(async () => {
      // Reuse detection at once; the reuse interval for parallel refreshes is tested in
      // test/conformance/refresh-rotation.test.ts.
      running = await startProduct({ store, env: { REFRESH_TOKEN_REUSE_INTERVAL: 'off' } });
      config = await discover(running.baseUrl);
    });
    afterAll(async () => running?.stop());

    it('publishes discovery and a JWKS of RS256 public keys', async () => {
      const metadata = config.serverMetadata();
      expect(metadata.issuer).toBe(running.baseUrl);
      expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
      expect(metadata.response_types_supported).toEqual(['code']);
      expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'evrmore', 'offline_access']));
      const jwks = (await (await fetch(metadata.jwks_uri!)).json()) as { keys: Array<Record<string, unknown>> };
      expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(jwks.keys[0]).not.toHaveProperty('d');
    });

    it('signs in with a wallet signature and carries the standard claims end to end', async () => {
      const request = await authorizationRequest(config, running.redirectUri);
      const browser = new HttpBrowser(running.baseUrl);
      const callback = await signIn(browser, request.url, KEYS.compressed, running.redirectUri);
      expect(callback.searchParams.get('state')).toBe(request.state);
      expect(callback.searchParams.get('code')).toBeTruthy();

      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      // The ID token is verified against the published keys, not only trusted from TLS.
      const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
      const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, jwks, { issuer: running.baseUrl, audience: 'rp' });
      expect(protectedHeader.alg).toBe('RS256');
      const address = KEYS.compressed.address;
      expect(payload).toMatchObject({
        sub: address,
        preferred_username: address,
        name: address,
        evrmore_address: address,
        evrmore_network: 'mainnet',
        nonce: request.nonce,
      });
      expect(payload).not.toHaveProperty('email');

      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, address);
      expect(userinfo).toMatchObject({ sub: address, preferred_username: address, evrmore_address: address, evrmore_network: 'mainnet' });

      // Refresh tokens come without prompt=consent for a client allowed the grant, and rotate.
      expect(tokens.refresh_token).toBeTruthy();
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.refresh_token).toBeTruthy();
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      expect(refreshed.claims()?.sub).toBe(address);

      const introspected = await oidc.tokenIntrospection(config, refreshed.access_token);
      expect(introspected).toMatchObject({ active: true, sub: address, client_id: 'rp' });
      expect((await oidc.tokenIntrospection(config, refreshed.refresh_token!)).active).toBe(true);
      // Revoking the access token ends the tokens of its grant too (RFC 7009 §2.1 allows it;
      // oidc-provider does it).
      await oidc.tokenRevocation(config, refreshed.access_token);
      expect((await oidc.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);
      expect((await oidc.tokenIntrospection(config, refreshed.refresh_token!)).active).toBe(false);
      await expect(oidc.fetchUserInfo(config, refreshed.access_token, address)).rejects.toBeTruthy();

      // RP-initiated logout: confirmation page, then back to the registered URI.
      const logoutUrl = oidc.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: running.redirectUri.replace('/cb', '/logged-out'),
        state: 'bye',
      });
      const confirm = await browser.navigate(logoutUrl.href);
      expect(confirm.status).toBe(200);
      const action = /<form[^>]*action="([^"]+)"/.exec(confirm.body)?.[1];
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)?.[1];
      expect(action && xsrf).toBeTruthy();
      const done = await browser.request(new URL(action!, running.baseUrl).href, { form: { xsrf: xsrf!, logout: 'yes' } });
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe(`${running.redirectUri.replace('/cb', '/logged-out')}?state=bye`);
    });

    it('detects refresh token reuse and revokes the grant (RFC 9700 §4.14.2)', async () => {
      const request = await authorizationRequest(config, running.redirectUri);
      const callback = await signIn(new HttpBrowser(running.baseUrl), request.url, KEYS.uncompressed, running.redirectUri);
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      expect((await oidc.tokenIntrospection(config, refreshed.refresh_token!)).active).toBe(true);
      await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
      expect((await oidc.tokenIntrospection(config, refreshed.refresh_token!)).active).toBe(false);
      expect((await oidc.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);
    });

    it('requires PKCE of public clients and serves them with S256', async () => {
      const spa = await discover(running.baseUrl, 'spa');
      const withoutPkce = oidc.buildAuthorizationUrl(spa, { redirect_uri: running.redirectUri, scope: 'openid' });
      const browser = new HttpBrowser(running.baseUrl);
      const refused = await browser.navigate(withoutPkce.href, {}, running.redirectUri);
      const location = new URL(refused.url);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('error_description')).toMatch(/PKCE/);

      const request = await authorizationRequest(spa, running.redirectUri, 'openid');
      const callback = await signIn(browser, request.url, KEYS.uncompressed, running.redirectUri);
      const tokens = await oidc.authorizationCodeGrant(spa, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      expect(tokens.claims()?.sub).toBe(KEYS.uncompressed.address);
    });

    it('skips the consent screen for first-party clients only', async () => {
      const first = await oidc.discovery(
        new URL(running.baseUrl),
        'first',
        undefined,
        oidc.ClientSecretBasic('test-secret-for-the-confidential-relying-party-0123456789'),
        { execute: [oidc.allowInsecureRequests] },
      );
      const request = await authorizationRequest(first, running.redirectUri);
      const browser = new HttpBrowser(running.baseUrl);
      const login = await browser.navigate(request.url.href);
      const text = /id="challenge"[^>]*>([^<]+)</.exec(login.body)![1]!;
      const uid = /\/interaction\/([A-Za-z0-9_-]+)/.exec(login.url)![1]!;
      const challengeId = /name="challenge_id" value="([^"]+)"/.exec(login.body)![1]!;
      const { sign } = await import('../support/wallet.js');
      const posted = await browser.request(`/interaction/${uid}/login`, {
        form: { address: KEYS.compressed.address, signature: sign(KEYS.compressed, text), challenge_id: challengeId },
      });
      const landed = await browser.navigate(new URL(posted.headers.get('location')!, running.baseUrl).href, {}, running.redirectUri);
      // Straight to the relying party: no consent page in between.
      expect(landed.url.startsWith(running.redirectUri)).toBe(true);
      expect(new URL(landed.url).searchParams.get('code')).toBeTruthy();
    });
  });
}
