/**
 * Device-flow user codes are short enough to guess (RFC 8628 §5.1): wrong codes are limited
 * service-wide, not only per IP, so guessing from many addresses stops too; and each wrong code
 * counts toward its IP's auth.alert like a wrong signature.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser, inputValue } from '../support/browser.js';

describe('device user code guesses', () => {
  let running: RunningProduct;

  beforeAll(async () => {
    running = await startProduct({
      store: 'memory',
      env: { TRUST_PROXY: 'true', RATE_LIMIT_USER_CODE_GUESSES: '4/10m', FAILURE_ALERT_THRESHOLD: '2', FAILURE_LOCKOUT: '0' },
    });
  });
  afterAll(async () => {
    await running?.stop();
  });

  const enter = async (ip: string, userCode: string) => {
    const browser = new HttpBrowser(running.baseUrl);
    const headers = { 'x-forwarded-for': ip };
    const input = await browser.request('/device', { headers });
    const action = /<form method="post" action="([^"]+)"/.exec(input.body)![1]!;
    return browser.request(action, { form: { xsrf: inputValue(input.body, 'xsrf')!, user_code: userCode }, headers });
  };

  it('alerts on wrong codes from one IP, and stops code entry for everyone once wrong codes from many IPs reach the service-wide limit', async () => {
    expect((await enter('198.51.100.1', 'BCDF-GHJK')).status).toBe(400);
    expect((await enter('198.51.100.1', 'BCDF-GHJL')).status).toBe(400);
    await expect
      .poll(() => running.logs.find((l) => l.event === 'auth.alert'))
      .toMatchObject({ kind: 'ip', ip: '198.51.100.1', last_reason: 'user_code_not_found', failures: 2 });

    expect((await enter('198.51.100.2', 'BCDF-GHJM')).status).toBe(400);
    expect((await enter('198.51.100.3', 'BCDF-GHJN')).status).toBe(400);
    await expect.poll(async () => (await enter('198.51.100.4', 'BCDF-GHJP')).status).toBe(429);
    const refused = await enter('203.0.113.9', 'BCDF-GHJQ');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body).toContain('Too many wrong device codes were entered on this service');
  });
});
