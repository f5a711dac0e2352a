/**
 * Every page a person can meet, in Chromium, light and dark, 1280 and 360 wide, saved to
 * test-output/screenshots for review: the landing page, the demo, sign-in, the phone's wallet
 * page, consent, the demo signed in, sign-out and its confirmation, the account page, the device
 * code page and error pages. None scrolls sideways at 360 px or breaks the Content-Security-Policy.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startProduct, type RunningProduct } from '../support/product.js';
import { launchChromium, screenshotEveryWay, watchedPage, type WatchedPage } from '../support/chromium.js';

describe('every page, light and dark, 1280 and 360 wide', () => {
  let running: RunningProduct;
  let browser: Browser;
  let context: BrowserContext;
  let watched: WatchedPage;
  let page: Page;
  const overflows: Record<string, number> = {};

  const capture = async (name: string) => {
    overflows[name] = await screenshotEveryWay(page, name);
  };
  /** Clicks each selector in turn, waits for `arrived` on the page it leads to, and captures it. */
  const clickThrough = async (clicks: string[], arrived: string, name: string) => {
    for (const selector of clicks) await page.click(selector);
    await page.locator(arrived).waitFor();
    await capture(name);
  };
  const TEST_WALLET_SIGN_IN = ['#test-wallet', 'form.signature-form button[type=submit]'];

  beforeAll(async () => {
    running = await startProduct({ store: 'memory', env: { DEMO: 'true' } });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    watched = await watchedPage(context);
    page = watched.page;
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await running?.stop();
  });

  it('the landing page says what this is and links the demo, the account page, discovery and the guides', async () => {
    const response = await page.goto(`${running.baseUrl}/`);
    expect(response!.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Evrmore Accounts');
    expect(await page.locator('#home-demo').getAttribute('href')).toBe('/demo');
    expect(await page.locator('#home-account').getAttribute('href')).toBe('/account');
    expect(await page.locator('#home-discovery').getAttribute('href')).toBe(`${running.baseUrl}/.well-known/openid-configuration`);
    expect(await page.locator('#home-issuer').textContent()).toBe(running.baseUrl);
    await capture('home');
    // Every link on it leads somewhere (no 404), the guides as readable text.
    const hrefs = await page.locator('main a').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
    expect(hrefs.some((href) => href.endsWith('/docs/wallet-protocol.md'))).toBe(true);
    for (const href of hrefs) {
      const linked = await fetch(href, { redirect: 'manual' });
      expect(linked.status, href).toBeLessThan(400);
      if (href.includes('/docs/')) expect(linked.headers.get('content-type'), href).toBe('text/plain; charset=utf-8');
    }
    const favicon = await fetch(`${running.baseUrl}/favicon.ico`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get('content-type')).toBe('image/svg+xml');
  });

  it('the demo, sign-in, wallet page, consent, the demo signed in, sign-out and signed out', { timeout: 120_000 }, async () => {
    await page.goto(`${running.baseUrl}/demo`);
    await capture('demo');
    await page.click('#demo-login');
    await page.locator('#challenge').waitFor();
    await capture('login');
    const walletUrl = (await page.locator('.wallet-link a').getAttribute('href'))!;
    const loginUrl = page.url();
    await page.goto(walletUrl);
    await capture('wallet');
    await page.goto(loginUrl);
    await clickThrough(TEST_WALLET_SIGN_IN, 'button:has-text("Allow")', 'consent');
    await clickThrough(['button:has-text("Allow")'], '#signed-in-as', 'demo-signed-in');
    await clickThrough(['#demo-logout'], 'button[name=logout]', 'logout');
    expect(await page.locator('main').textContent()).toMatch(/Signed in as\s+E\w{33}/);
    await page.click('button[name=logout]');
    await page.waitForURL(/\/demo/);
    // The sign-out is confirmed where the person lands.
    expect(await page.locator('#notice').textContent()).toBe('You are signed out of the demo and of this provider.');
    await capture('demo-signed-out');
  });

  it('the account page, signed in with the test wallet', { timeout: 60_000 }, async () => {
    await page.goto(`${running.baseUrl}/account`);
    // The account page is not an application "wanting" something.
    expect(await page.locator('.lead').textContent()).toMatch(/^Sign in to see your account/);
    await clickThrough(TEST_WALLET_SIGN_IN, '#account-address', 'account');
    await clickThrough(['#account-signout'], '#message', 'account-signed-out');
  });

  it('the device code page and error pages', { timeout: 60_000 }, async () => {
    await page.goto(`${running.baseUrl}/device`);
    await capture('device');
    await page.goto(`${running.baseUrl}/nothing-here`);
    await capture('error-not-found');
    await page.goto(`${running.baseUrl}/auth?client_id=nobody&response_type=code&scope=openid`);
    const text = (await page.locator('main').textContent())!;
    expect(text).toContain('The application that sent you here is not registered with this provider.');
    expect(text).not.toContain('(client is invalid)');
    await capture('error-client');
    await page.goto(`${running.baseUrl}/interaction/not-a-real-uid-000`);
    // "Go back ... and start again" once, not twice.
    expect((await page.locator('main').textContent())!.match(/start (the sign-in )?again/gi)).toHaveLength(1);
    await capture('error-session');
  });

  it('no footer claims every page is a sign-in', async () => {
    await page.goto(`${running.baseUrl}/nothing-here`);
    expect(await page.locator('footer').textContent()).not.toContain('Sign in with your Evrmore wallet');
    expect(await page.locator('footer a').getAttribute('href')).toBe('/');
  });

  it('nothing scrolls sideways at 360 px, and no page breaks the Content-Security-Policy', () => {
    expect(Object.entries(overflows).filter(([, overflow]) => overflow > 0)).toEqual([]);
    expect(watched.violations).toEqual([]);
  });
});
