/**
 * /metrics is never public in production: on the public port it needs METRICS_TOKEN, or it is
 * served on a listener of its own (METRICS_PORT) and not on the public port at all.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { inject } from 'vitest';
import { startProduct, productionEnv, type RunningProduct } from '../support/product.js';
import { ensureBuilt } from '../deploy/support/build.js';
import { startServerProcess, uniquePrefix, type ServerProcess } from '../deploy/support/server-process.js';
import { freePort } from '../support/redis-server.js';

const TOKEN = 'metrics-token-0123456789abcdef0123456789';
const running: Array<{ stop(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function start(env: Record<string, string>): Promise<RunningProduct> {
  const product = await startProduct({ store: 'redis', env: { ...(await productionEnv()), ...env } });
  running.push(product);
  return product;
}

const metrics = (baseUrl: string, headers: Record<string, string> = {}) =>
  fetch(`${baseUrl}/metrics`, { headers: { 'x-forwarded-proto': 'https', ...headers } });

describe('metrics in production', () => {
  it('does not serve /metrics on the public port without METRICS_TOKEN', async () => {
    const product = await start({});
    expect((await metrics(product.baseUrl)).status).toBe(404);
    expect((await metrics(product.baseUrl, { 'x-forwarded-proto': 'http' })).status).toBe(404);
  });

  it('serves /metrics on the public port only for the bearer token', async () => {
    const product = await start({ METRICS_TOKEN: TOKEN });
    expect((await metrics(product.baseUrl)).status).toBe(401);
    const scraped = await metrics(product.baseUrl, { authorization: `Bearer ${TOKEN}` });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/evrmore_/);
  });

  it('serves /metrics on METRICS_PORT only, never on the public port', async () => {
    await ensureBuilt();
    const { generateCookieKey, generateJwks } = await import('../../src/keys.js');
    const metricsPort = await freePort();
    const server: ServerProcess = await startServerProcess({
      env: {
        NODE_ENV: 'production',
        ISSUER: 'https://id.example.test',
        TRUST_PROXY: 'true',
        REDIS_URL: inject('redisUrl'),
        REDIS_KEY_PREFIX: uniquePrefix('metrics-port'),
        COOKIE_KEYS: generateCookieKey(),
        JWKS: JSON.stringify(await generateJwks('RS256')),
        METRICS_PORT: String(metricsPort),
      },
    });
    running.push({ stop: () => server.stop() });
    const own = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(own.status).toBe(200);
    expect(await own.text()).toMatch(/evrmore_/);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status).toBe(200);
    // The metrics listener serves nothing else.
    expect((await fetch(`http://127.0.0.1:${metricsPort}/.well-known/openid-configuration`)).status).toBe(404);
    expect((await metrics(server.url)).status).toBe(404);
  }, 300_000);
});
