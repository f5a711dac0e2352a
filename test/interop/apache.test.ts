/**
 * Apache httpd + mod_auth_openidc as a relying party against a fresh product, configured the way
 * its documentation shows: a protected location, the claims passed to the application as
 * headers and environment, the session reused, the access token refreshed (before expiry and
 * through the module's refresh endpoint, both re-sending OIDCScope, RFC 6749 §6), and logout
 * through the provider's end-session endpoint. This test is the person's browser and wallet.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startProduct, TEST_CLIENT_SECRET, type RunningProduct } from '../support/product.js';
import { freePort } from '../support/redis-server.js';
import { HttpBrowser, type Page } from '../support/browser.js';
import { NavigatingBrowser } from './navigating-browser.js';
import { KEYS, signIn } from '../support/wallet.js';
import { RP_CONFIGURATIONS, debianVersion } from './configurations.js';
import { startApache, type ApacheRp } from './apache.js';

const SOFTWARE = `Apache httpd ${debianVersion('apache2')} + mod_auth_openidc ${debianVersion('libapache2-mod-auth-openidc')}`;
const ADDRESS = KEYS.compressed.address;
/**
 * The product's access tokens live this long here, and the module refreshes 30 s before expiry:
 * 8 s after sign-in, time enough on a loaded machine for the checks that must not refresh.
 */
const ACCESS_TOKEN_TTL = 38;
const REFRESH_BEFORE_EXPIRY = 30;

interface Info {
  access_token?: string;
  refresh_token?: string;
  access_token_expires?: number;
  id_token?: Record<string, unknown>;
  userinfo?: Record<string, unknown>;
}

