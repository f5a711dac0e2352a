/**
 * Only the origins of registered clients, and the operator's CORS_ORIGINS, may
 * call the token, userinfo, revocation and introspection endpoints from a browser; discovery
 * and the JWKS stay public. Preflights and actual requests, from allowed and foreign origins.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { startProduct, TEST_CLIENT_SECRET, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, finishToRelyingParty, openLogin, sign, submitSignature } from '../support/wallet.js';

const SPA = 'https://spa.example.com';
const RP = 'https://rp.example.com';
const PARTNER = 'https://partner.example.org';
const FOREIGN = 'https://evil.example.net';

describe('CORS limited to trusted origins', () => {
  let product: RunningProduct;
  let accessToken: string;

  beforeAll(async () => {
    product = await startProduct({
      store: 'redis',
      env: { CORS_ORIGINS: PARTNER },
      clients: () => [
        {
          client_id: 'spa',
          client_name: 'SPA',
          redirect_uris: [`${SPA}/cb`],
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code'],
        },
        { client_id: 'rp', client_secret: TEST_CLIENT_SECRET, client_name: 'RP', redirect_uris: [`${RP}/cb`], first_party: true },
      ],
    });
    // An access token of the browser client, from a real sign-in.
    const config = await oidc.discovery(new URL(product.baseUrl), 'spa', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const request = await authorizationRequest(config, `${SPA}/cb`, 'openid');
    const browser = new HttpBrowser(product.baseUrl);
    const login = await openLogin(browser, request.url);
    const posted = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    const callback = await finishToRelyingParty(browser, posted, `${SPA}/cb`);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    accessToken = tokens.access_token;
  });
  afterAll(async () => product?.stop());

  const preflight = (path: string, origin: string, method = 'POST') =>
    fetch(`${product.baseUrl}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' },
    });
  const allowOrigin = (response: Response) => response.headers.get('access-control-allow-origin');

  it.each([
    ['/token', 'POST'],
    ['/me', 'GET'],
    ['/token/revocation', 'POST'],
    ['/token/introspection', 'POST'],
  ])('answers preflights to %s from client and operator origins, and refuses foreign ones', async (path, method) => {
    for (const origin of [SPA, RP, PARTNER]) {
      const allowed = await preflight(path, origin, method);
      expect(allowed.status, origin).toBe(204);
      expect(allowOrigin(allowed), origin).toBe(origin);
      expect(allowed.headers.get('access-control-allow-methods')).toContain(method);
    }
    const refused = await preflight(path, FOREIGN, method);
    expect(refused.status).toBe(403);
    expect(allowOrigin(refused)).toBeNull();
    expect(refused.headers.get('vary')).toMatch(/Origin/i);
  });

  const tokenCall = (origin: string, clientId = 'spa') =>
    fetch(`${product.baseUrl}/token`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: clientId,
        grant_type: 'authorization_code',
        code: 'unknown',
        redirect_uri: `${SPA}/cb`,
        code_verifier: 'x'.repeat(43),
      }),
    });

  it('lets a client call the token endpoint from its own origin and the operator list only', async () => {
    const own = await tokenCall(SPA);
    expect(own.status).toBe(400);
    expect(await own.json()).toMatchObject({ error: 'invalid_grant' });
    expect(allowOrigin(own)).toBe(SPA);
    expect(allowOrigin(await tokenCall(PARTNER))).toBe(PARTNER);

    // Another client's origin is foreign to this client.
    for (const origin of [FOREIGN, RP]) {
      const refused = await tokenCall(origin);
      expect(refused.status, origin).toBe(400);
      expect(allowOrigin(refused), origin).toBeNull();
      expect(await refused.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('not allowed') });
    }
  });

  it('serves userinfo to the client origin and refuses a foreign one', async () => {
    const userinfo = (origin: string) => fetch(`${product.baseUrl}/me`, { headers: { origin, authorization: `Bearer ${accessToken}` } });
    const own = await userinfo(SPA);
    expect(own.status).toBe(200);
    expect(allowOrigin(own)).toBe(SPA);
    expect(await own.json()).toMatchObject({ sub: KEYS.compressed.address });
    const foreign = await userinfo(FOREIGN);
    expect(foreign.status).toBe(400);
    expect(allowOrigin(foreign)).toBeNull();
  });

  it('accepts revocation from the client origin only', async () => {
    const revoke = (origin: string) =>
      fetch(`${product.baseUrl}/token/revocation`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: 'spa', token: 'not-a-token' }),
      });
    const own = await revoke(SPA);
    expect(own.status).toBe(200);
    expect(allowOrigin(own)).toBe(SPA);
    const foreign = await revoke(FOREIGN);
    expect(foreign.status).toBe(400);
    expect(allowOrigin(foreign)).toBeNull();
  });

  it('keeps discovery and the JWKS public', async () => {
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      const response = await fetch(`${product.baseUrl}${path}`, { headers: { origin: FOREIGN } });
      expect(response.status, path).toBe(200);
      expect(allowOrigin(response), path).toBe(FOREIGN);
      const pre = await preflight(path, FOREIGN, 'GET');
      expect(pre.status, path).toBe(204);
      expect(allowOrigin(pre), path).toBe(FOREIGN);
    }
  });

  it('sends no CORS headers on the sign-in pages', async () => {
    const page = await fetch(`${product.baseUrl}/healthz`, { headers: { origin: FOREIGN } });
    expect(allowOrigin(page)).toBeNull();
  });
});
