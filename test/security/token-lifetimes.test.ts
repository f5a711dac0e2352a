/**
 * How long tokens outlive a revoke: a JWT access token for an API lives as long as that API
 * says (RESOURCE_SERVERS_FILE accessTokenTtl), and only JWT_ACCESS_TOKEN_TTL (5 minutes) when
 * it says nothing, since nothing can recall one; the account page says so after a revoke, and
 * announces only a revoke that this browser made (not any text put in its link).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText, inputValue, type Page } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, readLoginPage, sign, signIn, submitSignature } from '../support/wallet.js';

const SHORT_API = 'https://short.api.example/';
const DEFAULT_API = 'https://default.api.example/';
const person = KEYS.compressed;

async function accountSignIn(browser: HttpBrowser): Promise<Page> {
  const login = readLoginPage(await browser.navigate('/account'));
  const posted = await submitSignature(browser, login, person.address, sign(person, login.text));
  return browser.navigate(new URL(posted.headers.get('location')!, browser.origin).href);
}

describe('token lifetimes and what the account page says about them', () => {
  let running: RunningProduct;
  let rp: oidc.Configuration;

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'evr-apis-')), 'resources.json');
    writeFileSync(
      file,
      JSON.stringify([
        { resource: SHORT_API, scopes: ['short:read'], accessTokenTtl: 600 },
        { resource: DEFAULT_API, scopes: ['default:read'] },
      ]),
    );
    running = await startProduct({ store: 'memory', env: { RESOURCE_SERVERS_FILE: file } });
    rp = await discover(running.baseUrl);
  });
  afterAll(async () => {
    await running?.stop();
  });

  const tokensFor = async (scope: string, resource?: string) => {
    const request = await authorizationRequest(rp, running.redirectUri, scope, resource ? { resource } : {});
    const callback = await signIn(new HttpBrowser(running.baseUrl), request.url, person, running.redirectUri);
    return oidc.authorizationCodeGrant(
      rp,
      callback,
      { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce },
      resource ? { resource } : {},
    );
  };

  it('gives a JWT access token the lifetime its API asks for', async () => {
    const tokens = await tokensFor('openid short:read', SHORT_API);
    const jwt = decodeJwt(tokens.access_token);
    expect(jwt.aud).toBe(SHORT_API);
    expect(jwt.exp! - jwt.iat!).toBe(600);
    expect(tokens.expires_in).toBeGreaterThan(590);
    expect(tokens.expires_in).toBeLessThanOrEqual(600);
  });

  it('keeps JWT access tokens short when the API says nothing, and opaque userinfo tokens at ACCESS_TOKEN_TTL', async () => {
    const jwt = decodeJwt((await tokensFor('openid default:read', DEFAULT_API)).access_token);
    expect(jwt.exp! - jwt.iat!).toBe(300);
    const opaque = await tokensFor('openid');
    expect(opaque.access_token.split('.')).toHaveLength(1);
    expect(opaque.expires_in).toBeGreaterThan(3590);
  });

  it('says after a revoke how long an API may still accept a token it cannot recall', async () => {
    await tokensFor('openid');
    const browser = new HttpBrowser(running.baseUrl);
    const page = await accountSignIn(browser);
    const done = await browser.request('/account/revoke', { form: { client_id: 'rp', csrf: inputValue(page.body, 'csrf')! } });
    expect(done.status).toBe(303);
    const after = await browser.navigate(done.headers.get('location')!);
    expect(elementText(after.body, 'notice')).toBe(
      'Test RP no longer has access: it can no longer refresh its tokens or read your details here, and it will ask you again next time. ' +
        'An access token it already holds for an API cannot be recalled: it works there until it expires, at most 10 minutes from now.',
    );
  });

  it('announces no revoke that this browser did not make, whatever the link says', async () => {
    const browser = new HttpBrowser(running.baseUrl);
    await accountSignIn(browser);
    for (const text of ['Your bank', 'spa', 'rp', '<b>x</b>']) {
      const page = await browser.navigate(`/account?revoked=${encodeURIComponent(text)}`);
      expect(page.status).toBe(200);
      expect(elementText(page.body, 'notice')).toBeUndefined();
      expect(page.body).not.toContain('no longer has access');
    }
  });
});
