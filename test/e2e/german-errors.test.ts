/**
 * A German page shows its errors in German: the page's language (ui_locales, OIDC Core
 * §3.1.2.1, or Accept-Language) also words the refusals of src/errors.ts, on the page and in a
 * wallet's JSON; the `error` code stays the same in every language. Real HTTP against the product.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type * as oidc from 'openid-client';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText, type Page } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, openLogin, sign, submitSignature, type LoginPage } from '../support/wallet.js';

/** A browser that sends the same extra headers (language, client IP) with every request. */
class BrowserWith extends HttpBrowser {
  constructor(
    origin: string,
    private readonly extra: Record<string, string>,
  ) {
    super(origin);
  }

  protected override send(target: URL, method: string, headers: Record<string, string>, body: string | undefined): Promise<Page> {
    return super.send(target, method, { ...this.extra, ...headers }, body);
  }
}

const WRONG_SIGNATURE_DE = 'Die Signatur passt nicht zu dieser Adresse und diesem Text. (noch 2 Versuche für diesen Text)';

describe('errors on a German page', () => {
  let running: RunningProduct;
  let config: oidc.Configuration;
  let nextIp = 1;

  beforeAll(async () => {
    running = await startProduct({
      store: 'memory',
      env: { CHALLENGE_MAX_ATTEMPTS: '3', TRUST_PROXY: 'true', FAILURE_ALERT_THRESHOLD: '3', FAILURE_WINDOW: '1m', FAILURE_LOCKOUT: '30s' },
    });
    config = await discover(running.baseUrl);
  });
  afterAll(async () => running?.stop());

  /** A sign-in page opened from its own IP (so lock-outs of one test do not reach another). */
  const open = async (
    options: { acceptLanguage?: string; uiLocales?: string } = {},
  ): Promise<{ browser: HttpBrowser; login: LoginPage }> => {
    const headers: Record<string, string> = { 'x-forwarded-for': `192.0.2.${nextIp++}` };
    if (options.acceptLanguage) headers['accept-language'] = options.acceptLanguage;
    const browser = new BrowserWith(running.baseUrl, headers);
    const request = await authorizationRequest(
      config,
      running.redirectUri,
      undefined,
      options.uiLocales ? { ui_locales: options.uiLocales } : {},
    );
    return { browser, login: await openLogin(browser, request.url) };
  };

  const errorOf = (page: Page) => elementText(page.body, 'error') ?? '';

  it('shows a wrong signature in German when the relying party asked for German (ui_locales=de)', async () => {
    const { browser, login } = await open({ uiLocales: 'de' });
    expect(login.page.body).toContain('<html lang="de">');
    const page = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, 'some other text'));
    expect(page.status).toBe(400);
    expect(errorOf(page)).toBe(WRONG_SIGNATURE_DE);
  });

  it('shows a wrong signature in German to a browser that asks for German (Accept-Language), in English otherwise', async () => {
    const german = await open({ acceptLanguage: 'de-DE,de;q=0.9,en;q=0.5' });
    const page = await submitSignature(german.browser, german.login, KEYS.compressed.address, sign(KEYS.uncompressed, german.login.text));
    expect(page.status).toBe(400);
    expect(errorOf(page)).toBe(WRONG_SIGNATURE_DE);
    const english = await open();
    const same = await submitSignature(
      english.browser,
      english.login,
      KEYS.compressed.address,
      sign(KEYS.uncompressed, english.login.text),
    );
    expect(errorOf(same)).toBe('The signature does not match this address and message. (2 tries left for this text)');
  });

  it('words the address refusals in German', async () => {
    const { browser, login } = await open({ uiLocales: 'de' });
    const page = await submitSignature(browser, login, KEYS.testnet.address, sign(KEYS.testnet, login.text));
    expect(errorOf(page)).toBe(
      'Dies ist eine testnet-Adresse; dieser Dienst nimmt mainnet-Adressen an (beginnend mit E). (noch 2 Versuche für diesen Text)',
    );
  });

  it('refuses a malformed body in German', async () => {
    const { browser, login } = await open({ acceptLanguage: 'de' });
    const tooLong = await browser.request(`/interaction/${login.uid}/login`, {
      form: { address: KEYS.compressed.address, signature: 'A'.repeat(201) },
    });
    expect(tooLong.status).toBe(400);
    expect(errorOf(tooLong)).toBe('Das Feld „signature“ ist zu lang (höchstens 200 Zeichen).');
    const unknown = await browser.request(`/interaction/${login.uid}/login`, { form: { address: KEYS.compressed.address, password: 'x' } });
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown)).toBe('Die Anfrage enthält Felder, die dieses Formular nicht annimmt: "password".');
  });

  it('refuses a malformed body in the language of the page, which the relying party asked for (ui_locales=de)', async () => {
    const { browser, login } = await open({ uiLocales: 'de' });
    const tooLong = await browser.request(`/interaction/${login.uid}/login`, {
      form: { address: KEYS.compressed.address, signature: 'A'.repeat(201) },
    });
    expect(tooLong.status).toBe(400);
    expect(errorOf(tooLong)).toBe('Das Feld „signature“ ist zu lang (höchstens 200 Zeichen).');
    // The page still signs in.
    const page = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    expect(page.status).toBe(303);
  });

  it('answers a wallet app in its language, with the same error code', async () => {
    const { login } = await open({ uiLocales: 'de' });
    const post = (language?: string) =>
      fetch(`${running.baseUrl}/w/${login.challengeId}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-forwarded-for': '198.51.100.1',
          ...(language ? { 'accept-language': language } : {}),
        },
        body: JSON.stringify({ address: KEYS.compressed.address, signature: sign(KEYS.compressed, 'another text') }),
      });
    const german = await post('de');
    expect(german.status).toBe(400);
    expect(await german.json()).toEqual({ error: 'signature_mismatch', error_description: WRONG_SIGNATURE_DE });
    const english = await post();
    expect(await english.json()).toEqual({
      error: 'signature_mismatch',
      error_description: 'The signature does not match this address and message. (1 try left for this text)',
    });
    const tooLong = await fetch(`${running.baseUrl}/w/${login.challengeId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'de', 'x-forwarded-for': '198.51.100.2' },
      body: JSON.stringify({ address: KEYS.compressed.address, signature: 'A'.repeat(201) }),
    });
    expect(await tooLong.json()).toEqual({
      error: 'invalid_request',
      error_description: 'Das Feld „signature“ ist zu lang (höchstens 200 Zeichen).',
    });
  });

  it('shows the lock-out in German, on the form and on the sign-in page', async () => {
    const { browser, login } = await open({ uiLocales: 'de' });
    for (let i = 0; i < 3; i += 1) {
      const fresh = await openLogin(
        browser,
        (await authorizationRequest(config, running.redirectUri, undefined, { ui_locales: 'de' })).url,
      );
      expect((await submitSignature(browser, fresh, KEYS.compressed.address, sign(KEYS.compressed, 'wrong'))).status).toBe(400);
    }
    const locked = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    expect(locked.status).toBe(429);
    const lockedOut =
      /^Zu viele fehlgeschlagene Anmeldungen aus Ihrem Netzwerk\. Versuchen Sie es in \d+ Sekunden? erneut \(um \d\d:\d\d:\d\d UTC\)\.$/;
    expect(errorOf(locked)).toMatch(lockedOut);
    const page = await browser.navigate(
      (await authorizationRequest(config, running.redirectUri, undefined, { ui_locales: 'de' })).url.href,
    );
    expect(page.status).toBe(429);
    expect(errorOf(page)).toMatch(lockedOut);
  });
});
