/**
 * In production the provider answers only what came through the TLS-terminating proxy
 * (X-Forwarded-Proto: https): a page asked for over http is redirected to its https address,
 * anything else over http, or without the header at all, is refused, so no cookie is ever set
 * without Secure and no http:// endpoint is ever advertised. Probes and metrics are exempt.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startProduct, productionEnv, type RunningProduct } from '../support/product.js';

describe('production answers over https only', () => {
  let product: RunningProduct;
  beforeAll(async () => {
    product = await startProduct({ store: 'redis', env: await productionEnv() });
  });
  afterAll(async () => product?.stop());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${product.baseUrl}${path}`, { redirect: 'manual', headers });

  it('redirects a page asked for over plain http to the https issuer, and sets no cookie', async () => {
    const authorize = '/auth?client_id=rp&response_type=code&scope=openid&state=abc';
    for (const path of ['/.well-known/openid-configuration', authorize]) {
      const answer = await get(path, { 'x-forwarded-proto': 'http' });
      expect(answer.status, path).toBe(308);
      expect(answer.headers.get('location'), path).toBe(`https://id.example.test${path}`);
      expect(answer.headers.get('set-cookie'), path).toBeNull();
    }
  });

  it('refuses a request that reached it without the proxy, and any non-GET over http, with a message', async () => {
    for (const headers of [{}, { 'x-forwarded-proto': 'http' }] as Array<Record<string, string>>) {
      const token = await fetch(`${product.baseUrl}/token`, {
        method: 'POST',
        headers: { ...headers, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=authorization_code&code=x',
      });
      expect(token.status).toBe(403);
      expect(await token.json()).toMatchObject({
        error: 'https_required',
        error_description: expect.stringContaining('https://id.example.test'),
      });
    }
    const direct = await get('/.well-known/openid-configuration', { accept: 'application/json' });
    expect(direct.status).toBe(403);
    expect(direct.headers.get('set-cookie')).toBeNull();
  });

  it('serves what came through the proxy over https, with https endpoints', async () => {
    const discovery = await get('/.well-known/openid-configuration', { 'x-forwarded-proto': 'https' });
    expect(discovery.status).toBe(200);
    expect(((await discovery.json()) as { token_endpoint: string }).token_endpoint).toBe('https://id.example.test/token');
  });

  it('lets health checks reach the container port directly', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
  });
});
