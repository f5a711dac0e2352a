/**
 * A developer who typed wrong signatures into their own server: the sign-in page then shows how
 * long the pause lasts and how to end it, and nothing to sign (no text, no form, no QR code);
 * when the time is up it comes back by itself.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startProduct, type RunningProduct } from '../support/product.js';
import { launchChromium, screenshot, watchedPage } from '../support/chromium.js';
import { KEYS, authorizationRequest, discover, sign } from '../support/wallet.js';

describe('locked-out sign-in page', () => {
  let running: RunningProduct;
  let browser: Browser;

  beforeAll(async () => {
    running = await startProduct({ store: 'memory', env: { FAILURE_ALERT_THRESHOLD: '2', FAILURE_LOCKOUT: '4s' } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  const typo = async (page: Page, n: number) => {
    await page.fill('#address', KEYS.compressed.address);
    await page.fill('#signature', sign(KEYS.compressed, `not the text ${n}`));
    await page.click('form.signature-form button[type=submit]');
    await page.locator('#error').waitFor();
  };

  it('shows the time left, how to end it on a development server, and no form; then comes back', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, violations } = await watchedPage(context);
    const request = await authorizationRequest(await discover(running.baseUrl), running.redirectUri);
    await page.goto(request.url.href);
    const loginUrl = page.url();
    await typo(page, 1);
    await typo(page, 2);
    // The threshold is reached: the next attempt, and the page itself, are refused.
    const response = await page.goto(loginUrl);
    expect(response!.status()).toBe(429);
    expect(await page.locator('#error').textContent()).toMatch(
      /^Too many failed sign-ins from your network\. Try again in \d seconds? \(at \d\d:\d\d:\d\d UTC\)\.$/,
    );
    expect(await page.locator('#lockout-countdown').textContent()).toMatch(/^You can sign in again in 0:0[1-4]\.$/);
    expect(await page.locator('#lockout-hint').textContent()).toMatch(
      /Development server: lock-outs last 4 seconds here \(FAILURE_LOCKOUT\)\. To end this one now, restart the server/,
    );
    for (const selector of ['form.signature-form', '#challenge', 'a.qr', '#new-challenge', '#test-wallet']) {
      expect(await page.locator(selector).count(), selector).toBe(0);
    }
    await screenshot(page, 'locked-out-1280-light');
    for (const [width, height, scheme] of [
      [1280, 800, 'dark'],
      [360, 740, 'light'],
      [360, 740, 'dark'],
    ] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height });
      await screenshot(page, `locked-out-${width}-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });
    // When the time is up the page goes back to the sign-in form by itself.
    await page.locator('#challenge').waitFor({ timeout: 10_000 });
    expect(await page.locator('form.signature-form').count()).toBe(1);
    expect(violations).toEqual([]);
    await context.close();
  });

  it('a signature posted while locked out gets the same page, without a form', async () => {
    const strict = await startProduct({ store: 'memory', env: { FAILURE_ALERT_THRESHOLD: '1', FAILURE_LOCKOUT: '1m' } });
    const context = await browser.newContext();
    const { page } = await watchedPage(context);
    const request = await authorizationRequest(await discover(strict.baseUrl), strict.redirectUri);
    await page.goto(request.url.href);
    await typo(page, 3);
    const text = (await page.locator('#challenge').textContent())!.trim();
    await page.fill('#address', KEYS.compressed.address);
    await page.fill('#signature', sign(KEYS.compressed, text));
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/login')),
      page.click('form.signature-form button[type=submit]'),
    ]);
    expect(response.status()).toBe(429);
    await page.locator('#lockout-countdown').waitFor();
    expect(await page.locator('form.signature-form').count()).toBe(0);
    expect(await page.locator('#lockout-hint').textContent()).toContain('lock-outs last 60 seconds here');
    await context.close();
    await strict.stop();
  });
});
