/**
 * A Redis that stops answering without closing its connection (a paused process, a stalled
 * network path): requests get their 503 within the 5 s command timeout instead of hanging, on
 * our pages and on oidc-provider's endpoints alike, and the product serves again by itself when
 * Redis answers again.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { authorizationRequest, discover, openLogin } from '../support/wallet.js';

describe('a Redis that hangs', () => {
  let redis: RedisServer;
  let product: RunningProduct;

  beforeAll(async () => {
    redis = await startRedisServer();
    product = await startProduct({ store: 'redis', env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    redis?.process.kill('SIGCONT');
    await product?.stop();
    await redis?.stop();
  });

  it('answers 503 within the command timeout, then serves again', { timeout: 30_000 }, async () => {
    const request = await authorizationRequest(await discover(product.baseUrl), product.redirectUri);
    const browser = new HttpBrowser(product.baseUrl);
    const login = await openLogin(browser, request.url);

    redis.process.kill('SIGSTOP');
    try {
      const started = performance.now();
      const next = await authorizationRequest(await discover(product.baseUrl), product.redirectUri);
      const [status, page, token, authorize, userinfo] = await Promise.all([
        // Our routes: the login page's status check (JSON) and the login page itself (HTML).
        browser.request(`/interaction/${login.uid}/status`, { headers: { accept: 'application/json' } }),
        browser.request(`/interaction/${login.uid}`),
        // oidc-provider's token endpoint.
        fetch(`${product.baseUrl}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: 'a'.repeat(43),
            client_id: 'rp',
            redirect_uri: product.redirectUri,
          }),
        }),
        // oidc-provider's own endpoints without a rate limit in front: the store error happens
        // inside the provider, which answers 500 itself.
        fetch(next.url, { redirect: 'manual' }),
        fetch(`${product.baseUrl}/me`, { headers: { authorization: `Bearer ${'b'.repeat(43)}`, accept: 'application/json' } }),
      ]);
      const elapsed = performance.now() - started;
      expect(status.status, status.body).toBe(503);
      expect(JSON.parse(status.body)).toMatchObject({ error: 'temporarily_unavailable' });
      expect(page.status).toBe(503);
      expect(page.headers.get('retry-after')).toBe('5');
      expect(token.status, await token.clone().text()).toBe(503);
      expect(await token.json()).toMatchObject({ error: 'temporarily_unavailable' });
      expect(authorize.status).toBe(503);
      expect(userinfo.status, await userinfo.clone().text()).toBe(503);
      expect(elapsed, 'answered within the command timeout, not held open').toBeLessThan(9000);
    } finally {
      redis.process.kill('SIGCONT');
    }
    const again = await browser.request(`/interaction/${login.uid}/status`, { headers: { accept: 'application/json' } });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ state: 'pending' });
    expect(product.logs.filter((l) => l.msg === 'unhandled error')).toEqual([]);
  });
});
