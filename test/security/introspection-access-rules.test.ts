/**
 * Introspection (RFC 7662) applies the client's access rules as refresh and userinfo do: a
 * token whose address no longer meets them (a required holding sold) is not active.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import type { RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, signIn } from '../support/wallet.js';
import { type FakeEvrmoreNode, startFakeNode } from '../chain/support/fake-node.js';
import { cacheExpiry, discoverClient, startChainProduct } from '../chain/support/chain-product.js';

const admin = KEYS.compressed;

describe('introspection and access rules', () => {
  let node: FakeEvrmoreNode;
  let running: RunningProduct;

  beforeAll(async () => {
    node = await startFakeNode();
    node.setAssets(admin.address, { MYORG: 250, 'MYORG/ADMIN': 1 });
    running = await startChainProduct('memory', node);
  });
  afterAll(async () => {
    await running?.stop();
    await node?.stop();
  });

  it('answers active: false for the tokens of an address that lost a required holding', async () => {
    const adminApp = await discoverClient(running.baseUrl, 'admin-app');
    const request = await authorizationRequest(adminApp, running.redirectUri, 'openid groups');
    const callback = await signIn(new HttpBrowser(running.baseUrl), request.url, admin, running.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(adminApp, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect((await oidc.tokenIntrospection(adminApp, tokens.access_token)).active).toBe(true);
    expect((await oidc.tokenIntrospection(adminApp, tokens.refresh_token!)).active).toBe(true);

    node.setAssets(admin.address, { MYORG: 250 });
    await cacheExpiry();
    expect(await oidc.tokenIntrospection(adminApp, tokens.access_token)).toEqual({ active: false });
    expect(await oidc.tokenIntrospection(adminApp, tokens.refresh_token!)).toEqual({ active: false });

    // Holding it again, the same tokens are active again: nothing was revoked, the rule decides.
    node.setAssets(admin.address, { MYORG: 250, 'MYORG/ADMIN': 1 });
    await cacheExpiry();
    expect((await oidc.tokenIntrospection(adminApp, tokens.access_token)).active).toBe(true);
  });
});
