/**
 * Rate limits on challenge creation, signature submission (login form and
 * wallet URL; per IP), the token endpoint and client registration. Over a
 * limit: 429 with Retry-After (RFC 6585 §4) and words saying when to try again. Counters in
 * Redis hold across instances; the embedded default counts in memory. X-Forwarded-For counts
 * only behind a trusted proxy, and then only the entry the proxy appended.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startProduct, tokenRequest, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, openLogin, sign, signIn, submitSignature } from '../support/wallet.js';

const running: RunningProduct[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function start(env: Record<string, string>, store: 'redis' | 'memory' = 'redis'): Promise<RunningProduct> {
  const product = await startProduct({ store, env });
  running.push(product);
  return product;
}

async function loginPage(product: RunningProduct) {
  const browser = new HttpBrowser(product.baseUrl);
  const request = await authorizationRequest(await discover(product.baseUrl), product.redirectUri);
  return { browser, login: await openLogin(browser, request.url) };
}

/** Retry-After is a whole number of seconds within the window (RFC 9110 §10.2.3). */
function expectRetryAfter(headers: Headers, windowSeconds: number): number {
  const value = Number(headers.get('retry-after'));
  expect(Number.isInteger(value)).toBe(true);
  expect(value).toBeGreaterThanOrEqual(1);
  expect(value).toBeLessThanOrEqual(windowSeconds);
  return value;
}

