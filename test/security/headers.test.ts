/**
 * A strict Content-Security-Policy (no inline script, no other origin,
 * frame-ancestors 'none'), X-Content-Type-Options, X-Frame-Options and Referrer-Policy on every
 * page — ours and the ones oidc-provider renders (error, logout, form_post) — HSTS when the
 * issuer is https, and cookies that are HttpOnly, SameSite and (https) Secure.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import type * as oidc from 'openid-client';
import { CONTENT_SECURITY_POLICY, STRICT_TRANSPORT_SECURITY } from '../../src/http/security-headers.js';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser, type Page } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, openLogin, sign, submitSignature } from '../support/wallet.js';

/** Remembers every Set-Cookie it receives. */
class RecordingBrowser extends HttpBrowser {
  readonly setCookies: string[] = [];

  override async request(url: string, init: Parameters<HttpBrowser['request']>[1] = {}): Promise<Page> {
    const page = await super.request(url, init);
    this.setCookies.push(...page.headers.getSetCookie());
    return page;
  }
}

/** A browser behind a TLS-terminating proxy: https URLs of `publicOrigin` reach the plain-HTTP server. */
class ProxiedBrowser extends RecordingBrowser {
  constructor(
    private readonly publicOrigin: string,
    origin: string,
  ) {
    super(origin);
  }

  override async request(url: string, init: Parameters<HttpBrowser['request']>[1] = {}): Promise<Page> {
    const target = url.startsWith(this.publicOrigin) ? this.origin + url.slice(this.publicOrigin.length) : url;
    const host = new URL(this.publicOrigin).host;
    return super.request(target, { ...init, headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': host, ...init.headers } });
  }
}

const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

function expectBaseHeaders(name: string, headers: Headers, https: boolean) {
  for (const [header, value] of Object.entries(BASE_HEADERS)) expect(headers.get(header), `${name}: ${header}`).toBe(value);
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp, `${name}: CSP`).toContain("frame-ancestors 'none'");
  expect(csp, `${name}: CSP`).toContain("default-src 'none'");
  expect(csp, `${name}: CSP`).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  if (https) expect(headers.get('strict-transport-security'), `${name}: HSTS`).toBe(STRICT_TRANSPORT_SECURITY);
  else expect(headers.get('strict-transport-security'), `${name}: HSTS`).toBeNull();
}

/** An HTML page: the exact policy, scripts only from /static, no resource from another origin. */
function expectStrictPage(name: string, page: Page, https = false) {
  expect(page.headers.get('content-type'), name).toMatch(/^text\/html/);
  expectBaseHeaders(name, page.headers, https);
  expect(page.headers.get('content-security-policy'), name).toBe(CONTENT_SECURITY_POLICY);
  const scripts = [...page.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  for (const [, attributes, content] of scripts) {
    expect(attributes, `${name}: script`).toMatch(/\bsrc="\/static\/[\w.-]+\.js"/);
    expect(content!.trim(), `${name}: inline script`).toBe('');
  }
  expect(page.body, `${name}: inline style`).not.toMatch(/<style\b|\sstyle="/);
  expect(page.body, `${name}: event handler attribute`).not.toMatch(/\son[a-z]+="/);
  for (const [, url] of page.body.matchAll(/<(?:script|img|link|iframe)\b[^>]*\b(?:src|href)="([^"]+)"/g)) {
    expect(url, `${name}: resource`).toMatch(/^\/(?!\/)/);
  }
}

function expectCookies(setCookies: string[], https: boolean) {
  expect(setCookies.length).toBeGreaterThan(3);
  for (const line of setCookies) {
    const attributes = line
      .split(';')
      .slice(1)
      .map((a) => a.trim().toLowerCase());
    expect(attributes, line).toContain('httponly');
    expect(
      attributes.some((a) => a === 'samesite=lax' || a === 'samesite=strict'),
      line,
    ).toBe(true);
    expect(attributes.includes('secure'), line).toBe(https);
  }
}

describe('security headers and cookies', () => {
  let product: RunningProduct;
  let config: oidc.Configuration;

  beforeAll(async () => {
    product = await startProduct({ store: 'redis', env: { DEMO: 'true' } });
    config = await discover(product.baseUrl);
  });
  afterAll(async () => product?.stop());

  it('sets every header on every page of the sign-in, and only HttpOnly SameSite cookies', async () => {
    const browser = new RecordingBrowser(product.baseUrl);
    const login = await openLogin(browser, (await authorizationRequest(config, product.redirectUri)).url);
    expectStrictPage('login page', login.page);

    expectStrictPage('wallet page', await new HttpBrowser(product.baseUrl).request(`/w/${login.challengeId}`));

    const wrong = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, 'wrong'));
    expect(wrong.status).toBe(400);
    expectStrictPage('login page with an error', wrong);

    const posted = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    expectBaseHeaders('login redirect', posted.headers, false);
    const consent = await browser.navigate(new URL(posted.headers.get('location')!, product.baseUrl).href);
    expect(consent.body).toContain('/confirm');
    expectStrictPage('consent page', consent);

    const logout = await browser.navigate('/session/end');
    expect(logout.status).toBe(200);
    expect(logout.body).toContain('name="xsrf"');
    expectStrictPage('logout page (oidc-provider logoutSource)', logout);
    const action = /<form[^>]*action="([^"]+)"/.exec(logout.body)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(logout.body)![1]!;
    const done = await browser.navigate(new URL(action, product.baseUrl).href, { form: { xsrf, logout: 'yes' } });
    expectStrictPage('logout done page (oidc-provider postLogoutSuccessSource)', done);

    expectCookies(browser.setCookies, false);
  });

