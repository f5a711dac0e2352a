/**
 * GET /auth stores an Interaction for INTERACTION_TTL before anyone signs in: authorization
 * requests are limited per client IP (generously), and what one request may store is bounded:
 * an over-long state, nonce, login_hint or any other parameter is a 400 that names it.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { startProduct, type RunningProduct } from '../support/product.js';
import { AUTHORIZATION_PARAMETER_LIMITS, OTHER_PARAMETER_LIMIT, PUSHED_REQUEST_MAX_BYTES } from '../../src/oidc/authorization-bounds.js';

const running: RunningProduct[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function start(env: Record<string, string> = {}): Promise<RunningProduct> {
  const product = await startProduct({ store: 'redis', env });
  running.push(product);
  return product;
}

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function authorize(product: RunningProduct, extra: Record<string, string> = {}, path = '/auth', headers: Record<string, string> = {}) {
  const query = new URLSearchParams({
    client_id: 'rp',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: product.redirectUri,
    state: 'state-1',
    nonce: 'nonce-1',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...extra,
  });
  return fetch(`${product.baseUrl}${path}?${query}`, { redirect: 'manual', headers: { accept: 'text/html', ...headers } });
}

/** An authorization request that reached the provider starts an interaction (a redirect and its cookie). */
const startedInteraction = (response: Response) =>
  response.status === 303 &&
  /^\/interaction\//.test(response.headers.get('location') ?? '') &&
  /_interaction=/.test(response.headers.get('set-cookie') ?? '');

describe('authorization requests', () => {
  it('limits authorization requests per client IP, in every spelling of /auth, and each client IP on its own', async () => {
    const product = await start({ RATE_LIMIT_AUTHORIZATION: '3/1m', TRUST_PROXY: 'true' });
    const office = { 'x-forwarded-for': '198.51.100.7' };
    for (const path of ['/auth', '/AUTH', '/auth/'])
      expect(startedInteraction(await authorize(product, {}, path, office)), path).toBe(true);
    for (const path of ['/auth', '/Auth', '/auth/']) {
      const refused = await authorize(product, {}, path, office);
      expect(refused.status, path).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.text()).toMatch(/Too many sign-in requests from your network\. Try again in/);
    }
    expect(startedInteraction(await authorize(product, {}, '/auth', { 'x-forwarded-for': '198.51.100.8' }))).toBe(true);
  });

  it.each(['state', 'nonce', 'login_hint', 'claims', 'ui_locales', 'prompt'])(
    'refuses an over-long %s with a 400 that names it, before anything is stored',
    async (name) => {
      const product = await start();
      const limit = AUTHORIZATION_PARAMETER_LIMITS[name] ?? OTHER_PARAMETER_LIMIT;
      const refused = await authorize(product, { [name]: 'x'.repeat(limit + 1) });
      expect(refused.status).toBe(400);
      expect(refused.headers.get('set-cookie')).toBeNull();
      const page = await refused.text();
      expect(page).toContain(`The parameter &#34;${name}&#34; is too long (at most ${limit} characters).`);
      const json = await authorize(product, { [name]: 'x'.repeat(15_000) }, '/auth', { accept: 'application/json' });
      expect(await json.json()).toMatchObject({
        error: 'invalid_request',
        error_description: expect.stringContaining(`"${name}" is too long`),
      });
    },
  );

  it('accepts a state and a nonce at their limits', async () => {
    const product = await start();
    const atLimit = Object.fromEntries(['state', 'nonce'].map((name) => [name, 'x'.repeat(AUTHORIZATION_PARAMETER_LIMITS[name]!)]));
    expect(startedInteraction(await authorize(product, atLimit))).toBe(true);
  });

  it('refuses an oversized pushed authorization request with a 413', async () => {
    const product = await start();
    const body = new URLSearchParams({
      client_id: 'spa',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: product.redirectUri,
      state: 'x'.repeat(PUSHED_REQUEST_MAX_BYTES),
    });
    const refused = await fetch(`${product.baseUrl}/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(refused.status).toBe(413);
    expect(await refused.json()).toMatchObject({ error: 'request_too_large' });
  });
});
