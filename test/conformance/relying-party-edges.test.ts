/**
 * Places where an OpenID provider is often stricter than relying parties in the wild, checked
 * over plain HTTP (docs/oidc-features.md, "Relying parties in the wild"): logout with an ID
 * token that has expired, logout with client_id instead of id_token_hint, and client secrets
 * with characters that client_secret_basic form-encodes (RFC 6749 §2.3.1).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { startProduct, defaultClients, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, signIn } from '../support/wallet.js';

/** A secret an operator might choose by hand: form encoding changes '+', '%', '&', ' ' and '/'. */
const SPECIAL_SECRET = 'a+b%2Fc&d e/f=g:h-0123456789-0123456789-0123456789';

describe('relying parties at the edges of the specifications', () => {
  let running: RunningProduct;
  let rp: oidc.Configuration;

  beforeAll(async () => {
    running = await startProduct({
      store: 'memory',
      // Short-lived ID tokens, so that one has expired by the time the person signs out.
      env: { ID_TOKEN_TTL: '1s' },
      clients: (redirectUri) => [
        ...defaultClients(redirectUri),
        {
          client_id: 'hand-made',
          client_secret: SPECIAL_SECRET,
          client_name: 'Hand-made secret',
          redirect_uris: [redirectUri],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
    });
    rp = await discover(running.baseUrl);
  });
  afterAll(async () => running?.stop());

  const loggedOut = () => running.redirectUri.replace('/cb', '/logged-out');

  /** Follows RP-initiated logout through its confirmation form; the final redirect. */
  const logout = async (browser: HttpBrowser, url: URL) => {
    const confirm = await browser.navigate(url.href);
    expect(confirm.status, confirm.body.slice(0, 300)).toBe(200);
    const action = /<form[^>]*action="([^"]+)"/.exec(confirm.body)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1]!;
    return browser.request(new URL(action, running.baseUrl).href, { form: { xsrf, logout: 'yes' } });
  };

  it('logout accepts an id_token_hint whose ID token has expired (RP-Initiated Logout 1.0 §2)', async () => {
    const browser = new HttpBrowser(running.baseUrl);
    const request = await authorizationRequest(rp, running.redirectUri, 'openid');
    const callback = await signIn(browser, request.url, KEYS.compressed, running.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(rp, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect(tokens.claims()!.exp! * 1000).toBeLessThan(Date.now());
    const done = await logout(
      browser,
      oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: loggedOut(), state: 's1' }),
    );
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${loggedOut()}?state=s1`);
  });

  it('logout with client_id and a registered post_logout_redirect_uri, without id_token_hint', async () => {
    const done = await logout(
      new HttpBrowser(running.baseUrl),
      oidc.buildEndSessionUrl(rp, { client_id: 'rp', post_logout_redirect_uri: loggedOut(), state: 's2' }),
    );
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${loggedOut()}?state=s2`);
  });

  it('logout with post_logout_redirect_uri but neither id_token_hint nor client_id signs out without redirecting there', async () => {
    // RP-Initiated Logout 1.0 §2: nothing says which client asks, so the URI cannot be checked.
    const url = new URL(`${running.baseUrl}/session/end`);
    url.searchParams.set('post_logout_redirect_uri', loggedOut());
    const done = await logout(new HttpBrowser(running.baseUrl), url);
    expect(done.headers.get('location') ?? '').not.toContain(loggedOut());
    expect([200, 303]).toContain(done.status);
  });

  it('client_secret_basic with a secret that form encoding changes: encoded as RFC 6749 §2.3.1 says, it authenticates', async () => {
    const basic = (secret: string) => `Basic ${Buffer.from(`hand-made:${secret}`).toString('base64')}`;
    const introspect = (authorization: string) =>
      fetch(`${running.baseUrl}/token/introspection`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'token=x',
      });
    // Form encoding: what RFC 6749 §2.3.1 prescribes (and what openid-client, Authlib do).
    const formEncoded = encodeURIComponent(SPECIAL_SECRET).replace(/%20/g, '+');
    expect((await introspect(basic(formEncoded))).status).toBe(200);
    // Sent raw, as some libraries do, the provider decodes it into another secret: refused.
    // docs/oidc-features.md says so; `clients add` generates secrets that encoding leaves alone.
    const raw = await introspect(basic(SPECIAL_SECRET));
    expect(raw.status).toBe(401);
    expect(((await raw.json()) as { error: string }).error).toBe('invalid_client');
  });
});
