/**
 * The account page in a real browser (Debian's Chromium): sign in with the wallet form, see the
 * applications this address allowed, revoke one with its button, and the relying party's
 * tokens are inactive at introspection. No Content-Security-Policy violation on the way.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import type { RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { launchChromium, screenshot, watchedPage } from '../support/chromium.js';
import { KEYS, authorizationRequest, discover, sign, signIn } from '../support/wallet.js';
import { type FakeEvrmoreNode, startFakeNode } from './support/fake-node.js';
import { startChainProduct } from './support/chain-product.js';

const holder = KEYS.compressed;

describe('account page in Chromium', () => {
  let node: FakeEvrmoreNode;
  let running: RunningProduct;
  let browser: Browser;

  beforeAll(async () => {
    node = await startFakeNode();
    node.setAssets(holder.address, { MYORG: 250, 'MYORG/ADMIN': 1 });
    node.setTags(holder.address, ['#KYC']);
    running = await startChainProduct('redis', node);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await node?.stop();
  });

  it("lists the granted applications, and a revoke makes the relying party's token inactive", async () => {
    // The relying party signs the address in (consent given) and holds tokens.
    const rp = await discover(running.baseUrl);
    const request = await authorizationRequest(rp, running.redirectUri, 'openid evrmore groups');
    const callback = await signIn(new HttpBrowser(running.baseUrl), request.url, holder, running.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(rp, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect((await oidc.tokenIntrospection(rp, tokens.access_token)).active).toBe(true);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, violations } = await watchedPage(context);
    await page.goto(`${running.baseUrl}/account`);
    // A loaded machine (the suite runs files in parallel) can take a while to render.
    await page.waitForSelector('#challenge', { timeout: 20_000 });
    expect(await page.locator('.client-name').first().textContent()).toContain('Your account page');
    const text = (await page.locator('#challenge').textContent())!.trim();
    await page.fill('#address', holder.address);
    await page.fill('#signature', sign(holder, text));
    await page.click('form.signature-form button[type=submit]');
    await page.waitForURL(`${running.baseUrl}/account`, { timeout: 20_000 });

    expect(await page.locator('#account-address').textContent()).toBe(holder.address);
    const grant = page.locator('li.grant[data-client-id="rp"]');
    expect(await grant.count()).toBe(1);
    expect(await grant.locator('.client-name').textContent()).toBe('Test RP');
    expect(await grant.locator('.scopes').textContent()).toContain('Your groups, worked out from what your address holds');
    expect(await page.locator('#signins').textContent()).toContain('Test RP');
    expect(await page.locator('#groups').textContent()).toContain('myorg-admins');
    await screenshot(page, 'account');

    await grant.locator('button[type=submit]').click();
    await page.waitForURL(/\/account\?revoked=rp$/, { timeout: 20_000 });
    expect(await page.locator('#notice').textContent()).toMatch(/^Test RP no longer has access/);
    expect(await page.locator('li.grant[data-client-id="rp"]').count()).toBe(0);
    await screenshot(page, 'account-revoked');

    expect((await oidc.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
    expect((await oidc.tokenIntrospection(rp, tokens.refresh_token!)).active).toBe(false);

    await page.click('#account-signout');
    await page.waitForSelector('#message', { timeout: 20_000 });
    expect(await page.locator('#message').textContent()).toBe('You are signed out of your account page.');
    expect(violations).toEqual([]);
    await context.close();
  }, 60_000);
});
