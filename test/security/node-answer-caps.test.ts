/**
 * Anyone can send assets to any address, so a stranger can grow what the node says about a
 * person: the node's answer is read up to a cap (a longer one counts as a bad answer, not as
 * memory), and a token carries at most release.maxAssets assets (100 by default), the same ones
 * the consent page lists.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { EvrmoreRpc, NodeUnavailableError } from '../../src/chain/rpc.js';
import type { RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, finishToRelyingParty, openLogin, sign, submitSignature } from '../support/wallet.js';
import { type FakeEvrmoreNode, startFakeNode } from '../chain/support/fake-node.js';
import { startChainProduct } from '../chain/support/chain-product.js';

const person = KEYS.compressed;
const SPAM = 20_000;

describe('bounded node answers and released assets', () => {
  let node: FakeEvrmoreNode;
  let running: RunningProduct;

  beforeAll(async () => {
    node = await startFakeNode();
    const assets: Record<string, number> = { MYORG: 250 };
    for (let i = 0; i < SPAM; i += 1) assets[`MYORG/SPAM${String(i).padStart(5, '0')}`] = 1;
    node.setAssets(person.address, assets);
    running = await startChainProduct('memory', node);
  });
  afterAll(async () => {
    await running?.stop();
    await node?.stop();
  });

  it('refuses to read a node answer longer than the cap', async () => {
    const [user, password] = node.credentials.split(':') as [string, string];
    const rpc = new EvrmoreRpc({ url: new URL(node.url), auth: { user, password }, timeoutMs: 5000, maxAnswerBytes: 64 * 1024 });
    const refused = await rpc.listAssetBalancesByAddress(person.address).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(NodeUnavailableError);
    expect((refused as NodeUnavailableError).message).toMatch(/the answer is longer than 65536 bytes, so it was not read/);
    const whole = new EvrmoreRpc({ url: new URL(node.url), auth: { user, password }, timeoutMs: 5000 });
    expect(Object.keys(await whole.listAssetBalancesByAddress(person.address))).toHaveLength(SPAM + 1);
  });

  it('releases at most 100 assets in the ID token and at userinfo, the same ones the consent page lists', async () => {
    const rp = await discover(running.baseUrl);
    const request = await authorizationRequest(rp, running.redirectUri, 'openid evrmore_assets');
    const browser = new HttpBrowser(running.baseUrl);
    const login = await openLogin(browser, request.url);
    const posted = await submitSignature(browser, login, person.address, sign(person, login.text));
    const consent = await browser.navigate(new URL(posted.headers.get('location')!, running.baseUrl).href);
    const listed = /Assets: ([^<]*)/
      .exec(consent.body)![1]!
      .split(', ')
      .map((entry) => entry.split(' ')[0]);
    expect(listed).toHaveLength(100);
    const callback = await finishToRelyingParty(browser, consent, running.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(rp, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    const released = tokens.claims()!.evrmore_assets as Record<string, number>;
    expect(Object.keys(released)).toEqual(listed);
    expect(Object.keys(released)[0]).toBe('MYORG');
    expect(tokens.id_token!.length).toBeLessThan(10_000);
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, person.address);
    expect(Object.keys(userinfo.evrmore_assets as object)).toEqual(listed);
  });
});
