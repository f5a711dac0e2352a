/**
 * PKCE (S256) is required of every client by default, confidential ones included (RFC 9700
 * §2.1.1, OAuth 2.1): a leaked or injected authorization code is worthless without the
 * verifier. An operator's legacy relying party opts out with "require_pkce": false in
 * CLIENTS_FILE; a public or self-registered client cannot.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { defaultClients, startProduct, TEST_CLIENT_SECRET, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, discover, signIn } from '../support/wallet.js';

describe('PKCE required of every client by default', () => {
  let product: RunningProduct;
  beforeAll(async () => {
    product = await startProduct({
      store: 'redis',
      env: { REGISTRATION: 'open' },
      clients: (redirectUri) => [
        ...defaultClients(redirectUri),
        {
          client_id: 'legacy',
          client_secret: TEST_CLIENT_SECRET,
          client_name: 'Legacy RP',
          redirect_uris: [redirectUri],
          require_pkce: false,
        },
      ],
    });
  });
  afterAll(async () => {
    await product?.stop();
  });

  it('refuses an authorization request without PKCE from a confidential client, at /auth and at the pushed-request endpoint', async () => {
    const rp = await discover(product.baseUrl);
    const withoutPkce = oidc.buildAuthorizationUrl(rp, { redirect_uri: product.redirectUri, scope: 'openid', state: 'st', nonce: 'n' });
    const page = await new HttpBrowser(product.baseUrl).navigate(withoutPkce.href, {}, product.redirectUri);
    const back = new URL(page.url);
    expect(back.origin + back.pathname).toBe(product.redirectUri);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
    expect(back.searchParams.get('code')).toBeNull();

    const pushed = await fetch(`${product.baseUrl}/request`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`rp:${TEST_CLIENT_SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        client_id: 'rp',
        response_type: 'code',
        scope: 'openid',
        redirect_uri: product.redirectUri,
        state: 'st',
      }),
    });
    expect(pushed.status).toBe(400);
    expect(await pushed.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/PKCE/) });
  });

  it('lets a legacy confidential client of CLIENTS_FILE with "require_pkce": false sign in without PKCE', async () => {
    const legacy = await oidc.discovery(
      new URL(product.baseUrl),
      'legacy',
      TEST_CLIENT_SECRET,
      oidc.ClientSecretBasic(TEST_CLIENT_SECRET),
      { execute: [oidc.allowInsecureRequests] },
    );
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(legacy, { redirect_uri: product.redirectUri, scope: 'openid', state, nonce });
    const callback = await signIn(new HttpBrowser(product.baseUrl), url, KEYS.compressed, product.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(legacy, callback, { expectedState: state, expectedNonce: nonce });
    expect(tokens.claims()?.sub).toBe(KEYS.compressed.address);
  });

  it('refuses require_pkce false for a public client and through dynamic registration', async () => {
    const register = (metadata: Record<string, unknown>) =>
      fetch(`${product.baseUrl}/reg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: [product.redirectUri], ...metadata }),
      });
    const publicClient = await register({ token_endpoint_auth_method: 'none', require_pkce: false });
    expect(publicClient.status).toBe(400);
    expect(await publicClient.json()).toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringMatching(/require_pkce cannot be false for a public client/),
    });
    const confidential = await register({ require_pkce: false });
    expect(confidential.status).toBe(400);
    expect(await confidential.json()).toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringMatching(/cannot be registered dynamically/),
    });
    expect((await register({ require_pkce: 'no' })).status).toBe(400);
    // Asking for PKCE explicitly is fine.
    expect((await register({ require_pkce: true })).status).toBe(201);
  });
});
