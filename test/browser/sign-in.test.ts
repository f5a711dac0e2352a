/**
 * The pages in a real browser (Debian's Chromium through playwright-core): same-device and
 * cross-device sign-in (the desktop asks "Continue as …?" unless login_hint named the signer),
 * a replaced expired challenge, the phone page at 360 px, and no Content-Security-Policy
 * violation anywhere. Screenshots go to test-output/screenshots.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext } from 'playwright-core';
import { startProduct, TEST_CLIENT_SECRET, type RunningProduct } from '../support/product.js';
import { launchChromium, screenshot, watchedPage, type WatchedPage } from '../support/chromium.js';
import { KEYS, authorizationRequest, discover, sign } from '../support/wallet.js';
import { decodeQrOnPage } from '../support/qr.js';

describe('sign-in pages in Chromium', () => {
  let running: RunningProduct;
  let browser: Browser;
  let context: BrowserContext;
  let watched: WatchedPage;
  let rp: oidc.Configuration;
  let firstParty: oidc.Configuration;

  beforeAll(async () => {
    running = await startProduct({ store: 'redis' });
    rp = await discover(running.baseUrl);
    firstParty = await oidc.discovery(new URL(running.baseUrl), 'first', undefined, oidc.ClientSecretBasic(TEST_CLIENT_SECRET), {
      execute: [oidc.allowInsecureRequests],
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  const newPage = async (viewport = { width: 1280, height: 900 }) => {
    context = await browser.newContext({ viewport });
    watched = await watchedPage(context);
    return watched.page;
  };

  it('(a) same device: paste address and signature, consent, back at the relying party with a code', async () => {
    const page = await newPage();
    const request = await authorizationRequest(rp, running.redirectUri);
    await page.goto(request.url.href);
    await expect.poll(() => page.locator('#challenge').count()).toBe(1);
    await screenshot(page, 'login');
    const text = (await page.locator('#challenge').textContent())!.trim();
    await page.fill('#address', KEYS.compressed.address);
    await page.fill('#signature', sign(KEYS.compressed, text));
    await page.click('form.signature-form button[type=submit]');
    await page.waitForURL(/\/interaction\/[^/]+$/);
    await expect.poll(() => page.locator('text=Allow').count()).toBeGreaterThan(0);
    await screenshot(page, 'consent');
    const [response] = await Promise.all([
      page.waitForRequest((r) => r.url().startsWith(running.redirectUri)),
      page.click('button:has-text("Allow")'),
    ]);
    const callback = new URL(response.url());
    const tokens = await oidc.authorizationCodeGrant(rp, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.claims()?.sub).toBe(KEYS.compressed.address);
    expect(watched.violations).toEqual([]);
    await context.close();
  });

  it('(b) cross device: the phone signs over the wallet URL, the desktop asks to continue as the signing address and continues only after the click', async () => {
    const page = await newPage();
    const request = await authorizationRequest(firstParty, running.redirectUri);
    await page.goto(request.url.href);
    const href = await page.locator('.wallet-link a').getAttribute('href');
    expect(href).toMatch(/\/w\/[A-Za-z0-9_-]{32}$/);
    // The QR code holds the same URL and has a text alternative.
    expect(await page.locator('a.qr').getAttribute('aria-label')).toContain(href!);
    expect(await decodeQrOnPage(page)).toBe(href);

    const challenge = (await (await fetch(href!, { headers: { accept: 'application/json' } })).json()) as {
      text: string;
      submit: { url: string };
    };
    let reachedRelyingParty = false;
    page.on('request', (r) => {
      if (r.url().startsWith(running.redirectUri)) reachedRelyingParty = true;
    });
    const phone = await fetch(challenge.submit.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ address: KEYS.uncompressed.address, signature: sign(KEYS.uncompressed, challenge.text) }),
    });
    expect(phone.status).toBe(200);
    // Whoever saw the QR code could have signed it: the desktop names the address and waits.
    await expect
      .poll(() => page.locator('#confirm-title').textContent(), { timeout: 10_000 })
      .toBe(`Continue as ${KEYS.uncompressed.address}?`);
    await screenshot(page, 'login-continue-as');
    await page.waitForTimeout(1000);
    expect(reachedRelyingParty).toBe(false);
    expect(page.url()).toMatch(/\/interaction\/[^/]+\/continue$/);

    const [navigated] = await Promise.all([
      page.waitForRequest((r) => r.url().startsWith(running.redirectUri), { timeout: 10_000 }),
      page.click('#confirm-button'),
    ]);
    const callback = new URL(navigated.url());
    const tokens = await oidc.authorizationCodeGrant(firstParty, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.claims()?.sub).toBe(KEYS.uncompressed.address);
    expect(watched.violations).toEqual([]);
    await context.close();
  });

  it('(b2) cross device with login_hint naming the signing address: the desktop continues by itself', async () => {
    const page = await newPage();
    const request = await authorizationRequest(firstParty, running.redirectUri, 'openid', { login_hint: KEYS.uncompressed.address });
    await page.goto(request.url.href);
    const href = (await page.locator('.wallet-link a').getAttribute('href'))!;
    const challenge = (await (await fetch(href, { headers: { accept: 'application/json' } })).json()) as {
      text: string;
      submit: { url: string };
    };
    const navigated = page.waitForRequest((r) => r.url().startsWith(running.redirectUri), { timeout: 10_000 });
    const phone = await fetch(challenge.submit.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ address: KEYS.uncompressed.address, signature: sign(KEYS.uncompressed, challenge.text) }),
    });
    expect(phone.status).toBe(200);
    const callback = new URL((await navigated).url());
    const tokens = await oidc.authorizationCodeGrant(firstParty, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.claims()?.sub).toBe(KEYS.uncompressed.address);
    expect(await page.locator('#confirm-title').count()).toBe(0);
    expect(watched.violations).toEqual([]);
    await context.close();
  });

  it('(c) an expired challenge is replaced by a fresh one on request', async () => {
    const shortLived = await startProduct({ store: 'redis', env: { CHALLENGE_TTL: '3s' } });
    const shortRp = await discover(shortLived.baseUrl);
    const page = await newPage();
    const request = await authorizationRequest(shortRp, shortLived.redirectUri);
    await page.goto(request.url.href);
    const first = (await page.locator('#challenge').textContent())!.trim();
    // The page hears "expired" and shows the reason with a "new challenge" control.
    await expect.poll(() => page.locator('#error').textContent(), { timeout: 10_000 }).toMatch(/expired/i);
    expect(await page.locator('#challenge').count()).toBe(0);
    await screenshot(page, 'login-expired');
    await page.click('#new-challenge');
    await expect.poll(() => page.locator('#challenge').count()).toBe(1);
    const second = (await page.locator('#challenge').textContent())!.trim();
    expect(second).not.toBe(first);
    await page.fill('#address', KEYS.compressed.address);
    await page.fill('#signature', sign(KEYS.compressed, second));
    await page.click('form.signature-form button[type=submit]');
    await expect.poll(() => page.locator('text=Allow').count()).toBeGreaterThan(0);
    expect(watched.violations).toEqual([]);
    await context.close();
    await shortLived.stop();
  });

  it('(d) the phone page fits 360 px without horizontal scrolling, and says when it is signed', async () => {
    const desktop = await newPage();
    const request = await authorizationRequest(rp, running.redirectUri);
    await desktop.goto(request.url.href);
    const href = (await desktop.locator('.wallet-link a').getAttribute('href'))!;
    const desktopContext = context;
    const desktopViolations = watched.violations;

    const phone = await newPage({ width: 360, height: 740 });
    await phone.goto(href);
    await expect.poll(() => phone.locator('#challenge').count()).toBe(1);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await phone.locator('h1').textContent()).toContain('Test RP');
    await screenshot(phone, 'wallet-mobile');
    const text = (await phone.locator('#challenge').textContent())!.trim();
    await phone.fill('#address', KEYS.compressed.address);
    await phone.fill('#signature', sign(KEYS.compressed, text));
    await phone.click('form.signature-form button[type=submit]');
    await expect.poll(() => phone.locator('#result').textContent()).toMatch(/Signed — return to your computer/);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await screenshot(phone, 'wallet-mobile-signed');
    expect([...desktopViolations, ...watched.violations]).toEqual([]);
    await context.close();
    await desktopContext.close();
  });

  it('(e) no page breaks the Content-Security-Policy: error, logout and demo-free pages too', async () => {
    const page = await newPage();
    for (const path of [
      '/interaction/not-a-real-uid-000',
      '/w/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      '/session/end',
      '/auth?client_id=nobody&response_type=code&scope=openid',
      '/nothing-here',
    ]) {
      const response = await page.goto(`${running.baseUrl}${path}`);
      expect(response!.status(), path).toBeLessThan(500);
      expect(response!.headers()['content-security-policy'], path).toContain("script-src 'self'");
    }
    await screenshot(page, 'error');
    expect(watched.violations).toEqual([]);
    await context.close();
  });
});