describe('rate limits', () => {
  it('limits challenge creation per IP: 429 with Retry-After and a page that says when', async () => {
    const product = await start({ RATE_LIMIT_CHALLENGE: '3/1m' });
    const { browser, login } = await loginPage(product); // opening the sign-in page: 1
    for (let i = 2; i <= 3; i += 1) {
      const renewed = await browser.request(`/interaction/${login.uid}/challenge`, { form: {} });
      expect(renewed.status).toBe(303);
    }
    const refused = await browser.request(`/interaction/${login.uid}/challenge`, { form: {} });
    expect(refused.status).toBe(429);
    expectRetryAfter(refused.headers, 60);
    expect(elementText(refused.body, 'error')).toMatch(/Too many sign-in pages .* Try again in \d+ seconds \(at \d\d:\d\d:\d\d UTC\)\./);
    // Opening the page counts too: it creates the challenge.
    expect((await browser.request(`/interaction/${login.uid}`)).status).toBe(429);
  });

  it('counts the login step only: the consent page that follows creates no challenge', async () => {
    const product = await start({ RATE_LIMIT_CHALLENGE: '1/1m' });
    const browser = new HttpBrowser(product.baseUrl);
    const request = await authorizationRequest(await discover(product.baseUrl), product.redirectUri);
    const callback = await signIn(browser, request.url, KEYS.compressed, product.redirectUri);
    expect(callback.searchParams.get('code')).toBeTruthy();
    // The next sign-in page from this IP is over the limit.
    const next = await authorizationRequest(await discover(product.baseUrl), product.redirectUri);
    const refused = await new HttpBrowser(product.baseUrl).navigate(next.url.href);
    expect(refused.status).toBe(429);
  });

  it('counts every post of the login form, also one refused before checking (missing fields)', async () => {
    const product = await start({ RATE_LIMIT_SIGNIN_IP: '2/1m' });
    const { browser, login } = await loginPage(product);
    for (let i = 0; i < 2; i += 1) {
      const empty = await submitSignature(browser, login, '', '');
      expect(empty.status).toBe(400);
      // The refusal of the form's own check, without a Retry-After of the limit.
      expect(empty.headers.get('retry-after')).toBeNull();
    }
    const refused = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    expect(refused.status).toBe(429);
    expectRetryAfter(refused.headers, 60);
  });

  it('limits signature submissions on the login form per IP, before checking the signature', async () => {
    const product = await start({ RATE_LIMIT_SIGNIN_IP: '3/1m' });
    const { browser, login } = await loginPage(product);
    for (let i = 0; i < 3; i += 1) {
      const wrong = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, `wrong ${i}`));
      expect(wrong.status).toBe(400);
    }
    // Even the right signature is not looked at once the limit is reached.
    const refused = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    expect(refused.status).toBe(429);
    expectRetryAfter(refused.headers, 60);
    // The login page itself says when to try again.
    expect(elementText(refused.body, 'error')).toMatch(
      /Too many sign-in attempts from your network\. Try again in \d+ seconds \(at \d\d:\d\d:\d\d UTC\)\./,
    );
    expect(refused.body).toContain('id="challenge"');
    expect(product.logs.filter((l) => l.event === 'auth.attempt' && l.outcome === 'refused' && l.reason === 'rate_limited')).toHaveLength(
      1,
    );
  });

  it('limits the token endpoint per IP and answers in JSON', async () => {
    const product = await start({ RATE_LIMIT_TOKEN: '3/1m' });
    for (let i = 0; i < 3; i += 1) expect((await tokenRequest(product.baseUrl)).status).toBe(400);
    const refused = await tokenRequest(product.baseUrl);
    expect(refused.status).toBe(429);
    expectRetryAfter(refused.headers, 60);
    expect(refused.headers.get('content-type')).toMatch(/application\/json/);
    expect(await refused.json()).toMatchObject({ error: 'rate_limited', error_description: expect.stringMatching(/Try again in/) });
    const rejections = await (await fetch(`${product.baseUrl}/metrics`)).text();
    expect(rejections).toMatch(/evrmore_rate_limit_rejections_total\{limit="token"\} 1/);
  });

  it('limits client registration per IP', async () => {
    const product = await start({ RATE_LIMIT_REGISTRATION: '2/1h', REGISTRATION: 'open' });
    const register = () =>
      fetch(`${product.baseUrl}/reg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ redirect_uris: ['https://app.example.com/cb'], client_name: `app ${randomUUID()}` }),
      });
    expect((await register()).status).toBe(201);
    expect((await register()).status).toBe(201);
    const refused = await register();
    expect(refused.status).toBe(429);
    expectRetryAfter(refused.headers, 3600);
    expect(await refused.json()).toMatchObject({
      error: 'rate_limited',
      error_description: expect.stringMatching(/Try again in \d+ minutes/),
    });
  });

  it('limits device-flow user-code entry per IP (RFC 8628 §5.1)', async () => {
    const product = await start({ RATE_LIMIT_SIGNIN_IP: '2/1m' });
    const enter = () =>
      fetch(`${product.baseUrl}/device`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'user_code=ABCD-EFGH&xsrf=guess',
      });
    for (let i = 0; i < 2; i += 1) expect((await enter()).status).not.toBe(429);
    const refused = await enter();
    expect(refused.status).toBe(429);
    expectRetryAfter(refused.headers, 60);
  });

  it('holds a limit across instances sharing Redis', async () => {
    const prefix = `shared-${randomUUID()}:`;
    const a = await start({ RATE_LIMIT_TOKEN: '2/1m', REDIS_KEY_PREFIX: prefix });
    const b = await start({ RATE_LIMIT_TOKEN: '2/1m', REDIS_KEY_PREFIX: prefix });
    expect((await tokenRequest(a.baseUrl)).status).toBe(400);
    expect((await tokenRequest(b.baseUrl)).status).toBe(400);
    expect((await tokenRequest(a.baseUrl)).status).toBe(429);
    expect((await tokenRequest(b.baseUrl)).status).toBe(429);
  });

  it('counts in memory on the embedded default', async () => {
    const product = await start({ RATE_LIMIT_TOKEN: '1/1m' }, 'memory');
    expect((await tokenRequest(product.baseUrl)).status).toBe(400);
    expect((await tokenRequest(product.baseUrl)).status).toBe(429);
  });

  it('ignores X-Forwarded-For unless the proxy is trusted', async () => {
    const product = await start({ RATE_LIMIT_TOKEN: '2/1m' });
    expect((await tokenRequest(product.baseUrl, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(400);
    expect((await tokenRequest(product.baseUrl, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(400);
    // A new X-Forwarded-For per request does not make a new client.
    expect((await tokenRequest(product.baseUrl, { 'x-forwarded-for': '198.51.100.3' })).status).toBe(429);
  });

  it('behind a trusted proxy, keys by the address the proxy appended, not what the client claimed', async () => {
    const product = await start({ RATE_LIMIT_TOKEN: '2/1m', TRUST_PROXY: 'true' });
    const via = (claimed: string) => tokenRequest(product.baseUrl, { 'x-forwarded-for': `${claimed}, 192.0.2.10` });
    expect((await via('10.0.0.1')).status).toBe(400);
    expect((await via('10.0.0.2')).status).toBe(400);
    expect((await via('10.0.0.3')).status).toBe(429);
    // A different client behind the same proxy has its own count.
    expect((await tokenRequest(product.baseUrl, { 'x-forwarded-for': '192.0.2.11' })).status).toBe(400);
  });
});
