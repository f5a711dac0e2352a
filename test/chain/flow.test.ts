/**
 * Chain claims and access rules end to end, over real HTTP, with openid-client as the relying
 * party, the public test keys of test/evrmore/vectors.ts as wallets and a fake Evrmore node whose holdings the test
 * sets: groups, evrmore_assets and evrmore_tags in the ID token and at userinfo; a change on
 * chain visible after refresh; a client's access rule refusing (access_denied, never a code,
 * also for a browser already signed in) and admitting; a token of a client whose rule is no
 * longer met refused at refresh and userinfo.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText, formAction } from '../support/browser.js';
import {
  KEYS,
  authorizationRequest,
  discover,
  finishToRelyingParty,
  openLogin,
  sign,
  signIn,
  submitSignature,
  type TestKey,
} from '../support/wallet.js';
import { type FakeEvrmoreNode, startFakeNode } from './support/fake-node.js';
import { cacheExpiry, discoverClient, startChainProduct } from './support/chain-product.js';

const admin = KEYS.compressed;
const outsider = KEYS.uncompressed;
const CHAIN_SCOPE = 'openid evrmore evrmore_assets groups';

for (const store of ['redis', 'memory'] as const) {
  describe(`chain claims and access rules (${store} store)`, () => {
    let node: FakeEvrmoreNode;
    let running: RunningProduct;
    let rp: oidc.Configuration;

    beforeAll(async () => {
      node = await startFakeNode();
      node.setAssets(admin.address, { MYORG: 250, 'MYORG/ADMIN': 1, PRIVATE: 5 });
      node.setUnits('MYORG/ADMIN', 0);
      node.setTags(admin.address, ['#KYC']);
      running = await startChainProduct(store, node);
      rp = await discover(running.baseUrl);
    });
    afterAll(async () => {
      await running?.stop();
      await node?.stop();
    });

    /** Signs in to `config` with `key`, accepting consent, and exchanges the code. */
    const tokensFor = async (config: oidc.Configuration, key: TestKey, scope = CHAIN_SCOPE, browser = new HttpBrowser(running.baseUrl)) => {
      const request = await authorizationRequest(config, running.redirectUri, scope);
      const callback = await signIn(browser, request.url, key, running.redirectUri);
      return oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
    };

    it('says at start that the node is connected, and offers the chain scopes and claims', async () => {
      expect(running.logs.find((l) => l.event === 'chain.node')).toMatchObject({
        level: 30,
        chain: 'main',
        groups: ['myorg-admins', 'members', 'kyc'],
      });
      const metadata = rp.serverMetadata();
      expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['evrmore_assets', 'groups']));
      expect(metadata.claims_supported).toEqual(expect.arrayContaining(['evrmore_assets', 'evrmore_tags', 'groups']));
      expect((await fetch(`${running.baseUrl}/readyz`)).status).toBe(200);
    });

    it('names what will be shared on the consent page, then carries it in the ID token and at userinfo', async () => {
      const request = await authorizationRequest(rp, running.redirectUri, CHAIN_SCOPE);
      const browser = new HttpBrowser(running.baseUrl);
      const login = await openLogin(browser, request.url);
      const posted = await submitSignature(browser, login, admin.address, sign(admin, login.text));
      const consent = await browser.navigate(new URL(posted.headers.get('location')!, running.baseUrl).href);
      expect(consent.body).toContain('Your Evrmore asset balances and qualifier tags');
      expect(elementText(consent.body, 'consent-assets')).toBeDefined();
      expect(consent.body).toContain('Assets: MYORG 250, MYORG/ADMIN 1');
      expect(consent.body).toContain('Tags: #KYC');
      expect(consent.body).toContain('Groups: myorg-admins, members, kyc');
      // The operator's release list keeps the rest of the portfolio private, here too.
      expect(consent.body).not.toContain('PRIVATE');

      const callback = await finishToRelyingParty(browser, consent, running.redirectUri);
      const tokens = await oidc.authorizationCodeGrant(rp, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      const jwks = createRemoteJWKSet(new URL(rp.serverMetadata().jwks_uri!));
      const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: running.baseUrl, audience: 'rp' });
      const expected = {
        sub: admin.address,
        evrmore_address: admin.address,
        groups: ['myorg-admins', 'members', 'kyc'],
        evrmore_assets: { MYORG: 250, 'MYORG/ADMIN': 1 },
        evrmore_tags: ['#KYC'],
      };
      expect(payload).toMatchObject(expected);
      expect(payload.evrmore_assets).not.toHaveProperty('PRIVATE');
      expect(await oidc.fetchUserInfo(rp, tokens.access_token, admin.address)).toMatchObject(expected);
    });

    it('releases nothing of the chain without the scopes, and does not even ask the node', async () => {
      const before = node.calls.length;
      const tokens = await tokensFor(rp, admin, 'openid evrmore');
      const claims = tokens.claims()!;
      expect(claims).not.toHaveProperty('groups');
      expect(claims).not.toHaveProperty('evrmore_assets');
      expect(await oidc.fetchUserInfo(rp, tokens.access_token, admin.address)).not.toHaveProperty('evrmore_tags');
      expect(node.calls.length).toBe(before);
    });

    it('reflects a change of holdings after refresh and at userinfo', async () => {
      const tokens = await tokensFor(rp, admin);
      expect(tokens.claims()!.groups).toEqual(['myorg-admins', 'members', 'kyc']);
      node.setAssets(admin.address, { MYORG: 50 });
      node.setTags(admin.address, ['#KYC', '#MEMBER']);
      try {
        await cacheExpiry();
        const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
        expect(refreshed.claims()).toMatchObject({
          groups: ['members', 'kyc'],
          evrmore_assets: { MYORG: 50 },
          evrmore_tags: ['#KYC', '#MEMBER'],
        });
        node.setTags(admin.address, []);
        await cacheExpiry();
        expect(await oidc.fetchUserInfo(rp, refreshed.access_token, admin.address)).toMatchObject({ groups: [], evrmore_tags: [] });
      } finally {
        node.setAssets(admin.address, { MYORG: 250, 'MYORG/ADMIN': 1, PRIVATE: 5 });
        node.setTags(admin.address, ['#KYC']);
        await cacheExpiry();
      }
    });

    it('refuses an address without the required asset with a clear page, and the relying party gets access_denied', async () => {
      const adminApp = await discoverClient(running.baseUrl, 'admin-app');
      const request = await authorizationRequest(adminApp, running.redirectUri, 'openid');
      const browser = new HttpBrowser(running.baseUrl);
      const login = await openLogin(browser, request.url);
      const denied = await submitSignature(browser, login, outsider.address, sign(outsider, login.text));
      expect(denied.status).toBe(403);
      expect(elementText(denied.body, 'error')).toBe(
        `This application requires holding MYORG/ADMIN. The address ${outsider.address} does not meet this.`,
      );
      const abort = formAction(denied.body, '/abort')!;
      const back = await browser.request(abort, { form: { reason: 'access_rule' } });
      const landed = await browser.navigate(new URL(back.headers.get('location')!, running.baseUrl).href, {}, running.redirectUri);
      const callback = new URL(landed.url);
      expect(callback.searchParams.get('error')).toBe('access_denied');
      expect(callback.searchParams.get('code')).toBeNull();
      expect(
        running.logs.some((l) => l.event === 'chain.access_denied' && l.client_id === 'admin-app' && l.address === outsider.address),
      ).toBe(true);

      // A tag rule refuses the same way, naming the tag.
      const kycApp = await discoverClient(running.baseUrl, 'kyc-app');
      const kycBrowser = new HttpBrowser(running.baseUrl);
      const kycLogin = await openLogin(kycBrowser, (await authorizationRequest(kycApp, running.redirectUri, 'openid')).url);
      const kycDenied = await submitSignature(kycBrowser, kycLogin, outsider.address, sign(outsider, kycLogin.text));
      expect(elementText(kycDenied.body, 'error')).toMatch(/^This application requires the qualifier tag #KYC on your address\./);
    });

    it('admits an address with the required asset', async () => {
      const adminApp = await discoverClient(running.baseUrl, 'admin-app');
      const tokens = await tokensFor(adminApp, admin, 'openid groups');
      expect(tokens.claims()).toMatchObject({ sub: admin.address, groups: ['myorg-admins', 'members', 'kyc'] });
      const kycApp = await discoverClient(running.baseUrl, 'kyc-app');
      expect((await tokensFor(kycApp, admin, 'openid')).claims()?.sub).toBe(admin.address);
    });

    it('does not let a browser already signed in for another application past the rule', async () => {
      const browser = new HttpBrowser(running.baseUrl);
      await tokensFor(rp, outsider, 'openid', browser);
      const adminApp = await discoverClient(running.baseUrl, 'admin-app');
      const request = await authorizationRequest(adminApp, running.redirectUri, 'openid');
      // The session exists, yet the sign-in page is shown instead of a code being issued.
      const page = await browser.navigate(request.url.href, {}, running.redirectUri);
      expect(page.url.startsWith(running.redirectUri)).toBe(false);
      expect(page.body).toContain('id="challenge"');
      // A silent request is answered without a code too.
      const silent = await authorizationRequest(adminApp, running.redirectUri, 'openid', { prompt: 'none' });
      const answer = await browser.navigate(silent.url.href, {}, running.redirectUri);
      expect(new URL(answer.url).searchParams.get('error')).toBe('login_required');
    });

    it("stops refreshing and answering userinfo for an address that no longer meets its client's rule", async () => {
      const adminApp = await discoverClient(running.baseUrl, 'admin-app');
      const tokens = await tokensFor(adminApp, admin, 'openid groups');
      node.setAssets(admin.address, { MYORG: 250 });
      try {
        await cacheExpiry();
        await expect(oidc.refreshTokenGrant(adminApp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
        await expect(oidc.fetchUserInfo(adminApp, tokens.access_token, admin.address)).rejects.toBeTruthy();
      } finally {
        node.setAssets(admin.address, { MYORG: 250, 'MYORG/ADMIN': 1, PRIVATE: 5 });
        await cacheExpiry();
      }
    });
  });
}