  it("sets them on error pages: ours and oidc-provider's", async () => {
    const browser = new HttpBrowser(product.baseUrl);
    const notFound = await browser.request('/no-such-page');
    expect(notFound.status).toBe(404);
    expectStrictPage('404 page', notFound);
    const badClient = await browser.request(
      `/auth?client_id=unknown&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(product.redirectUri)}`,
    );
    expect(badClient.status).toBe(400);
    expect(badClient.body).toContain('not registered');
    expectStrictPage('oidc-provider error page (renderError)', badClient);
    const badId = await browser.request('/interaction/bad$id');
    expect(badId.status).toBe(400);
    expectStrictPage('malformed interaction id', badId);
  });

  it('sets them on the demo, static files and JSON responses', async () => {
    const browser = new HttpBrowser(product.baseUrl);
    expectStrictPage('demo page', await browser.request('/demo'));
    for (const path of [
      '/static/app.css',
      '/static/login.js',
      '/.well-known/openid-configuration',
      '/jwks',
      '/healthz',
      '/readyz',
      '/metrics',
    ]) {
      const response = await fetch(`${product.baseUrl}${path}`);
      expect(response.status, path).toBe(200);
      expectBaseHeaders(path, response.headers, false);
      expect(response.headers.get('content-security-policy'), path).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it("allows oidc-provider's form_post page exactly its own script, by hash", async () => {
    const browser = new HttpBrowser(product.baseUrl);
    // The first-party client skips consent, so the sign-in ends straight in the form_post page.
    const request = await authorizationRequest(config, product.redirectUri, 'openid', { response_mode: 'form_post', client_id: 'first' });
    const login = await openLogin(browser, request.url);
    const posted = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    const page = await browser.navigate(new URL(posted.headers.get('location')!, product.baseUrl).href);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<form method="post" action="[^"]*\/cb">/);
    expect(page.body).toContain('name="code"');
    expectBaseHeaders('form_post page', page.headers, false);
    const script = /<script>([\s\S]*?)<\/script>/.exec(page.body)![1]!;
    const hash = createHash('sha256').update(script).digest('base64');
    // Our policy plus that one hash: the auto-submit runs, nothing else inline would.
    const csp = page.headers.get('content-security-policy')!;
    const scriptSrc = csp.split(/;\s*/).find((d) => d.startsWith('script-src'));
    expect(scriptSrc).toBe(`script-src 'self' 'sha256-${hash}'`);
    expect(csp.replace(` 'sha256-${hash}'`, '').split(/;\s*/)).toEqual(CONTENT_SECURITY_POLICY.split('; '));
  });
});

describe('behind a TLS-terminating proxy with an https issuer', () => {
  const ISSUER = 'https://id.test.example';
  let product: RunningProduct;

  beforeAll(async () => {
    product = await startProduct({ store: 'memory', env: { ISSUER, TRUST_PROXY: 'true' } });
  });
  afterAll(async () => product?.stop());

  it('sends HSTS on every response and marks every cookie Secure', async () => {
    const browser = new ProxiedBrowser(ISSUER, product.baseUrl);
    const params = new URLSearchParams({
      client_id: 'first',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: product.redirectUri,
      state: 'state-123',
      code_challenge: createHash('sha256').update('v'.repeat(43)).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const loginPage = await browser.navigate(`${ISSUER}/auth?${params}`);
    expect(loginPage.status).toBe(200);
    expectStrictPage('login page (https)', loginPage, true);
    const uid = /\/interaction\/([\w-]+)/.exec(loginPage.url)![1]!;
    const text = /id="challenge"[^>]*>([^<]+)</
      .exec(loginPage.body)![1]!
      .replace(/&#34;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
    expect(text).toContain('id.test.example');
    const challengeId = /name="challenge_id" value="([^"]+)"/.exec(loginPage.body)![1]!;
    const posted = await browser.request(`/interaction/${uid}/login`, {
      form: { address: KEYS.compressed.address, signature: sign(KEYS.compressed, text), challenge_id: challengeId },
    });
    expect(posted.status).toBe(303);
    expectBaseHeaders('login redirect (https)', posted.headers, true);
    const back = await browser.navigate(new URL(posted.headers.get('location')!, ISSUER).href, {}, product.redirectUri);
    expect(back.url).toContain('code=');
    expectBaseHeaders('resume redirect (https)', back.headers, true);

    const discovery = await browser.request(`${ISSUER}/.well-known/openid-configuration`);
    expectBaseHeaders('discovery (https)', discovery.headers, true);
    expect(JSON.parse(discovery.body).issuer).toBe(ISSUER);

    expectCookies(browser.setCookies, true);
  });
});
