/**
 * A real redis-server stopped mid-sign-in. The product answers 503 with a clear
 * message (and /readyz fails) instead of hanging or crashing, keeps nothing queued, serves
 * again by itself when Redis returns, completes the sign-in, and never redeems a challenge twice.
 * The server keeps its data across the restart (append-only file), as a production Redis does.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText } from '../support/browser.js';
import { KEYS, authorizationRequest, continueAfterPhone, discover, finishToRelyingParty, openLogin, sign } from '../support/wallet.js';

async function waitForReadyz(baseUrl: string, status: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let last: unknown;
  while (Date.now() - started < timeoutMs) {
    const response = await fetch(`${baseUrl}/readyz`);
    last = { status: response.status, body: await response.json() };
    if (response.status === status) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`/readyz did not answer ${status} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

describe('Redis outage mid-flow', () => {
  let redis: RedisServer;
  let product: RunningProduct;

  beforeAll(async () => {
    redis = await startRedisServer(['--appendonly', 'yes', '--appendfsync', 'always']);
    product = await startProduct({ store: 'redis', env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await product?.stop();
    await redis?.stop();
  });

  it('answers 503 while Redis is away, recovers by itself, completes the sign-in and redeems once', async () => {
    const config = await discover(product.baseUrl);
    const request = await authorizationRequest(config, product.redirectUri);
    const desktop = new HttpBrowser(product.baseUrl);
    const login = await openLogin(desktop, request.url);
    const walletUrl = `${product.baseUrl}/w/${login.challengeId}`;
    const signature = sign(KEYS.compressed, login.text);
    const phone = (body: unknown) =>
      fetch(walletUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await phone({ address: KEYS.compressed.address, signature })).status).toBe(200);

    await redis.stop();
    await waitForReadyz(product.baseUrl, 503, 5000);

    const ready = await fetch(`${product.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/Redis/) });
    expect((await fetch(`${product.baseUrl}/healthz`)).status).toBe(200);

    // The desktop's continue: a page that says what is wrong, with Retry-After.
    const continued = await desktop.request(`/interaction/${login.uid}/continue`, { form: {} });
    expect(continued.status).toBe(503);
    expect(continued.headers.get('retry-after')).toBe('5');
    expect(elementText(continued.body, 'error')).toMatch(/cannot reach its database.*try again in a minute/i);
    // A wallet app gets JSON; the provider's endpoints answer 503 too, not 500.
    const again = await phone({ address: KEYS.compressed.address, signature });
    expect(again.status).toBe(503);
    expect(await again.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect((await fetch(request.url, { redirect: 'manual' })).status).toBe(503);
    const token = await fetch(`${product.baseUrl}/token`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(token.status).toBe(503);
    // Configuration needs no store and stays up.
    expect((await fetch(`${product.baseUrl}/.well-known/openid-configuration`)).status).toBe(200);

    // A burst during the outage: every answer is a quick 503 and nothing waits in a queue.
    const started = performance.now();
    const burst = await Promise.all(
      Array.from({ length: 100 }, () =>
        fetch(`${product.baseUrl}/interaction/${login.uid}/status`, { headers: { accept: 'application/json' } }),
      ),
    );
    expect(burst.every((r) => r.status === 503)).toBe(true);
    expect(performance.now() - started, 'a hundred refusals, each at once').toBeLessThan(5000);
    const client = product.product.redis as unknown as { offlineQueue: { length: number }; commandQueue: { length: number } };
    expect(client.offlineQueue.length, 'commands queued while disconnected').toBe(0);
    expect(client.commandQueue.length, 'commands waiting for a reply').toBe(0);

    const metrics = await (await fetch(`${product.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^evrmore_redis_up 0$/m);
    expect(Number(/^evrmore_redis_errors_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);

    await redis.restart();
    // ioredis retries with a back-off of at most 2 s: back within a few seconds, by itself.
    await waitForReadyz(product.baseUrl, 200, 15_000);

    // Nothing was redeemed during the outage: the challenge is still signed, once.
    expect(await product.product.challenges.get(login.challengeId)).toMatchObject({ state: 'signed', address: KEYS.compressed.address });

    const resumed = await continueAfterPhone(desktop, login);
    expect(resumed.status).toBe(303);
    const callback = await finishToRelyingParty(desktop, resumed, product.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.claims()?.sub).toBe(KEYS.compressed.address);

    // And never again: not by the wallet URL, not by the service itself.
    const replay = await phone({ address: KEYS.compressed.address, signature });
    expect(replay.status).toBe(409);
    expect(await replay.json()).toMatchObject({ error: 'challenge_redeemed' });
    const challenge = (await product.product.challenges.get(login.challengeId))!;
    expect(challenge.state).toBe('redeemed');
    await expect(product.product.challenges.redeemSigned({ ...challenge, state: 'signed' }, KEYS.compressed.address)).rejects.toMatchObject(
      { status: 409, code: 'challenge_redeemed' },
    );

    const events = product.logs.map((l) => l.event);
    expect(events).toContain('redis.lost');
    expect(events).toContain('redis.restored');
    expect(product.logs.filter((l) => l.msg === 'unhandled error')).toEqual([]);
    // The outage's log lines name no capability or secret either.
    for (const secret of [login.uid, login.challengeId, signature, tokens.access_token]) expect(product.rawLogs()).not.toContain(secret);
  });

  it('signs in from scratch after the outage', async () => {
    const config = await discover(product.baseUrl);
    const request = await authorizationRequest(config, product.redirectUri);
    const browser = new HttpBrowser(product.baseUrl);
    const login = await openLogin(browser, request.url);
    const posted = await browser.request(`/interaction/${login.uid}/login`, {
      form: { address: KEYS.uncompressed.address, signature: sign(KEYS.uncompressed, login.text), challenge_id: login.challengeId },
    });
    const callback = await finishToRelyingParty(browser, posted, product.redirectUri);
    expect(callback.searchParams.get('code')).toBeTruthy();
  });
});
