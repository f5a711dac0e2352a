/**
 * The newcomer's path: on the embedded default, /demo signs in through this very provider and
 * shows the claims it received (issue: "a newcomer sees the whole flow after the start command").
 */
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText } from '../support/browser.js';
import { KEYS, readLoginPage, sign, submitSignature } from '../support/wallet.js';

describe('demo relying party', () => {
  let running: RunningProduct;
  beforeAll(async () => {
    running = await startProduct({ store: 'memory', env: { DEMO: 'true' } });
  });
  afterAll(async () => running?.stop());

  it('signs in from /demo and shows the ID token claims and userinfo', async () => {
    const browser = new HttpBrowser(running.baseUrl);
    const start = await browser.navigate('/demo');
    expect(start.status).toBe(200);
    expect(start.body).toContain('Sign in with Evrmore');
    const login = readLoginPage(await browser.navigate('/demo/login'));
    expect(login.text).toContain('Demo app');
    const posted = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    let page = await browser.navigate(new URL(posted.headers.get('location')!, running.baseUrl).href);
    const consent = /action="(\/interaction\/[^"]+\/confirm)"/.exec(page.body)![1]!;
    page = await browser.navigate(consent, { form: {} });
    expect(page.status).toBe(200);
    expect(page.url).toContain('/demo/callback');
    const claims = JSON.parse(elementText(page.body, 'claims')!) as Record<string, unknown>;
    expect(claims).toMatchObject({
      sub: KEYS.compressed.address,
      evrmore_address: KEYS.compressed.address,
      evrmore_network: 'mainnet',
      aud: 'demo',
    });
    const userinfo = JSON.parse(elementText(page.body, 'userinfo')!) as Record<string, unknown>;
    expect(userinfo.preferred_username).toBe(KEYS.compressed.address);
  });

  it('explains a callback it did not start', async () => {
    const page = await new HttpBrowser(running.baseUrl).navigate('/demo/callback?code=x&state=y');
    expect(page.status).toBe(400);
    expect(elementText(page.body, 'error')).toMatch(/Start again from \/demo/);
  });
});
