/**
 * The device flow's user-code form (RFC 8628 §3.3) posted without oidc-provider's session (no
 * cookie, cookies off, or the session expired) is a person's mistake, not our fault: a 400 with
 * a page that says what to do, never oidc-provider's 500 with a stack trace in the log.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText, inputValue } from '../support/browser.js';

describe('the device code form without its session', () => {
  let product: RunningProduct;
  beforeAll(async () => {
    product = await startProduct({ store: 'redis' });
  });
  afterAll(async () => {
    await product?.stop();
  });

  const post = (path: string, body: string, cookie?: string) =>
    fetch(`${product.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...(cookie ? { cookie } : {}) },
      body,
      redirect: 'manual',
    });

  it('answers a post without the session cookie, or after the session ended, with 400 and a page that says what to do', async () => {
    const before = product.logs.length;
    for (const path of ['/device', '/DEVICE', '/device/']) {
      for (const body of ['user_code=BCDF-GHJK', 'xsrf=0123abcd&user_code=BCDF-GHJK', '', 'xsrf=x&user_code=BCDF-GHJK&confirm=yes']) {
        const response = await post(path, body);
        const page = await response.text();
        expect(response.status, `${path} ${body}`).toBe(400);
        expect(elementText(page, 'error'), `${path} ${body}`).toMatch(
          /This form has expired, or your browser did not send its cookie\. Open http:\/\/127\.0\.0\.1:\d+\/device again/,
        );
      }
    }

    // The form was opened, then its session ended (expired, or the store lost it).
    const browser = new HttpBrowser(product.baseUrl);
    const form = await browser.navigate('/device');
    const xsrf = inputValue(form.body, 'xsrf')!;
    expect(xsrf).toBeTruthy();
    const sessionId = [...browser.cookies.values()].find((c) => c.name === '_session')!.value;
    await (await product.product.provider.Session.find(sessionId))!.destroy();
    const cookie = browser.cookieHeader(new URL(`${product.baseUrl}/device`));
    const ended = await post('/device', `xsrf=${xsrf}&user_code=BCDF-GHJK`, cookie);
    expect(ended.status).toBe(400);
    expect(elementText(await ended.text(), 'error')).toMatch(/This form has expired/);

    const lines = product.logs.slice(before);
    expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(JSON.stringify(lines)).not.toMatch(/"stack"|at .*node_modules/);
  });

  it('still checks codes posted with the session the form opened', async () => {
    const browser = new HttpBrowser(product.baseUrl);
    const form = await browser.navigate('/device');
    const page = await browser.request('/device', { form: { xsrf: inputValue(form.body, 'xsrf')!, user_code: 'BCDF-GHJK' } });
    // oidc-provider's own answer: the form again, saying the code is unknown.
    expect(page.status).toBe(400);
    expect(inputValue(page.body, 'xsrf')).toBeTruthy();
    expect(page.body).not.toMatch(/This form has expired/);
  });
});
