/**
 * One click with an Evrmore browser wallet (docs/wallet-protocol.md, "Browser wallets") in
 * Chromium, with a stand-in for Satori GO's `window.evrmore` that signs with a test key as the
 * wallet does: from /demo to the claims, a declined request, a wallet on the wrong network,
 * another address than login_hint, a wallet that signs another text, a provider that appears
 * late, a wallet that never answers, no wallet at all, and the phone page on a desktop.
 * Screenshots (light and dark, 1280 wide) go to test-output/screenshots.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startProduct, type RunningProduct } from '../support/product.js';
import { launchChromium, screenshot, watchedPage } from '../support/chromium.js';
import { KEYS, authorizationRequest, discover, sign, type TestKey } from '../support/wallet.js';
import { installStandInWallet, standInWallet, type StandInOptions, type StandInWallet } from '../support/browser-wallet.js';
import { en } from '../../src/i18n/en.js';
import { de } from '../../src/i18n/de.js';

const BUTTON = '#browser-wallet-button';
const STATUS = '#browser-wallet-status';

describe('sign-in with a browser wallet in Chromium', () => {
  let running: RunningProduct;
  let browser: Browser;
  let rp: oidc.Configuration;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // As in production: no development test wallet beside the button.
    running = await startProduct({ store: 'redis', env: { DEMO: 'true', TEST_WALLET: 'false' } });
    rp = await discover(running.baseUrl);
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await running?.stop();
  });

  interface Opened {
    page: Page;
    wallet: StandInWallet;
    /** CSP violations, script errors and every console error, on any page of the context. */
    problems: string[];
  }

  /** A fresh browser (own cookies), with the stand-in wallet unless `key` is null. */
  const open = async (key: TestKey | null, options: StandInOptions = {}, mode: StandInWallet['mode'] = 'approve'): Promise<Opened> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const wallet = standInWallet(key ?? KEYS.compressed, mode);
    if (key) await installStandInWallet(context, wallet, options);
    const watched = await watchedPage(context);
    const problems = watched.violations;
    watched.page.on('console', (message) => {
      // Chromium asks every origin for /favicon.ico by itself; the product has none (a 404).
      if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
        problems.push(`${watched.page.url()}: console error ${message.text()}`);
    });
    return { page: watched.page, wallet, problems };
  };

  const loginPage = async (page: Page, extra: Record<string, string> = {}) => {
    const request = await authorizationRequest(rp, running.redirectUri, 'openid profile evrmore', extra);
    await page.goto(request.url.href);
    await expect.poll(() => page.locator('#challenge').count()).toBe(1);
    return request;
  };

  const challengeText = async (page: Page) => (await page.locator('#challenge').textContent())!.trim();

  /** What the same-device form answers for this address and signature. */
  const formError = async (page: Page, address: string, signature: string) => {
    await page.fill('#address', address);
    await page.fill('#signature', signature);
    await page.click('form.signature-form button[type=submit]');
    await page.waitForLoadState();
    return errorShown(page);
  };

  /** The same-device form, filled by hand with a good signature: on to the consent page. */
  const signInByHand = async (page: Page) => {
    await page.fill('#address', KEYS.compressed.address);
    await page.fill('#signature', sign(KEYS.compressed, await challengeText(page)));
    await page.click('form.signature-form button[type=submit]');
    await expect.poll(() => page.locator('button:has-text("Allow")').count()).toBeGreaterThan(0);
  };

  /** The page's error, without the count of tries left (each wrong try lowers it). */
  const errorShown = async (page: Page) => (await page.locator('#error').textContent())!.trim().replace(/\s*\(\d+ tries? left[^)]*\)$/, '');

  it('signs in from /demo with one click, through consent to the claims; the wallet sees one line starting with the host', async () => {
    const { page, wallet, problems } = await open(KEYS.compressed);
    await page.goto(`${running.baseUrl}/demo`);
    await page.click('#demo-login');
    await expect.poll(() => page.locator(BUTTON).isVisible()).toBe(true);
    expect(await page.locator(BUTTON).textContent()).toBe('Sign in with Satori GO');
    expect(await page.locator('#browser-wallet-hint').isVisible()).toBe(false);
    // The manual ways stay on the page beside the button.
    expect(await page.locator('form.signature-form').isVisible()).toBe(true);
    await screenshot(page, 'login-browser-wallet');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'login-browser-wallet-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    const shown = await challengeText(page);

    await page.click(BUTTON);
    await page.waitForURL(/\/interaction\/[^/]+$/);
    await expect.poll(() => page.locator('button:has-text("Allow")').count()).toBeGreaterThan(0);
    await page.click('button:has-text("Allow")');
    await page.waitForURL(/\/demo\/callback/);
    const claims = JSON.parse((await page.locator('#claims').textContent())!) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: KEYS.compressed.address, evrmore_address: KEYS.compressed.address, aud: 'demo' });

    expect(wallet.calls).toEqual(['connect', 'signMessage']);
    expect(wallet.signed).toEqual([shown]);
    // Readable in the wallet's approval window: one line, the provider's host first.
    expect(shown).not.toMatch(/[\r\n]/);
    expect(shown.startsWith(`${new URL(running.baseUrl).host}:`)).toBe(true);
    expect(problems).toEqual([]);
  });

  it('a declined request leaves a calm message and the manual form, which still signs in', async () => {
    const { page, problems } = await open(KEYS.compressed, {}, 'reject');
    await loginPage(page);
    await page.click(BUTTON);
    await expect.poll(() => page.locator(STATUS).textContent()).toBe(en['browserWallet.rejected'].replace('{wallet}', 'Satori GO'));
    expect(await page.locator(STATUS).getAttribute('class')).toBe('muted');
    expect(await page.locator('#error').count()).toBe(0);
    expect(await page.locator(BUTTON).isEnabled()).toBe(true);
    await signInByHand(page);
    expect(problems).toEqual([]);
  });

  it('a wallet on the wrong network gets the message the form gives', async () => {
    const { page, wallet, problems } = await open(KEYS.testnet);
    await loginPage(page);
    await page.click(BUTTON);
    await page.waitForURL(/\/login$/);
    const fromWallet = await errorShown(page);
    expect(fromWallet).toMatch(/testnet address/);
    const text = await challengeText(page);
    expect(await formError(page, KEYS.testnet.address, sign(KEYS.testnet, text))).toBe(fromWallet);
    expect(wallet.signed).toHaveLength(1);
    expect(problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
  });

  it('another address than the relying party asked for (login_hint) is refused, as the form refuses it', async () => {
    const { page, problems } = await open(KEYS.compressed);
    await loginPage(page, { login_hint: KEYS.uncompressed.address });
    await page.click(BUTTON);
    await page.waitForURL(/\/login$/);
    const fromWallet = await errorShown(page);
    expect(fromWallet).toContain(KEYS.uncompressed.address);
    const text = await challengeText(page);
    expect(await formError(page, KEYS.compressed.address, sign(KEYS.compressed, text))).toBe(fromWallet);
    expect(problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
  });

  it('a wallet that signed another text than the one shown is refused', async () => {
    const { page, wallet } = await open(KEYS.compressed, {}, 'other-text');
    await loginPage(page);
    const text = await challengeText(page);
    await page.click(BUTTON);
    await page.waitForURL(/\/login$/);
    const fromWallet = await errorShown(page);
    expect(fromWallet).toMatch(/signature does not match/);
    expect(wallet.signed).toEqual([text]);
    expect(await formError(page, KEYS.compressed.address, sign(KEYS.compressed, `${text} (edited)`))).toBe(fromWallet);
    // Still on the sign-in page: nothing was signed in.
    expect(page.url()).not.toContain(running.redirectUri);
    expect(await page.locator('button:has-text("Allow")').count()).toBe(0);
  });

  it('a wallet that answers without a signature: the page says so, submits nothing, and can try again', async () => {
    const { page, wallet, problems } = await open(KEYS.compressed, {}, 'no-signature');
    await loginPage(page);
    const url = page.url();
    await page.click(BUTTON);
    await expect
      .poll(() => page.locator(STATUS).textContent())
      .toBe(en['browserWallet.failed'].replace('{wallet}', 'Satori GO').replace('{reason}', 'no-signature'));
    expect(await page.locator(STATUS).getAttribute('class')).toBe('error');
    expect(page.url()).toBe(url);
    expect(await page.locator('#signature').inputValue()).toBe('');
    wallet.mode = 'approve';
    await page.click(BUTTON);
    await expect.poll(() => page.locator('button:has-text("Allow")').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('a provider that appears after the page loaded (evrmore#initialized) gets the button; a wallet without a name is a "browser wallet"', async () => {
    const { page, problems } = await open(KEYS.compressed, { appear: 'late', isEvrNexus: false });
    await loginPage(page);
    await expect.poll(() => page.locator(BUTTON).isVisible()).toBe(true);
    expect(await page.locator(BUTTON).textContent()).toBe('Sign in with browser wallet');
    await page.click(BUTTON);
    await expect.poll(() => page.locator('button:has-text("Allow")').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('a wallet that names itself is called by its name, in German too', async () => {
    const { page } = await open(KEYS.compressed, { isEvrNexus: false, name: 'Other Wallet\u0007' });
    await loginPage(page, { ui_locales: 'de' });
    await expect.poll(() => page.locator(BUTTON).textContent()).toBe(de['browserWallet.button']!.replace('{wallet}', 'Other Wallet'));
  });

  it('a wallet that never answers leaves the button waiting and the manual form working', async () => {
    const { page, problems } = await open(KEYS.compressed, {}, 'hang');
    await loginPage(page);
    await page.click(BUTTON);
    await expect.poll(() => page.locator(STATUS).textContent()).toBe(en['browserWallet.waiting'].replace('{wallet}', 'Satori GO'));
    expect(await page.locator(BUTTON).isDisabled()).toBe(true);
    await signInByHand(page);
    expect(problems).toEqual([]);
  });

  it('without a wallet: no button, a hint with a link, no console error and no CSP violation', async () => {
    const { page, problems } = await open(null);
    await loginPage(page);
    await page.waitForLoadState('load');
    await page.waitForTimeout(500);
    expect(await page.locator('#browser-wallet').isVisible()).toBe(false);
    expect(await page.locator(BUTTON).isVisible()).toBe(false);
    const hint = page.locator('#browser-wallet-hint');
    expect(await hint.isVisible()).toBe(true);
    expect(await hint.textContent()).toContain('Have Satori GO?');
    expect(await hint.locator('a').getAttribute('href')).toBe('https://github.com/SatoriNetwork/SatoriGO');
    await screenshot(page, 'login-no-browser-wallet');
    expect(problems).toEqual([]);
  });

  it('the phone page opened in a desktop browser with the wallet: one click signs, the computer continues', async () => {
    const desktop = await open(null);
    const request = await loginPage(desktop.page);
    const href = (await desktop.page.locator('.wallet-link a').getAttribute('href'))!;
    const navigated = desktop.page.waitForRequest((r) => r.url().startsWith(running.redirectUri), { timeout: 15_000 });

    const { page, wallet, problems } = await open(KEYS.uncompressed);
    await page.goto(href);
    await expect.poll(() => page.locator(BUTTON).isVisible()).toBe(true);
    await page.click(BUTTON);
    await expect.poll(() => page.locator('#result').textContent()).toBe(en['wallet.signed']);
    expect(wallet.signed).toHaveLength(1);

    // The desktop page hears "signed", asks to continue as the signing address, then consent.
    await expect
      .poll(() => desktop.page.locator('#confirm-title').textContent(), { timeout: 10_000 })
      .toBe(`Continue as ${KEYS.uncompressed.address}?`);
    await desktop.page.click('#confirm-button');
    await expect.poll(() => desktop.page.locator('button:has-text("Allow")').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await desktop.page.click('button:has-text("Allow")');
    const tokens = await oidc.authorizationCodeGrant(rp, new URL((await navigated).url()), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.claims()?.sub).toBe(KEYS.uncompressed.address);
    // The test's relying party has no page at its redirect URI (a 404 there is not ours).
    expect([...problems, ...desktop.problems].filter((p) => !p.startsWith(running.redirectUri))).toEqual([]);
  }, 60_000); // two browsers and five page loads: slow on a loaded two-core machine
});
