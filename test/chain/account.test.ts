/**
 * The account page over HTTP: it signs in through its own first-party client with a fresh
 * signature, lists the applications an address allowed and its last sign-ins, revokes an
 * application's grant (its tokens stop working; a first-party app gets a new grant without a
 * consent screen), and refuses forged or foreign requests. Without a node it says so.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { startProduct, TEST_CLIENT_SECRET, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText, inputValue, type Page } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, readLoginPage, sign, signIn, submitSignature, type TestKey } from '../support/wallet.js';
import { type FakeEvrmoreNode, startFakeNode } from './support/fake-node.js';
import { startChainProduct } from './support/chain-product.js';

const holder = KEYS.compressed;
const other = KEYS.uncompressed;

/** Opens /account in `browser` and signs in with `key`; returns the account page. */
async function accountSignIn(browser: HttpBrowser, key: TestKey): Promise<Page> {
  const login = readLoginPage(await browser.navigate('/account'));
  const posted = await submitSignature(browser, login, key.address, sign(key, login.text));
  return browser.navigate(new URL(posted.headers.get('location')!, browser.origin).href);
}

const grantItems = (html: string) => [...html.matchAll(/<li class="grant" data-client-id="([^"]+)"/g)].map((m) => m[1]);

describe('account page', () => {
  let node: FakeEvrmoreNode;
  let running: RunningProduct;
  let rp: oidc.Configuration;
  let first: oidc.Configuration;

  beforeAll(async () => {
    node = await startFakeNode();
    node.setAssets(holder.address, { MYORG: 250, 'MYORG/ADMIN': 1, PRIVATE: 5 });
    node.setTags(holder.address, ['#KYC']);
    running = await startChainProduct('redis', node);
    rp = await discover(running.baseUrl);
    first = await oidc.discovery(new URL(running.baseUrl), 'first', undefined, oidc.ClientSecretBasic(TEST_CLIENT_SECRET), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  afterAll(async () => {
    await running?.stop();
    await node?.stop();
  });

  const tokensFor = async (config: oidc.Configuration, key: TestKey, scope = 'openid') => {
    const request = await authorizationRequest(config, running.redirectUri, scope);
    const callback = await signIn(new HttpBrowser(running.baseUrl), request.url, key, running.redirectUri);
    return oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
  };

  it('asks for a fresh signature, then shows the address, the allowed applications, sign-ins and chain data', async () => {
    await tokensFor(rp, holder, 'openid evrmore');
    await tokensFor(first, holder);
    const browser = new HttpBrowser(running.baseUrl);
    // Even a browser signed in at the provider signs again for the account page (prompt=login).
    await signIn(browser, (await authorizationRequest(rp, running.redirectUri)).url, holder, running.redirectUri);
    const page = await accountSignIn(browser, holder);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${running.baseUrl}/account`);
    expect(elementText(page.body, 'account-address')).toBe(holder.address);
    expect(elementText(page.body, 'account-network')).toBe('mainnet');
    expect(grantItems(page.body).sort()).toEqual(['first', 'rp']);
    expect(page.body).toContain('Your Evrmore address and network');
    // The sign-ins: applications, time and IP; the account page's own sign-in is one of them.
    const signIns = /<ul class="account-list" id="signins">([\s\S]*?)<\/ul>/.exec(page.body)![1]!;
    expect(signIns).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC · Your account page · from 127\.0\.0\.1/);
    expect(signIns).toContain('Test RP');
    expect(signIns).toContain('First party app');
    // What the chain says, with the unreleased part of the portfolio only counted.
    expect(page.body).toMatch(/id="groups">\s*<li>myorg-admins<\/li>\s*<li>members<\/li>\s*<li>kyc<\/li>/);
    expect(page.body).toMatch(/id="tags">\s*<li>#KYC<\/li>/);
    expect(page.body).toContain('MYORG/ADMIN: 1');
    expect(page.body).not.toContain('PRIVATE');
    expect(elementText(page.body, 'unreleased')).toBe('1 other assets of this address are never shared with applications.');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const cookie = [...browser.cookies.values()].find((c) => c.name === 'evr_account')!;
    expect(cookie.path).toBe('/account');
  });

  it('revokes an application: its tokens become inactive, and it must ask again', async () => {
    const tokens = await tokensFor(rp, holder, 'openid evrmore');
    expect((await oidc.tokenIntrospection(rp, tokens.access_token)).active).toBe(true);
    const browser = new HttpBrowser(running.baseUrl);
    const page = await accountSignIn(browser, holder);
    const csrf = inputValue(page.body, 'csrf')!;
    const done = await browser.request('/account/revoke', { form: { client_id: 'rp', csrf } });
    expect(done.status).toBe(303);
    const after = await browser.navigate(done.headers.get('location')!);
    expect(elementText(after.body, 'notice')).toMatch(/^Test RP no longer has access/);
    expect(grantItems(after.body)).not.toContain('rp');
    expect((await oidc.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
    expect((await oidc.tokenIntrospection(rp, tokens.refresh_token!)).active).toBe(false);
    await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(running.logs.some((l) => l.event === 'account.grant_revoked' && l.client_id === 'rp' && l.address === holder.address)).toBe(
      true,
    );
  });

  it('gives a revoked first-party application a new grant, not a consent screen', async () => {
    const browser = new HttpBrowser(running.baseUrl);
    await signIn(browser, (await authorizationRequest(first, running.redirectUri)).url, holder, running.redirectUri);
    const account = await accountSignIn(browser, holder);
    await browser.request('/account/revoke', { form: { client_id: 'first', csrf: inputValue(account.body, 'csrf')! } });
    // Same browser, same provider session that still names the revoked grant.
    const request = await authorizationRequest(first, running.redirectUri);
    const landed = await browser.navigate(request.url.href, {}, running.redirectUri);
    expect(landed.url.startsWith(running.redirectUri)).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(first, new URL(landed.url), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.claims()?.sub).toBe(holder.address);
  });

  it('refuses a forged form, a foreign application, and a signed-out visitor', async () => {
    await tokensFor(rp, other, 'openid');
    const browser = new HttpBrowser(running.baseUrl);
    const page = await accountSignIn(browser, holder);
    const csrf = inputValue(page.body, 'csrf')!;
    expect((await browser.request('/account/revoke', { form: { client_id: 'rp', csrf: 'x'.repeat(csrf.length) } })).status).toBe(403);
    expect((await browser.request('/account/revoke', { form: { client_id: 'rp', csrf, extra: '1' } })).status).toBe(400);
    // `other` allowed rp, `holder` (signed in here) holds no grant for it any more: nothing to revoke.
    const foreign = await browser.request('/account/revoke', { form: { client_id: 'rp', csrf } });
    expect(foreign.status).toBe(404);
    const otherBrowser = new HttpBrowser(running.baseUrl);
    const otherPage = await accountSignIn(otherBrowser, other);
    expect(grantItems(otherPage.body)).toEqual(['rp']);

    const stranger = new HttpBrowser(running.baseUrl);
    expect((await stranger.request('/account/revoke', { form: { client_id: 'rp', csrf } })).status).toBe(401);
    const start = await stranger.request('/account');
    expect(start.status).toBe(302);
    expect(start.headers.get('location')).toBe('/account/login');
    const logout = await browser.request('/account/logout', { form: { csrf } });
    expect(elementText(logout.body, 'message')).toBe('You are signed out of your account page.');
    expect((await browser.request('/account')).status).toBe(302);
  });

  it('without a node says that no chain data is shared; with ACCOUNT_PAGE=false there is no page', async () => {
    const plain = await startProduct({ store: 'memory' });
    try {
      const page = await accountSignIn(new HttpBrowser(plain.baseUrl), holder);
      expect(elementText(page.body, 'chain-off')).toMatch(/not connected to an Evrmore node/);
      expect(elementText(page.body, 'no-apps')).toBe('No application holds access to this address.');
    } finally {
      await plain.stop();
    }
    const off = await startProduct({ store: 'memory', env: { ACCOUNT_PAGE: 'false' } });
    try {
      expect((await fetch(`${off.baseUrl}/account`, { redirect: 'manual' })).status).toBe(404);
    } finally {
      await off.stop();
    }
  });
});
