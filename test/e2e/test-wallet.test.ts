/**
 * The development test wallet: outside production the sign-in page offers it, its key is made
 * once under DATA_DIR and never reaches the page, and its signature goes through the same login
 * form and verifier as any wallet's. Production refuses it, in the configuration and in the app.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import * as oidc from 'openid-client';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createApp } from '../../src/app.js';
import { generateJwks } from '../../src/keys.js';
import { testWalletFile } from '../../src/dev/test-wallet.js';
import { NETWORKS, addressOfWif } from '../../src/evrmore/index.js';
import { startProduct, type RunningProduct } from '../support/product.js';
import { configProblems, PRODUCTION_CONFIG_ENV } from '../support/config.js';
import { HttpBrowser, elementText, inputValue } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, finishToRelyingParty, openLogin, sign, submitSignature } from '../support/wallet.js';

const PRODUCTION = PRODUCTION_CONFIG_ENV;

describe('development test wallet: configuration', () => {
  it('is on outside production, off in production, and production refuses it with the reason', () => {
    expect(loadConfig({}, '/tmp').testWallet).toBe(true);
    expect(loadConfig({ TEST_WALLET: 'false' }, '/tmp').testWallet).toBe(false);
    expect(loadConfig(PRODUCTION, '/tmp').testWallet).toBe(false);
    expect(configProblems({ ...PRODUCTION, TEST_WALLET: 'true' }, '/tmp')).toEqual([
      'TEST_WALLET must be off in production: its key lies on the server, so anyone could sign in as its address',
    ]);
    expect(configProblems({ TEST_WALLET: 'maybe' }, '/tmp')).toEqual(['TEST_WALLET must be true or false (got "maybe")']);
  });

  it('the app refuses a test wallet with a production configuration, whatever built it', () => {
    const config = loadConfig(PRODUCTION, '/tmp');
    const wallet = { address: KEYS.compressed.address, sign: (text: string) => sign(KEYS.compressed, text) };
    expect(() => createApp({ config, testWallet: wallet } as unknown as Parameters<typeof createApp>[0])).toThrow(
      /cannot run in production/,
    );
  });
});

describe('development test wallet: sign-in', () => {
  let running: RunningProduct;
  beforeAll(async () => {
    running = await startProduct({ store: 'redis' });
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("fills the form with its signature of this page's text; the normal login POST verifies it", async () => {
    const rp = await discover(running.baseUrl);
    const request = await authorizationRequest(rp, running.redirectUri);
    const browser = new HttpBrowser(running.baseUrl);
    const login = await openLogin(browser, request.url);
    expect(login.page.body).toContain(`action="/interaction/${login.uid}/test-wallet"`);

    const filled = await browser.request(`/interaction/${login.uid}/test-wallet`, { form: {} });
    expect(filled.status).toBe(200);
    const file = testWalletFile(running.config.dataDir, NETWORKS.mainnet);
    const wif = readFileSync(file, 'utf8').trim();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const address = addressOfWif(wif, NETWORKS.mainnet);
    expect(inputValue(filled.body, 'address')).toBe(address);
    const signature = elementText(filled.body, 'signature')!;
    expect(signature).toMatch(/^[A-Za-z0-9+/]{86}[A-Za-z0-9+/=]{2}$/);
    expect(elementText(filled.body, 'notice')).toMatch(/^Signed, and filled in below/);
    // The key itself never reaches the page.
    expect(filled.body).not.toContain(wif);

    // Nothing signed in yet: the person submits the form, which the verifier checks as usual.
    const tampered = await submitSignature(browser, login, KEYS.compressed.address, signature);
    expect(tampered.status).toBe(400);
    const posted = await submitSignature(browser, login, address, signature);
    const callback = await finishToRelyingParty(browser, posted, running.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(rp, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.claims()?.sub).toBe(address);
    // The same key on the next start: made once.
    const again = await startProduct({ store: 'memory', env: { DATA_DIR: running.config.dataDir } });
    try {
      const page = await openLogin(
        new HttpBrowser(again.baseUrl),
        (await authorizationRequest(await discover(again.baseUrl), again.redirectUri)).url,
      );
      const refilled = await new HttpBrowser(again.baseUrl).request(`/interaction/${page.uid}/test-wallet`, { form: {} });
      expect(refilled.status).toBe(400); // another browser: not this interaction's cookie
    } finally {
      await again.stop();
    }
    expect(readFileSync(file, 'utf8').trim()).toBe(wif);
  });

  it('is bound to the interaction: no interaction cookie, no signature', async () => {
    const rp = await discover(running.baseUrl);
    const browser = new HttpBrowser(running.baseUrl);
    const login = await openLogin(browser, (await authorizationRequest(rp, running.redirectUri)).url);
    const stranger = await new HttpBrowser(running.baseUrl).request(`/interaction/${login.uid}/test-wallet`, { form: {} });
    expect(stranger.status).toBeGreaterThanOrEqual(400);
    expect(stranger.status).toBeLessThan(500);
    expect(stranger.body).not.toMatch(/name="signature"[^>]*>[A-Za-z0-9+/]{80}/);
  });

  it('TEST_WALLET=false: no button, and the path answers nothing', async () => {
    const off = await startProduct({ store: 'memory', env: { TEST_WALLET: 'false' } });
    try {
      const browser = new HttpBrowser(off.baseUrl);
      const login = await openLogin(browser, (await authorizationRequest(await discover(off.baseUrl), off.redirectUri)).url);
      expect(login.page.body).not.toContain('test-wallet');
      expect(login.page.body).not.toContain('development test wallet');
      const posted = await browser.request(`/interaction/${login.uid}/test-wallet`, { form: {} });
      expect(posted.status).toBe(404);
    } finally {
      await off.stop();
    }
  });
});

describe('development test wallet: a production deployment', () => {
  it('shows no test-wallet button and answers 404 on its path', async () => {
    const jwks = await generateJwks();
    const running = await startProduct({
      store: 'redis',
      env: { ...PRODUCTION, ISSUER: 'https://id.example.com', REDIS_URL: inject('redisUrl'), JWKS: JSON.stringify(jwks), TEST_WALLET: '' },
    });
    try {
      expect(running.config.env).toBe('production');
      expect(running.config.testWallet).toBe(false);
      // Through the TLS-terminating proxy's headers, as production runs.
      const headers = { 'x-forwarded-proto': 'https', host: 'id.example.com' };
      const browser = new HttpBrowser(running.baseUrl);
      const auth = new URL('/auth', running.baseUrl);
      auth.search = new URLSearchParams({
        client_id: 'rp',
        response_type: 'code',
        scope: 'openid',
        redirect_uri: running.redirectUri,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      const start = await browser.request(auth.href, { headers });
      expect(start.status).toBe(303);
      const location = new URL(start.headers.get('location')!, 'https://id.example.com');
      const page = await browser.request(location.pathname, { headers });
      expect(page.status).toBe(200);
      expect(page.body).toContain('id="challenge"');
      expect(page.body).not.toContain('test-wallet');
      const posted = await browser.request(`${location.pathname}/test-wallet`, { form: {}, headers });
      expect(posted.status).toBe(404);
    } finally {
      await running.stop();
    }
  });
});
