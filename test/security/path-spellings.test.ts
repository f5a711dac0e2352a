/**
 * oidc-provider serves `/TOKEN`, `/Token` and `/token/` as `/token` (its router folds ASCII
 * case and drops one trailing slash). Every rate limit and the CORS preflight guard must hold
 * for each of those spellings, not only for the one written in our configuration.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startProduct, TEST_CLIENT_SECRET, type RunningProduct } from '../support/product.js';
import { canonicalPathFinder } from '../../src/http/canonical-path.js';

const running: RunningProduct[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function start(env: Record<string, string>): Promise<RunningProduct> {
  const product = await startProduct({ store: 'redis', env });
  running.push(product);
  return product;
}

/** The spellings oidc-provider accepts for `path`, the configured one last. */
const spellings = (path: string) => [path.toUpperCase(), path[0] + path[1]!.toUpperCase() + path.slice(2), `${path}/`, path];

const form = (baseUrl: string, path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body),
  });

const basic = { authorization: `Basic ${Buffer.from(`rp:${TEST_CLIENT_SECRET}`).toString('base64')}` };

describe('limits and guards hold for every spelling of a path', () => {
  it('counts /TOKEN, /Token and /token/ in the token limit and refuses each once it is spent', async () => {
    const product = await start({ RATE_LIMIT_TOKEN: '3/1m' });
    const exchange = (path: string) =>
      form(product.baseUrl, path, { grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: product.redirectUri }, basic);
    // Three other spellings spend the limit ...
    for (const path of spellings('/token').slice(0, 3)) expect((await exchange(path)).status, path).toBe(400);
    // ... and then no spelling exchanges a code or checks a secret.
    for (const path of spellings('/token')) {
      const refused = await exchange(path);
      expect(refused.status, path).toBe(429);
      expect(await refused.json(), path).toMatchObject({ error: 'rate_limited' });
    }
  });

  it('counts /DEVICE/AUTH in the token limit', async () => {
    const product = await start({ RATE_LIMIT_TOKEN: '1/1m' });
    const ask = (path: string) => form(product.baseUrl, path, { client_id: 'spa', scope: 'openid' });
    expect((await ask('/DEVICE/AUTH')).status).not.toBe(429);
    for (const path of spellings('/device/auth')) expect((await ask(path)).status, path).toBe(429);
  });

  it('refuses /REG, /Reg and /reg/ once the registration limit is spent', async () => {
    const product = await start({ RATE_LIMIT_REGISTRATION: '1/1h', REGISTRATION: 'open' });
    const register = (path: string) =>
      fetch(`${product.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ redirect_uris: ['https://app.example.com/cb'], client_name: `app ${randomUUID()}` }),
      });
    expect((await register('/REG')).status).toBe(201);
    for (const path of spellings('/reg')) expect((await register(path)).status, path).toBe(429);
  });

  it('counts user codes entered at /DEVICE and /device/ as sign-in attempts', async () => {
    const product = await start({ RATE_LIMIT_SIGNIN_IP: '2/1m' });
    const enter = (path: string) => form(product.baseUrl, path, { user_code: 'ABCD-EFGH', xsrf: 'guess' });
    expect((await enter('/DEVICE')).status).not.toBe(429);
    expect((await enter('/device/')).status).not.toBe(429);
    for (const path of spellings('/device')) expect((await enter(path)).status, path).toBe(429);
  });

  it.each(['/token', '/me', '/token/revocation', '/token/introspection', '/device/auth', '/request'])(
    'refuses a preflight to every spelling of %s from a foreign origin',
    async (path) => {
      const product = await start({});
      for (const spelling of spellings(path)) {
        const preflight = await fetch(`${product.baseUrl}${spelling}`, {
          method: 'OPTIONS',
          headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' },
        });
        expect(preflight.status, spelling).toBe(403);
        expect(preflight.headers.get('access-control-allow-origin'), spelling).toBeNull();
      }
    },
  );

  it('finds a route for the spellings its router accepts, and only for those', () => {
    const canonical = canonicalPathFinder(['/token', '/reg/:clientId', '/interaction/:uid/events']);
    expect(canonical('/TOKEN')).toBe('/token');
    expect(canonical('/tOkEn/')).toBe('/token');
    expect(canonical('/REG/AbC')).toBe('/reg/AbC');
    expect(canonical('/Interaction/Xy_z/EVENTS/')).toBe('/interaction/Xy_z/events');
    for (const other of ['/token//', '/reg//', '/tokens', '/%74oken', '/to\u212Aen', '/interaction//events']) {
      expect(canonical(other), other).toBeUndefined();
    }
  });
});