for (const rpConfiguration of RP_CONFIGURATIONS) {
  describe(`${SOFTWARE}, ${rpConfiguration.name}`, () => {
    let running: RunningProduct;
    let apache: ApacheRp;
    let site: HttpBrowser;
    let provider: HttpBrowser;
    let signedIn: Page;

    /** What the module saw, for failure messages. */
    const saw = (page?: Page) =>
      `${page ? `${page.status} ${page.url}\n${page.body.slice(0, 500)}\n` : ''}mod_auth_openidc's log:\n${apache.errorLog()}`;
    const info = async (): Promise<Info> => {
      const page = await site.request('/protected/redirect_uri?info=json');
      expect(page.status, saw(page)).toBe(200);
      return JSON.parse(page.body) as Info;
    };
    const backendHeaders = (page: Page) => (JSON.parse(page.body) as { headers: Record<string, string> }).headers;

    beforeAll(async () => {
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      running = await startProduct({
        store: 'redis',
        env: { ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL) },
        clients: () => [
          {
            client_id: 'apache',
            client_secret: TEST_CLIENT_SECRET,
            client_name: 'Apache site',
            redirect_uris: [`${origin}/protected/redirect_uri`],
            post_logout_redirect_uris: [`${origin}/loggedout.html`],
            grant_types: ['authorization_code', 'refresh_token'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
      });
      apache = await startApache({
        port,
        issuer: running.baseUrl,
        clientId: 'apache',
        clientSecret: TEST_CLIENT_SECRET,
        directives: [
          `OIDCScope "${rpConfiguration.scope}"`,
          `OIDCRefreshAccessTokenBeforeExpiry ${REFRESH_BEFORE_EXPIRY} logout_on_error`,
          ...(rpConfiguration.prompt ? [`OIDCAuthRequestParams prompt=${rpConfiguration.prompt}`] : []),
        ],
      });
    });
    afterAll(async () => {
      await apache?.stop();
      await running?.stop();
    });

    /** A person's visit to the protected page, through a wallet sign-in, in a fresh browser. */
    const visitAndSignIn = async (): Promise<Page> => {
      site = new NavigatingBrowser(apache.origin);
      provider = new HttpBrowser(running.baseUrl);
      const first = await site.request('/protected/');
      expect(first.status, saw(first)).toBe(302);
      const authorization = new URL(first.headers.get('location')!);
      expect(authorization.origin + authorization.pathname).toBe(`${running.baseUrl}/auth`);
      expect(authorization.searchParams.get('scope')).toBe(rpConfiguration.scope);
      const callback = await signIn(provider, authorization, KEYS.compressed, apache.redirectUri);
      expect(callback.searchParams.get('code'), `the provider sent ${callback.href}`).toBeTruthy();
      const landed = await site.navigate(callback.href);
      expect(landed.status, saw(landed)).toBe(200);
      expect(landed.url).toBe(`${apache.origin}/protected/`);
      return landed;
    };

    it('sends an unauthenticated visitor to the provider, and back to the protected page after a wallet sign-in', async () => {
      signedIn = await visitAndSignIn();
    });

    it('passes the claims to the application as headers and environment', () => {
      const headers = backendHeaders(signedIn);
      expect(headers, saw(signedIn)).toMatchObject({
        oidc_claim_sub: ADDRESS,
        oidc_claim_preferred_username: ADDRESS,
        oidc_claim_name: ADDRESS,
      });
      expect(headers.oidc_access_token, saw(signedIn)).toBeTruthy();
      // No EMAIL_DOMAIN on the provider: no email claim, and the module signs in without one.
      expect(headers).not.toHaveProperty('oidc_claim_email');
      expect(signedIn.headers.get('x-env-claim-sub')).toBe(ADDRESS);
      // mod_auth_openidc's default REMOTE_USER is sub@issuer (OIDCRemoteUserClaim sub@).
      expect(signedIn.headers.get('x-remote-user')).toBe(`${ADDRESS}@${running.baseUrl}`);
    });

    it('reuses its session: the next request is served without the provider', async () => {
      const issued = () => running.logs.filter((line) => line.event === 'token.issued').length;
      const issuedBefore = issued();
      const again = await site.request('/protected/again');
      expect(again.status, saw(again)).toBe(200);
      expect(backendHeaders(again).oidc_claim_sub).toBe(ADDRESS);
      // No redirect to the provider, and no token asked of it.
      expect(issued()).toBe(issuedBefore);
    });

    it('refreshes the access token before it expires (OIDCRefreshAccessTokenBeforeExpiry, re-sending OIDCScope)', async () => {
      const before = await info();
      expect(before.refresh_token, `the module holds no refresh token: ${JSON.stringify(before)}`).toBeTruthy();
      // Wait until the access token is inside the refresh window.
      const waitMs = (before.access_token_expires! - REFRESH_BEFORE_EXPIRY) * 1000 - Date.now() + 1500;
      await new Promise((r) => setTimeout(r, Math.max(0, waitMs)));
      const page = await site.request('/protected/after-expiry');
      expect(page.status, saw(page)).toBe(200);
      const after = await info();
      expect(after.access_token, `the module kept its old access token: ${saw()}`).not.toBe(before.access_token);
      expect(after.refresh_token, 'the refresh token rotates').not.toBe(before.refresh_token);
      expect(backendHeaders(page).oidc_access_token).toBe(after.access_token);
    });

    it('refreshes through its refresh endpoint (?refresh=…&access_token=…)', async () => {
      await visitAndSignIn();
      const before = await info();
      const returnTo = `${apache.origin}/protected/refreshed`;
      const hook = await site.request(
        `/protected/redirect_uri?refresh=${encodeURIComponent(returnTo)}&access_token=${encodeURIComponent(before.access_token!)}`,
      );
      expect(hook.status, saw(hook)).toBe(302);
      expect(hook.headers.get('location'), saw(hook)).toBe(returnTo);
      const after = await info();
      expect(after.access_token, saw()).not.toBe(before.access_token);
      const page = await site.request('/protected/refreshed');
      expect(page.status, saw(page)).toBe(200);
      expect(backendHeaders(page).oidc_access_token).toBe(after.access_token);
    });

    it('keeps the session when ten requests arrive together as the access token is due (parallel refresh)', async () => {
      await visitAndSignIn();
      const before = await info();
      const waitMs = (before.access_token_expires! - REFRESH_BEFORE_EXPIRY) * 1000 - Date.now() + 1500;
      await new Promise((r) => setTimeout(r, Math.max(0, waitMs)));
      // The module refreshes in each request that finds the token due, without a lock: several
      // present the same refresh token at once.
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => site.request(`/protected/parallel-${i}`)));
      const answers = results.map((r) => (r.status === 'fulfilled' ? String(r.value.status) : String(r.reason).slice(0, 200)));
      expect(answers, `the ten parallel requests: ${answers.join(' | ')}\n${saw()}`).toEqual(Array(10).fill('200'));
      const after = await site.request('/protected/after-parallel');
      expect(after.status, saw(after)).toBe(200);
      expect(backendHeaders(after).oidc_claim_sub).toBe(ADDRESS);
    });

    it('logs out through the provider (id_token_hint, post_logout_redirect_uri) and ends its own session', async () => {
      await visitAndSignIn();
      const logout = await site.request(`/protected/redirect_uri?logout=${encodeURIComponent(apache.loggedOutUrl)}`);
      expect(logout.status, saw(logout)).toBe(302);
      const endSession = new URL(logout.headers.get('location')!);
      expect(endSession.origin + endSession.pathname).toBe(`${running.baseUrl}/session/end`);
      expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
      expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(apache.loggedOutUrl);
      const confirm = await provider.navigate(endSession.href);
      expect(confirm.status, `the provider answered ${confirm.status}: ${confirm.body.slice(0, 300)}`).toBe(200);
      const action = /<form[^>]*action="([^"]+)"/.exec(confirm.body)?.[1];
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)?.[1];
      expect(action && xsrf, confirm.body.slice(0, 500)).toBeTruthy();
      const done = await provider.request(new URL(action!, running.baseUrl).href, { form: { xsrf: xsrf!, logout: 'yes' } });
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe(apache.loggedOutUrl);
      const landed = await site.request(done.headers.get('location')!);
      expect(landed.status).toBe(200);
      // The module's session is gone: the protected page asks the provider again.
      const after = await site.request('/protected/');
      expect(after.status, saw(after)).toBe(302);
      expect(after.headers.get('location')).toContain(`${running.baseUrl}/auth`);
    });
  });
}
