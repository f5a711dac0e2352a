/**
 * The claims request parameter (OIDC Core §5.5) releases nothing the consent page did not show:
 * the page lists scopes, so a claim asked for outside the requested scopes is not released
 * (OIDC Core §5.5 allows leaving it out, without an error), for public and pairwise clients, in
 * the ID token and at userinfo alike; a claims request inside the scopes still works.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import type { RunningProduct } from '../support/product.js';
import { TEST_CLIENT_SECRET } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, finishToRelyingParty, openLogin, sign, signIn, submitSignature } from '../support/wallet.js';
import { type FakeEvrmoreNode, startFakeNode } from '../chain/support/fake-node.js';
import { chainClients, discoverClient, nodeEnv } from '../chain/support/chain-product.js';
import { startProduct } from '../support/product.js';

const person = KEYS.compressed;
const CHAIN_CLAIMS = { evrmore_assets: null, evrmore_tags: null, groups: null };

describe('claims asked through the claims parameter stay within the consented scopes', () => {
  let node: FakeEvrmoreNode;
  let running: RunningProduct;

  beforeAll(async () => {
    node = await startFakeNode();
    node.setAssets(person.address, { MYORG: 250, 'MYORG/ADMIN': 1 });
    node.setTags(person.address, ['#KYC']);
    running = await startProduct({
      store: 'memory',
      env: nodeEnv(node),
      clients: (redirectUri) => [
        ...chainClients(redirectUri),
        {
          client_id: 'pw',
          client_secret: TEST_CLIENT_SECRET,
          client_name: 'Pairwise RP',
          subject_type: 'pairwise',
          redirect_uris: [redirectUri],
          grant_types: ['authorization_code', 'refresh_token'],
        },
      ],
    });
  });
  afterAll(async () => {
    await running?.stop();
    await node?.stop();
  });

  for (const clientId of ['rp', 'pw']) {
    it(`releases no chain or address claim outside the scopes to ${clientId === 'pw' ? 'a pairwise' : 'a public'} client, in the ID token or at userinfo, and asks only for the scopes`, async () => {
      const config = clientId === 'rp' ? await discover(running.baseUrl) : await discoverClient(running.baseUrl, clientId);
      const everything = { ...CHAIN_CLAIMS, evrmore_address: null, evrmore_network: null, preferred_username: null, name: null };
      const request = await authorizationRequest(config, running.redirectUri, 'openid', {
        claims: JSON.stringify({ id_token: everything, userinfo: everything }),
      });
      const browser = new HttpBrowser(running.baseUrl);
      const login = await openLogin(browser, request.url);
      const posted = await submitSignature(browser, login, person.address, sign(person, login.text));
      const consent = await browser.navigate(new URL(posted.headers.get('location')!, running.baseUrl).href);
      // The page lists what will be shared: the account identifier only.
      expect([...consent.body.matchAll(/<li>([^<]*)/g)].map((m) => m[1]!.trim())).toEqual([
        clientId === 'pw'
          ? 'An account identifier for this application only (not your address)'
          : 'Your Evrmore address, as your account identifier',
      ]);
      const callback = await finishToRelyingParty(browser, consent, running.redirectUri);
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      const idToken = tokens.claims()!;
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub);
      for (const claims of [idToken, userinfo]) {
        for (const name of Object.keys(everything)) expect(claims).not.toHaveProperty(name);
      }
      if (clientId === 'pw') expect(idToken.sub).not.toBe(person.address);
      expect(Object.keys(userinfo)).toEqual(['sub']);
    });
  }

  it('still honours a claims request inside the scopes, and the token carries only what the scopes release', async () => {
    const config = await discoverClient(running.baseUrl, 'pw');
    const request = await authorizationRequest(config, running.redirectUri, 'openid evrmore_assets', {
      claims: JSON.stringify({ id_token: { evrmore_assets: { essential: true } }, userinfo: { evrmore_tags: null } }),
    });
    const callback = await signIn(new HttpBrowser(running.baseUrl), request.url, person, running.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    const claims = tokens.claims()!;
    expect(claims.evrmore_assets).toEqual({ MYORG: 250, 'MYORG/ADMIN': 1 });
    expect(claims.sub).not.toBe(person.address);
    for (const absent of ['groups', 'evrmore_address', 'preferred_username']) expect(claims).not.toHaveProperty(absent);
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo.evrmore_tags).toEqual(['#KYC']);
    expect(userinfo).not.toHaveProperty('groups');
    expect(userinfo).not.toHaveProperty('evrmore_address');
  });
});
