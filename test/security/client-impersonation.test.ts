/**
 * A relying party cannot pass for another by its name (with dynamic registration on): a
 * registered client's sign-in, consent, device and account pages, and the text the wallet
 * signs, show the registrable domain it sends the person to; configured clients are marked
 * verified; a registered name equal to a configured client's, containing a host, too long or
 * with characters outside letters, digits and a little punctuation is refused; the text to sign
 * starts with the provider's host and quotes the name, whatever the name holds.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText, inputValue, type Page } from '../support/browser.js';
import {
  KEYS,
  authorizationRequest,
  discover,
  finishToRelyingParty,
  openLogin,
  readLoginPage,
  sign,
  submitSignature,
} from '../support/wallet.js';
import { challengeText, isShellSafe } from '../../src/challenge/text.js';

const EVIL_REDIRECT = 'https://grafana.com.evil.example/cb';
const person = KEYS.compressed;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

describe('relying parties cannot pose as others by name', () => {
  let running: RunningProduct;
  let issuerHost: string;

  beforeAll(async () => {
    running = await startProduct({ store: 'memory', env: { REGISTRATION: 'open' } });
    issuerHost = new URL(running.baseUrl).host;
  });
  afterAll(async () => {
    await running?.stop();
  });

  const register = async (metadata: Record<string, unknown>) => {
    const response = await fetch(`${running.baseUrl}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(metadata),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };
  const webClient = (name: string) => ({
    client_name: name,
    redirect_uris: [EVIL_REDIRECT],
    token_endpoint_auth_method: 'client_secret_basic',
  });

  it("refuses a registered name that is a configured client's, holds a host, is too long or has odd characters", async () => {
    const refusals: Array<[string, RegExp]> = [
      ['Test RP', /name of an application configured by this provider/],
      ['  test   rp ', /name of an application configured by this provider/],
      ['Grafana at id.example.com', /must not contain a host name/],
      ['x'.repeat(50_000), /at most 60 characters/],
      ['Test RP\u202E', /letters, digits, spaces/],
      ['Say "hi"', /letters, digits, spaces/],
      ['Line\nbreak', /letters, digits, spaces/],
    ];
    for (const [name, message] of refusals) {
      const { status, body } = await register(webClient(name));
      expect(status, name.slice(0, 40)).toBe(400);
      expect(body).toMatchObject({ error: 'invalid_client_metadata', error_description: expect.stringMatching(message) });
    }
    expect((await register(webClient('Lookalike'))).status).toBe(201);
  });

  it('marks a configured client verified, and the text to sign starts with the provider host and quotes its name', async () => {
    const rp = await discover(running.baseUrl);
    const login = await openLogin(new HttpBrowser(running.baseUrl), (await authorizationRequest(rp, running.redirectUri, 'openid')).url);
    expect(elementText(login.page.body, 'client-verified')).toMatch(/verified/);
    expect(elementText(login.page.body, 'client-host')).toBeUndefined();
    expect(
      login.text.startsWith(`${issuerHost}: sign in to «Test RP» with Evrmore. Sign only if you started this sign-in yourself. Nonce `),
    ).toBe(true);
    expect(isShellSafe(login.text)).toBe(true);
  });

  it("shows a registered client's redirect domain on the sign-in and consent pages, in the text to sign and on the account page", async () => {
    const { body: client } = await register(webClient('Lookalike'));
    const config = new oidc.Configuration((await discover(running.baseUrl)).serverMetadata(), client.client_id!, client.client_secret);
    oidc.allowInsecureRequests(config);
    const browser = new HttpBrowser(running.baseUrl);
    const request = await authorizationRequest(config, EVIL_REDIRECT, 'openid');
    const login = await openLogin(browser, request.url);
    expect(elementText(login.page.body, 'client-host')).toBe('evil.example');
    expect(elementText(login.page.body, 'client-verified')).toBeUndefined();
    expect(login.text.startsWith(`${issuerHost}: sign in to «Lookalike» (evil.example) with Evrmore. `)).toBe(true);
    expect(isShellSafe(login.text)).toBe(true);

    const posted = await submitSignature(browser, login, person.address, sign(person, login.text));
    const consent = await browser.navigate(new URL(posted.headers.get('location')!, running.baseUrl).href);
    expect(consent.body).toContain('/confirm');
    expect(elementText(consent.body, 'client-host')).toBe('evil.example');
    await finishToRelyingParty(browser, consent, EVIL_REDIRECT);

    const accountBrowser = new HttpBrowser(running.baseUrl);
    const accountLogin = readLoginPage(await accountBrowser.navigate('/account'));
    const account: Page = await accountBrowser.navigate(
      new URL(
        (await submitSignature(accountBrowser, accountLogin, person.address, sign(person, accountLogin.text))).headers.get('location')!,
        running.baseUrl,
      ).href,
    );
    expect(inputValue(account.body, 'csrf')).toBeTruthy();
    expect(account.body).toContain('<span class="client-name">Lookalike (evil.example)</span>');
  });

  it('names a registered device client as unverified on the device confirmation page', async () => {
    const { body: client } = await register({
      client_name: 'Living room TV',
      grant_types: [DEVICE_GRANT],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'none',
    });
    const device = (await (
      await fetch(`${running.baseUrl}/device/auth`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: client.client_id!, scope: 'openid' }),
      })
    ).json()) as { user_code: string };
    const browser = new HttpBrowser(running.baseUrl);
    const input = await browser.navigate('/device');
    const action = /<form method="post" action="([^"]+)"/.exec(input.body)![1]!;
    const confirmation = await browser.request(action, { form: { xsrf: inputValue(input.body, 'xsrf')!, user_code: device.user_code } });
    expect(confirmation.body).toContain('Living room TV (unverified) on a device asks to sign in');
    expect(elementText(confirmation.body, 'client-verified')).toBeUndefined();
  });

  it('keeps the text to sign unambiguous whatever a configured name holds', () => {
    const base = { issuerHost: 'id.example.com', clientId: 'x', nonce: '0'.repeat(32), expiresAt: 1_900_000_000 };
    for (const clientName of [
      'Grafana» at other.example «x',
      'Evil\u202Egnp.exe',
      'a"b$c`d\\e!f\'g',
      'Tab\tand\u0000nul\u200Bzero-width',
      '«»',
    ]) {
      const text = challengeText({ ...base, clientName });
      expect(isShellSafe(text)).toBe(true);
      const match =
        /^id\.example\.com: sign in to «([^«»]*)» with Evrmore\. Sign only if you started this sign-in yourself\. Nonce 0{32} expires \S+$/.exec(
          text,
        );
      expect(match, text).not.toBeNull();
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
      expect(match![1]).not.toMatch(/[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/);
    }
    expect(challengeText({ ...base, clientName: '«»' })).toContain('«x»');
  });
});
