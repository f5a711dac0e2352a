/**
 * OAuth 2.0 Device Authorization Grant (RFC 8628) with wallet login, end to end: the device
 * asks for a code and polls; the person enters the code on this provider's page, signs the
 * challenge with the test wallet, and the device gets tokens. Also the answers a device must
 * understand: authorization_pending, slow_down (§3.5), expired_token, and wrong, expired and
 * reused user codes on the page.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startProduct, defaultClients, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText, type Page } from '../support/browser.js';
import { KEYS, finishToRelyingParty, readLoginPage, sign, submitSignature } from '../support/wallet.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

describe('device authorization grant with wallet login (RFC 8628)', () => {
  let running: RunningProduct;

  beforeAll(async () => {
    running = await startProduct({
      store: 'redis',
      env: { DEVICE_CODE_TTL: '8s' },
      clients: (redirectUri) => [
        ...defaultClients(redirectUri),
        {
          client_id: 'tv',
          client_name: 'Living room TV',
          token_endpoint_auth_method: 'none',
          grant_types: [DEVICE_GRANT, 'refresh_token'],
          response_types: [],
        },
      ],
    });
  });
  afterAll(async () => running?.stop());

  const authorizeDevice = async (): Promise<DeviceAuthorization> => {
    const response = await fetch(`${running.baseUrl}/device/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'tv', scope: 'openid profile evrmore offline_access' }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as DeviceAuthorization;
  };

  const poll = async (deviceCode: string) => {
    const response = await fetch(`${running.baseUrl}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: 'tv' }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };

  /** The person's side: enter the code on the verification page and confirm the device. */
  const enterCode = async (browser: HttpBrowser, userCode: string): Promise<Page> => {
    const input = await browser.navigate('/device');
    expect(input.status).toBe(200);
    const action = /<form method="post" action="([^"]+)"/.exec(input.body)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(input.body)![1]!;
    return browser.request(action, { form: { xsrf, user_code: userCode } });
  };

  const confirm = async (browser: HttpBrowser, page: Page): Promise<Page> => {
    const action = /<form method="post" action="([^"]+)"/.exec(page.body)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.body)![1]!;
    const userCode = /name="user_code" value="([^"]+)"/.exec(page.body)![1]!;
    return browser.navigate(action, { form: { xsrf, user_code: userCode, confirm: 'yes' } });
  };

  it('signs a device in: code page, confirmation, wallet login, consent, tokens at the device', async () => {
    const device = await authorizeDevice();
    expect(device.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(device.verification_uri).toBe(`${running.baseUrl}/device`);
    expect(device.verification_uri_complete).toBe(`${running.baseUrl}/device?user_code=${device.user_code}`);
    expect(device.interval).toBe(5);

    // RFC 8628 §3.5: before the person acts, the device hears authorization_pending.
    expect((await poll(device.device_code)).body.error).toBe('authorization_pending');

    const browser = new HttpBrowser(running.baseUrl);
    const confirmation = await enterCode(browser, device.user_code.toLowerCase().replace('-', ''));
    expect(confirmation.status).toBe(200);
    expect(elementText(confirmation.body, 'user-code')).toBe(device.user_code);
    // A configured client is marked verified (a registered one shows where it is from instead).
    expect(elementText(confirmation.body, 'client-verified')).toMatch(/verified/);
    expect(confirmation.body).toContain('Living room TV');

    const loginPage = await confirm(browser, confirmation);
    const login = readLoginPage(loginPage);
    expect(login.text).toContain('Living room TV');
    const posted = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    // Consent, then the success page (not a redirect to a client: devices have none).
    let page = await browser.navigate(new URL(posted.headers.get('location')!, running.baseUrl).href);
    const consent = /action="(\/interaction\/[^"]+\/confirm)"/.exec(page.body)?.[1];
    expect(consent).toBeTruthy();
    page = await browser.navigate(consent!, { form: {} });
    expect(page.status).toBe(200);
    expect(elementText(page.body, 'result')).toMatch(/Living room TV on your device is signed in/);

    // Polling again right away is too fast: slow_down (§3.5), then tokens after the interval.
    const tooFast = await poll(device.device_code);
    expect(['slow_down', undefined]).toContain(tooFast.body.error);
    if (tooFast.body.error === 'slow_down') await new Promise((r) => setTimeout(r, (device.interval + 5) * 1000));
    const tokens = tooFast.body.error ? await poll(device.device_code) : tooFast;
    expect(tokens.status).toBe(200);
    const { payload } = await jwtVerify(tokens.body.id_token!, createRemoteJWKSet(new URL(`${running.baseUrl}/jwks`)), {
      issuer: running.baseUrl,
      audience: 'tv',
    });
    expect(payload.sub).toBe(KEYS.compressed.address);
    expect(payload.evrmore_address).toBe(KEYS.compressed.address);
    expect(tokens.body.refresh_token).toBeTruthy();
    // The device code is spent.
    expect((await poll(device.device_code)).body.error).toBe('invalid_grant');
  }, 30_000);

  it('answers slow_down to a device polling faster than its interval', async () => {
    const device = await authorizeDevice();
    const first = await poll(device.device_code);
    const second = await poll(device.device_code);
    expect(first.body.error).toBe('authorization_pending');
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('slow_down');
  });

  it('tells wrong, expired and reused user codes apart on the page, and the device hears expired_token', async () => {
    const browser = new HttpBrowser(running.baseUrl);
    const wrong = await enterCode(browser, 'BBBB-BBBB');
    expect(wrong.status).toBe(400);
    expect(elementText(wrong.body, 'error')).toMatch(/not valid/);
    const empty = await enterCode(browser, '');
    expect(elementText(empty.body, 'error')).toMatch(/Enter the code/);

    // Reused: a code whose sign-in is already under way or done.
    const used = await authorizeDevice();
    await confirm(browser, await enterCode(browser, used.user_code));
    const again = await enterCode(new HttpBrowser(running.baseUrl), used.user_code);
    expect(again.status).toBe(400);
    expect(elementText(again.body, 'error')).toMatch(/already used/);

    const expiring = await authorizeDevice();
    await new Promise((r) => setTimeout(r, 8500));
    const expired = await enterCode(new HttpBrowser(running.baseUrl), expiring.user_code);
    expect(expired.status).toBe(400);
    expect(elementText(expired.body, 'error')).toMatch(/expired/);
    expect((await poll(expiring.device_code)).body.error).toBe('expired_token');
  }, 30_000);

  it('lets the person cancel a device on the confirmation page: access_denied at the device', async () => {
    const device = await authorizeDevice();
    const browser = new HttpBrowser(running.baseUrl);
    const confirmation = await enterCode(browser, device.user_code);
    const action = /<form method="post" action="([^"]+)"/.exec(confirmation.body)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirmation.body)![1]!;
    const aborted = await browser.request(action, { form: { xsrf, user_code: device.user_code, abort: 'yes' } });
    expect(elementText(aborted.body, 'error')).toMatch(/cancelled/);
    expect((await poll(device.device_code)).body.error).toBe('access_denied');
  });

  it('runs the documented device example: QR in the terminal, polling, signed in', async () => {
    const child = spawn(process.execPath, ['examples/device/device-login.mjs'], {
      env: { ...process.env, ISSUER: running.baseUrl, CLIENT_ID: 'tv' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await expect.poll(() => output, { timeout: 10_000 }).toMatch(/enter [A-Z]{4}-[A-Z]{4}/);
    expect(output).toMatch(/[\u2580-\u259f]/); // the QR code's block characters
    const userCode = /enter ([A-Z]{4}-[A-Z]{4})/.exec(output)![1]!;
    const browser = new HttpBrowser(running.baseUrl);
    const login = readLoginPage(await confirm(browser, await enterCode(browser, userCode)));
    const posted = await submitSignature(browser, login, KEYS.uncompressed.address, sign(KEYS.uncompressed, login.text));
    const page = await browser.navigate(new URL(posted.headers.get('location')!, running.baseUrl).href);
    await browser.navigate(/action="(\/interaction\/[^"]+\/confirm)"/.exec(page.body)![1]!, { form: {} });
    expect(await exited).toBe(0);
    expect(output).toContain(`Signed in as ${KEYS.uncompressed.address}`);
  }, 30_000);

  it('keeps redirect-based sign-in working for other clients alongside', async () => {
    const { authorizationRequest, discover } = await import('../support/wallet.js');
    const rp = await discover(running.baseUrl);
    const request = await authorizationRequest(rp, running.redirectUri);
    const browser = new HttpBrowser(running.baseUrl);
    const login = readLoginPage(await browser.navigate(request.url.href));
    const posted = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    const callback = await finishToRelyingParty(browser, posted, running.redirectUri);
    expect(callback.searchParams.get('code')).toBeTruthy();
  });
});
