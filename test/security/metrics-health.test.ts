/**
 * Prometheus metrics at /metrics (sign-in attempts by outcome, challenge
 * latency, token issuance, rate-limit rejections, Redis), optionally behind a bearer token;
 * /healthz and /readyz; and the example alert rule of docs/monitoring.md names real metrics.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import * as oidc from 'openid-client';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, openLogin, sign, signIn, submitSignature } from '../support/wallet.js';

const TOKEN = 'metrics-token-0123456789abcdef0123456789abcdef';

describe('metrics and health', () => {
  let product: RunningProduct;
  let exposition: string;

  beforeAll(async () => {
    product = await startProduct({ store: 'redis', env: { METRICS_TOKEN: TOKEN, RATE_LIMIT_TOKEN: '4/1m' } });
    const config = await discover(product.baseUrl);
    const request = await authorizationRequest(config, product.redirectUri);
    const callback = await signIn(new HttpBrowser(product.baseUrl), request.url, KEYS.compressed, product.redirectUri);
    await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    const browser = new HttpBrowser(product.baseUrl);
    const login = await openLogin(browser, (await authorizationRequest(config, product.redirectUri)).url);
    await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, 'wrong'));
    // Past the token limit (the code grant above was the first request).
    for (let i = 0; i < 4; i += 1) await fetch(`${product.baseUrl}/token`, { method: 'POST' });
    const response = await fetch(`${product.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    exposition = await response.text();
  });
  afterAll(async () => product?.stop());

  it('requires the bearer token when one is configured', async () => {
    const missing = await fetch(`${product.baseUrl}/metrics`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    const wrong = await fetch(`${product.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}x` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('evrmore_');
  });

  it('counts sign-in attempts by outcome, challenge latency, tokens, rejections and Redis', () => {
    expect(exposition).toMatch(/^evrmore_signin_attempts_total\{channel="form",outcome="success",reason=""\} 1$/m);
    expect(exposition).toMatch(/^evrmore_signin_attempts_total\{channel="form",outcome="failure",reason="signature_mismatch"\} 1$/m);
    expect(exposition).toMatch(/^evrmore_challenge_issue_seconds_count 2$/m);
    expect(exposition).toMatch(/^evrmore_challenge_issue_seconds_bucket\{le="1"\} 2$/m);
    for (const type of ['authorization_code', 'access_token', 'id_token']) {
      expect(exposition).toMatch(new RegExp(`^evrmore_tokens_issued_total\\{type="${type}"\\} 1$`, 'm'));
    }
    expect(exposition).toMatch(/^evrmore_rate_limit_rejections_total\{limit="token"\} 1$/m);
    expect(exposition).toMatch(/^evrmore_redis_up 1$/m);
    expect(exposition).toMatch(/^evrmore_redis_errors_total 0$/m);
    expect(exposition).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('serves /healthz and /readyz', async () => {
    const health = await fetch(`${product.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${product.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    expect(ready.headers.get('cache-control')).toBe('no-store');
  });

  it('leaves /metrics open without a token, and the in-memory store is always ready', async () => {
    const open = await startProduct({ store: 'memory' });
    try {
      expect((await fetch(`${open.baseUrl}/metrics`)).status).toBe(200);
      expect((await fetch(`${open.baseUrl}/readyz`)).status).toBe(200);
    } finally {
      await open.stop();
    }
  });

  it('documents an alert rule for repeated failures on metrics that exist', () => {
    const doc = readFileSync(new URL('../../docs/monitoring.md', import.meta.url), 'utf8');
    const rules = /```yaml\n(groups:[\s\S]*?)```/.exec(doc)?.[1];
    expect(rules).toBeDefined();
    expect(rules).toMatch(
      /alert: EvrmoreRepeatedSignInFailures\n\s+#[^\n]*\n(\s+#[^\n]*\n)*\s+expr: increase\(evrmore_auth_alerts_total\[15m\]\) > 0/,
    );
    for (const metric of new Set(rules!.match(/evrmore_[a-z_]+/g))) {
      const base = metric.replace(/_(bucket|count|sum)$/, '');
      expect(exposition, metric).toContain(`# TYPE ${base} `);
    }
  });
});
