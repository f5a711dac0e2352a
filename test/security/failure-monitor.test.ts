/**
 * Repeated failed sign-ins from one IP or against one address raise an
 * `auth.alert` log event, a metric and a webhook POST, and lock that IP out for a while; the
 * webhook never holds up the request.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import type * as oidc from 'openid-client';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, openLogin, sign, submitSignature, type LoginPage } from '../support/wallet.js';

interface Hook {
  server: Server;
  url: string;
  received: Array<Record<string, unknown>>;
  /** While set, requests are held until it resolves. */
  hold?: Promise<void>;
}

async function webhookReceiver(): Promise<Hook> {
  const hook: Hook = { server: createServer(), url: '', received: [] };
  hook.server.on('request', async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    hook.received.push({ ...JSON.parse(Buffer.concat(chunks).toString('utf8')), _contentType: req.headers['content-type'] });
    if (hook.hold) await hook.hold;
    res.writeHead(204).end();
  });
  hook.server.listen(0, '127.0.0.1');
  await once(hook.server, 'listening');
  const address = hook.server.address();
  hook.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/alerts`;
  return hook;
}

describe('repeated failures: alert, metric, webhook and lock-out', () => {
  let hook: Hook;
  let product: RunningProduct;
  let config: oidc.Configuration;

  beforeAll(async () => {
    hook = await webhookReceiver();
    product = await startProduct({
      store: 'redis',
      env: {
        TRUST_PROXY: 'true',
        FAILURE_ALERT_THRESHOLD: '3',
        FAILURE_WINDOW: '1m',
        FAILURE_LOCKOUT: '2s',
        ALERT_WEBHOOK_URL: hook.url,
        CHALLENGE_MAX_ATTEMPTS: '20',
      },
    });
    config = await discover(product.baseUrl);
  });
  afterAll(async () => {
    await product?.stop();
    hook?.server.closeAllConnections();
    hook?.server.close();
  });

  const open = async (): Promise<{ browser: HttpBrowser; login: LoginPage }> => {
    const browser = new HttpBrowser(product.baseUrl);
    return { browser, login: await openLogin(browser, (await authorizationRequest(config, product.redirectUri)).url) };
  };
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const post = (browser: HttpBrowser, login: LoginPage, address: string, signature: string, ip: string) =>
    browser.request(`/interaction/${login.uid}/login`, {
      form: { address, signature, challenge_id: login.challengeId },
      headers: from(ip),
    });

  it('locks an IP out after the threshold of failures, raises auth.alert, counts it and calls the webhook', async () => {
    const attacker = '203.0.113.66';
    const { browser, login } = await open();
    for (let i = 0; i < 3; i += 1) {
      const page = await post(browser, login, KEYS.compressed.address, sign(KEYS.compressed, `guess ${i}`), attacker);
      expect(page.status).toBe(400);
    }

    const alerts = product.logs.filter((l) => l.event === 'auth.alert' && l.kind === 'ip');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      level: 40,
      ip: attacker,
      client_id: 'rp',
      failures: 3,
      window_seconds: 60,
      locked_out_seconds: 2,
      last_reason: 'signature_mismatch',
    });

    // Locked out: even the right signature is refused, with Retry-After and the time on the page.
    const locked = await post(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text), attacker);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(2);
    expect(elementText(locked.body, 'error')).toMatch(
      /Too many failed sign-ins from your network\. Try again in \d seconds? \(at \d\d:\d\d:\d\d UTC\)\./,
    );
    expect(product.logs.filter((l) => l.event === 'auth.attempt' && l.reason === 'locked_out')).toHaveLength(1);

    // Someone else behind another address signs in meanwhile.
    const other = await post(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text), '198.51.100.20');
    expect(other.status).toBe(303);

    await product.product.monitor.settle();
    expect(hook.received).toContainEqual(
      expect.objectContaining({
        event: 'auth.alert',
        kind: 'ip',
        ip: attacker,
        failures: 3,
        locked_out_seconds: 2,
        _contentType: 'application/json',
      }),
    );

    const metrics = await (await fetch(`${product.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/evrmore_auth_alerts_total\{kind="ip"\} 1/);
    expect(metrics).toMatch(/evrmore_lockouts_total 1/);
    expect(metrics).toMatch(/evrmore_rate_limit_rejections_total\{limit="lockout"\} 1/);

    // The lock-out lifts by itself.
    await new Promise((r) => setTimeout(r, 2100));
    const again = await open();
    const after = await post(again.browser, again.login, KEYS.compressed.address, sign(KEYS.compressed, again.login.text), attacker);
    expect(after.status).toBe(303);
  });

  it('alerts on failures against one address from many IPs without locking those IPs out', async () => {
    const { browser, login } = await open();
    const target = KEYS.uncompressed.address;
    for (let i = 0; i < 3; i += 1) {
      const page = await post(browser, login, target, sign(KEYS.compressed, login.text), `192.0.2.${100 + i}`);
      expect(page.status).toBe(400);
    }
    const alert = product.logs.find((l) => l.event === 'auth.alert' && l.kind === 'address' && l.address === target);
    expect(alert).toMatchObject({ address: target, failures: 3, locked_out_seconds: 0 });
    // One failure each: none of those IPs is locked.
    const fresh = await open();
    expect(
      (await post(fresh.browser, fresh.login, KEYS.compressed.address, sign(KEYS.compressed, fresh.login.text), '192.0.2.100')).status,
    ).toBe(303);
    await product.product.monitor.settle();
    expect(hook.received).toContainEqual(expect.objectContaining({ kind: 'address', address: target }));
  });

  it('does not hold up the request that raises an alert while the webhook is slow', async () => {
    let release!: () => void;
    hook.hold = new Promise((resolve) => {
      release = resolve;
    });
    const { browser, login } = await open();
    const ip = '203.0.113.77';
    await post(browser, login, KEYS.compressed.address, sign(KEYS.compressed, 'a'), ip);
    await post(browser, login, KEYS.compressed.address, sign(KEYS.compressed, 'b'), ip);
    const started = performance.now();
    const third = await post(browser, login, KEYS.compressed.address, sign(KEYS.compressed, 'c'), ip);
    const elapsed = performance.now() - started;
    expect(third.status).toBe(400);
    expect(product.logs.some((l) => l.event === 'auth.alert' && l.ip === ip)).toBe(true);
    // The webhook has not answered, yet the person had their answer.
    expect(elapsed).toBeLessThan(1000);
    release();
    hook.hold = undefined;
    await product.product.monitor.settle();
    expect(hook.received.some((a) => a.ip === ip)).toBe(true);
  });

  it('does not count a challenge that merely expired or was not signed yet', async () => {
    const { browser, login } = await open();
    const ip = '203.0.113.88';
    for (let i = 0; i < 4; i += 1) {
      const page = await browser.request(`/interaction/${login.uid}/continue`, { form: {}, headers: from(ip) });
      expect(page.status).toBe(409);
    }
    expect(product.logs.some((l) => l.event === 'auth.alert' && l.ip === ip)).toBe(false);
    expect((await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text))).status).toBe(303);
  });
});
