/**
 * A newcomer's first sign-in, with nothing but the browser: /demo, "Sign in with Evrmore",
 * "Sign with a development test wallet", "Sign in", "Allow", and the demo shows the claims of
 * the test wallet's address.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { startProduct, type RunningProduct } from '../support/product.js';
import { launchChromium, screenshot, watchedPage } from '../support/chromium.js';
import { testWalletFile } from '../../src/dev/test-wallet.js';
import { NETWORKS, addressOfWif } from '../../src/evrmore/index.js';

describe('the development test wallet in Chromium', () => {
  let running: RunningProduct;
  let browser: Browser;

  beforeAll(async () => {
    running = await startProduct({ store: 'memory', env: { DEMO: 'true' } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  it('signs in from /demo with no other tool', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, violations } = await watchedPage(context);
    await page.goto(`${running.baseUrl}/demo`);
    await page.click('#demo-login');
    await page.locator('#test-wallet').waitFor();
    await page.click('#test-wallet');
    await expect.poll(() => page.locator('#notice').count()).toBe(1);
    const address = addressOfWif(readFileSync(testWalletFile(running.config.dataDir, NETWORKS.mainnet), 'utf8').trim(), NETWORKS.mainnet);
    expect(await page.inputValue('#address')).toBe(address);
    await screenshot(page, 'login-test-wallet-1280-light');
    await page.click('form.signature-form button[type=submit]');
    await page.click('button:has-text("Allow")');
    await page.waitForURL(/\/demo\/callback/);
    expect(await page.locator('#claims').textContent()).toContain(`"sub": "${address}"`);
    await screenshot(page, 'demo-signed-in-1280-light');
    expect(violations).toEqual([]);
    await context.close();
  });
});
