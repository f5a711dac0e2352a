import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath } from './preflight.js';

export const SCREENSHOT_DIR = join(process.cwd(), 'test-output', 'screenshots');

/** Debian's Chromium, headless, with the flags this closed network needs. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface WatchedPage {
  page: Page;
  /** Content-Security-Policy violations and console errors seen on any page so far. */
  violations: string[];
}

/** A page that records every CSP violation (event and console report) and script error. */
export async function watchedPage(context: BrowserContext): Promise<WatchedPage> {
  const violations: string[] = [];
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && /Content Security Policy|CSP violation|Refused to/i.test(text))
      violations.push(`${page.url()}: ${text}`);
  });
  page.on('pageerror', (error) => violations.push(`${page.url()}: script error ${error.message}`));
  return { page, violations };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * The page as people see it: light and dark, 1280 and 360 wide, into `<name>-<width>-<scheme>.png`.
 * Returns the horizontal overflow at 360 px (a page that scrolls sideways on a phone is broken).
 */
export async function screenshotEveryWay(page: Page, name: string): Promise<number> {
  let overflow = 0;
  const original = page.viewportSize();
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: width === 360 ? 740 : 800 });
    if (width === 360) overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await screenshot(page, `${name}-${width}-${colorScheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  if (original) await page.setViewportSize(original);
  return overflow;
}
