/**
 * The sign-in page's event stream (GET /interaction/<uid>/events) holds a connection until its
 * challenge ends: streams are capped per client IP and per instance, the rest get 429 and the
 * page falls back to polling /status, which is itself rate-limited per client IP.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { launchChromium } from '../support/chromium.js';
import { KEYS, authorizationRequest, discover, openLogin, sign, type LoginPage } from '../support/wallet.js';
import { StreamSlots } from '../../src/security/stream-slots.js';

const running: RunningProduct[] = [];
const held: ClientRequest[] = [];
afterEach(async () => {
  for (const stream of held.splice(0)) stream.destroy();
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function start(env: Record<string, string>): Promise<RunningProduct> {
  const product = await startProduct({ store: 'redis', env: { TRUST_PROXY: 'true', ...env } });
  running.push(product);
  return product;
}

async function loginPage(product: RunningProduct): Promise<{ browser: HttpBrowser; login: LoginPage }> {
  const browser = new HttpBrowser(product.baseUrl);
  const auth = await authorizationRequest(await discover(product.baseUrl), product.redirectUri);
  return { browser, login: await openLogin(browser, auth.url) };
}

/** Opens the page's event stream from `ip` and resolves with its response head; the stream stays open. */
function openStream(product: RunningProduct, page: { browser: HttpBrowser; login: LoginPage }, ip: string): Promise<IncomingMessage> {
  const path = `/interaction/${page.login.uid}/events`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: product.port,
        path,
        headers: { accept: 'text/event-stream', cookie: page.browser.cookieHeader(new URL(path, product.baseUrl)), 'x-forwarded-for': ip },
      },
      resolve,
    );
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    held.push(req);
    req.end();
  });
}

describe('event streams and status polls are bounded', () => {
  it('caps open event streams per client IP and in total, answers 429 beyond, and frees a slot when a page leaves', async () => {
    const product = await start({ EVENT_STREAMS_PER_IP: '2', EVENT_STREAMS_MAX: '3' });
    const page = await loginPage(product);
    expect((await openStream(product, page, '203.0.113.1')).statusCode).toBe(200);
    expect((await openStream(product, page, '203.0.113.1')).statusCode).toBe(200);
    const overIp = await openStream(product, page, '203.0.113.1');
    expect(overIp.statusCode).toBe(429);
    expect(Number(overIp.headers['retry-after'])).toBeGreaterThan(0);
    // Another client still gets one, until the instance's total is reached.
    expect((await openStream(product, page, '203.0.113.2')).statusCode).toBe(200);
    expect((await openStream(product, page, '203.0.113.3')).statusCode).toBe(429);
    const metrics = await (await fetch(`${product.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/evrmore_rate_limit_rejections_total\{limit="event_streams"\} 2/);
    // A page that leaves gives its slot back.
    held[0]!.destroy();
    await expect
      .poll(
        async () => {
          const again = await openStream(product, page, '203.0.113.3');
          return again.statusCode;
        },
        { timeout: 5000 },
      )
      .toBe(200);
  });

  it('limits status polls per client IP', async () => {
    const product = await start({ RATE_LIMIT_STATUS: '3/1m' });
    const page = await loginPage(product);
    const poll = () => page.browser.request(`/interaction/${page.login.uid}/status`, { headers: { accept: 'application/json' } });
    for (let i = 0; i < 3; i += 1) expect((await poll()).status).toBe(200);
    for (const path of ['status', 'STATUS', 'status/']) {
      const refused = await page.browser.request(`/interaction/${page.login.uid}/${path}`, { headers: { accept: 'application/json' } });
      expect(refused.status, path).toBe(429);
      expect(JSON.parse(refused.body)).toMatchObject({ error: 'rate_limited' });
    }
  });

  it('counts slots per key and in total, and releases each once', () => {
    const slots = new StreamSlots({ perIp: 1, total: 2 });
    const a = slots.acquire('a')!;
    expect(slots.acquire('a')).toBeUndefined();
    const b = slots.acquire('b')!;
    expect(slots.acquire('c')).toBeUndefined();
    a();
    a();
    expect(slots.size).toBe(1);
    expect(slots.acquire('c')).toBeDefined();
    b();
  });

  it('the login page falls back to polling when its event stream is refused, and still continues', async () => {
    const product = await start({ EVENT_STREAMS_MAX: '1' });
    // Someone else holds the instance's only stream.
    const other = await loginPage(product);
    expect((await openStream(product, other, '198.51.100.1')).statusCode).toBe(200);

    const config = await discover(product.baseUrl);
    const auth = await authorizationRequest(config, product.redirectUri, 'openid', { login_hint: KEYS.compressed.address });
    const chromium = await launchChromium();
    try {
      const page = await (await chromium.newContext()).newPage();
      const requested: string[] = [];
      page.on('request', (r) => requested.push(new URL(r.url()).pathname));
      await page.goto(auth.url.href);
      const walletUrl = await page.locator('.wallet-link a').getAttribute('href');
      await expect.poll(() => requested.some((path) => path.endsWith('/status')), { timeout: 10_000 }).toBe(true);
      expect(requested.some((path) => path.endsWith('/events'))).toBe(true);

      const challenge = (await (await fetch(walletUrl!, { headers: { accept: 'application/json' } })).json()) as {
        text: string;
        submit: { url: string };
      };
      const signed = await fetch(challenge.submit.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ address: KEYS.compressed.address, signature: sign(KEYS.compressed, challenge.text) }),
      });
      expect(signed.status).toBe(200);
      // Polling hears "signed" and the page moves on to consent by itself.
      await expect.poll(() => page.locator('button:has-text("Allow")').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(await page.locator('#challenge').count()).toBe(0);
    } finally {
      await chromium.close();
    }
  });
});
