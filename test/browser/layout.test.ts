/**
 * How the sign-in pages look to a person: at 1280×800 the text, the form's button and the QR
 * code are all above the fold, side by side; on a phone (360×740, touch) there is nothing to
 * scan, the text and the form come first and the wallets that can sign are named. Screenshots
 * of each, light and dark, go to test-output/screenshots for review.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startProduct, type RunningProduct } from '../support/product.js';
import { launchChromium, screenshot, watchedPage } from '../support/chromium.js';
import { authorizationRequest, discover } from '../support/wallet.js';

const DESKTOP = { viewport: { width: 1280, height: 800 } };
/** A phone as its browser presents itself (Chrome on Android), touch screen and all. */
const PHONE = {
  viewport: { width: 360, height: 740 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
};

/** The element's box lies wholly inside the first screen of the page. */
async function aboveTheFold(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).boundingBox();
  const height = page.viewportSize()!.height;
  return box !== null && box.y >= 0 && box.y + box.height <= height;
}

describe('sign-in page layout', () => {
  let running: RunningProduct;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    running = await startProduct({ store: 'memory' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await running?.stop();
  });

  const open = async (options: typeof DESKTOP | typeof PHONE, colorScheme: 'light' | 'dark' = 'light') => {
    const context = await browser.newContext({ ...options, colorScheme });
    contexts.push(context);
    const watched = await watchedPage(context);
    const rp = await discover(running.baseUrl);
    const request = await authorizationRequest(rp, running.redirectUri);
    await watched.page.goto(request.url.href);
    await watched.page.locator('#challenge').waitFor();
    return watched;
  };

  for (const scheme of ['light', 'dark'] as const) {
    it(`desktop 1280×800 (${scheme}): two columns, text, sign-in button and QR code above the fold`, async () => {
      const { page, violations } = await open(DESKTOP, scheme);
      for (const selector of ['#challenge', '[data-copy="challenge"]', 'form.signature-form button[type=submit]', 'a.qr', '#qr-title']) {
        expect(await aboveTheFold(page, selector), selector).toBe(true);
      }
      const text = (await page.locator('#challenge').boundingBox())!;
      const qr = (await page.locator('a.qr').boundingBox())!;
      // Side by side: the QR code to the right of the text, level with the top of the form column.
      expect(qr.x).toBeGreaterThan(text.x + text.width);
      expect(Math.abs(qr.y - text.y)).toBeLessThan(200);
      await screenshot(page, `login-1280-${scheme}`);
      // Filled in by the development test wallet, with its note: "Sign in" still on the first screen.
      await page.click('#test-wallet');
      await page.locator('#notice').waitFor();
      expect(await aboveTheFold(page, 'form.signature-form button[type=submit]')).toBe(true);
      await screenshot(page, `login-test-wallet-1280-${scheme}`);
      expect(violations).toEqual([]);
    });

    it(`phone 360×740 (${scheme}): no code to scan, copy text and paste signature first, honest wallet list`, async () => {
      const { page, violations } = await open(PHONE, scheme);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      expect(await page.locator('a.qr').isVisible()).toBe(false);
      expect(await page.getByText(/scan/i).filter({ visible: true }).count()).toBe(0);
      expect(await aboveTheFold(page, '[data-copy="challenge"]')).toBe(true);
      const wallets = (await page.locator('.wallet-help').textContent())!;
      expect(wallets).toMatch(/Evrmore Core/);
      expect(wallets).toMatch(/electrum-evrmore/);
      expect(wallets).toMatch(/Moontree cannot sign/);
      await screenshot(page, `login-360-${scheme}`);
      expect(violations).toEqual([]);
    });

    it(`wallet page on a phone 360×740 (${scheme}): a countdown, and the provider's host apart from the application's name`, async () => {
      const desktop = await open(DESKTOP, scheme);
      const href = (await desktop.page.locator('.wallet-link a').getAttribute('href'))!;
      const context = await browser.newContext({ ...PHONE, colorScheme: scheme });
      contexts.push(context);
      const { page, violations } = await watchedPage(context);
      await page.goto(href);
      await expect.poll(() => page.locator('#expires').textContent()).toMatch(/^Expires in [45]:\d\d$/);
      expect(await page.locator('#party-application').textContent()).toBe('Test RP');
      expect(await page.locator('#party-provider').textContent()).toBe(new URL(running.baseUrl).host);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      expect(await aboveTheFold(page, '[data-copy="challenge"]')).toBe(true);
      await screenshot(page, `wallet-360-${scheme}`);
      await page.setViewportSize(DESKTOP.viewport);
      await screenshot(page, `wallet-1280-${scheme}`);
      expect([...desktop.violations, ...violations]).toEqual([]);
    });
  }
});
