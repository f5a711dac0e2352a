/**
 * oidc-client-ts in Debian's Chromium as a public single-page application on another origin
 * (and site) than the provider, with the library's defaults: sign-in through the real page,
 * the code exchanged and userinfo read from the browser (CORS), refresh, revocation
 * (revokeTokens), sign-out (signoutRedirect) and a popup sign-in (signinPopup) that reports
 * back to its opener. The person's wallet is the test key, signing the challenge on the page.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { startProduct, type RunningProduct } from '../support/product.js';
import { freePort } from '../support/redis-server.js';
import { launchChromium } from '../support/chromium.js';
import { KEYS, sign } from '../support/wallet.js';
import { RP_CONFIGURATIONS } from './configurations.js';
import { OIDC_CLIENT_TS_VERSION, spaOrigin, startSpa, type Spa } from './spa-server.js';

const LIBRARY = `oidc-client-ts ${OIDC_CLIENT_TS_VERSION} in Chromium`;
const KEY = KEYS.compressed;

interface SpaUser {
  sub: string;
  access_token: string;
  refresh_token?: string;
  scope?: string;
  profile: Record<string, unknown>;
}

/** Runs `mgr.<call>` in the SPA page; a library error comes back as its message (what the RP saw). */
async function spaCall<T>(page: Page, call: string): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  return page.evaluate(async (expression) => {
    try {
      // eslint-disable-next-line no-new-func
      const value = await new Function('mgr', `return ${expression}`)((window as unknown as { mgr: unknown }).mgr);
      return { ok: true as const, value: JSON.parse(JSON.stringify(value ?? null)) };
    } catch (error) {
      return { ok: false as const, error: String((error as Error)?.message ?? error) };
    }
  }, call);
}

async function currentUser(page: Page): Promise<SpaUser | null> {
  const result = await spaCall<SpaUser | null>(
    page,
    'mgr.getUser().then((u) => u && { sub: u.profile.sub, access_token: u.access_token, refresh_token: u.refresh_token, scope: u.scope, profile: u.profile })',
  );
  if (!result.ok) throw new Error(`${LIBRARY}: getUser failed: ${result.error}`);
  return result.value;
}

/** On the provider's sign-in page: sign the challenge shown, then allow on the consent page if asked. */
async function walletSignIn(page: Page, backTo: string): Promise<void> {
  await page.locator('#challenge').waitFor({ timeout: 15_000 });
  const text = (await page.locator('#challenge').textContent())!.trim();
  await page.fill('#address', KEY.address);
  await page.fill('#signature', sign(KEY, text));
  await page.click('form.signature-form button[type=submit]');
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (page.isClosed() || page.url().startsWith(backTo)) return;
    const allow = page.locator('button:has-text("Allow")');
    if (await allow.count().catch(() => 0)) {
      await allow.click().catch(() => undefined);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no way back to the SPA from ${page.url()}: ${(await page.content()).slice(0, 500)}`);
}

for (const rpConfiguration of RP_CONFIGURATIONS) {
  describe(`${LIBRARY}, ${rpConfiguration.name}`, () => {
    let running: RunningProduct;
    let spa: Spa;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    /** The SPA's calls to the provider as the browser saw them: status, or why they failed (CORS). */
    const providerCalls: string[] = [];
    let signedIn: SpaUser | null = null;

    const watch = (ctx: BrowserContext) => {
      const fromSpa = (request: Request) =>
        request.url().startsWith(running.baseUrl) &&
        ['fetch', 'xhr'].includes(request.resourceType()) &&
        request.frame().url().startsWith(spa.origin);
      ctx.on('requestfinished', (request) => {
        if (fromSpa(request))
          void request
            .response()
            .then((response) => providerCalls.push(`${request.method()} ${new URL(request.url()).pathname} ${response?.status()}`));
      });
      ctx.on('requestfailed', (request) => {
        if (fromSpa(request))
          providerCalls.push(`${request.method()} ${new URL(request.url()).pathname} failed: ${request.failure()?.errorText}`);
      });
    };

    beforeAll(async () => {
      const port = await freePort();
      const origin = spaOrigin(port);
      running = await startProduct({
        store: 'redis',
        clients: () => [
          {
            client_id: 'spa',
            client_name: 'Single-page app',
            redirect_uris: [`${origin}/callback.html`],
            post_logout_redirect_uris: [`${origin}/logged-out.html`],
            grant_types: ['authorization_code', 'refresh_token'],
            token_endpoint_auth_method: 'none',
          },
        ],
      });
      spa = await startSpa(port, {
        authority: running.baseUrl,
        client_id: 'spa',
        redirect_uri: `${origin}/callback.html`,
        post_logout_redirect_uri: `${origin}/logged-out.html`,
        scope: rpConfiguration.scope,
        ...(rpConfiguration.prompt ? { prompt: rpConfiguration.prompt } : {}),
        loadUserInfo: true,
      });
      browser = await launchChromium();
      context = await browser.newContext();
      watch(context);
      page = await context.newPage();
    });
    afterAll(async () => {
      await browser?.close();
      await spa?.stop();
      await running?.stop();
    });

    const failure = (what: string, error?: string) =>
      `${LIBRARY}: ${what}${error ? `: the library threw "${error}"` : ''}; its calls to the provider: ${providerCalls.join(', ') || 'none'}`;

    it('signs in through the real page (signinRedirect) and exchanges the code from the browser (CORS)', async () => {
      await page.goto(`${spa.origin}/index.html`);
      // The page navigates away, which ends the evaluation: nothing to wait for.
      void spaCall(page, 'mgr.signinRedirect()').catch(() => undefined);
      await walletSignIn(page, spa.origin);
      await page.waitForURL(`${spa.callbackUrl}**`, { timeout: 15_000 });
      await expect.poll(() => page.locator('#status').textContent(), { timeout: 15_000 }).not.toBe('signing in…');
      expect(await page.locator('#status').textContent(), failure('signinRedirectCallback')).toBe('signed in');
      await page.goto(`${spa.origin}/index.html`);
      signedIn = await currentUser(page);
      expect(signedIn?.sub, failure('no user after the callback')).toBe(KEY.address);
      expect(providerCalls, failure('token request')).toContain('POST /token 200');
    });

    it('reads userinfo from the browser (loadUserInfo, CORS)', () => {
      expect(providerCalls, failure('userinfo request')).toContain('GET /me 200');
      expect(signedIn?.profile, failure('profile')).toMatchObject({ sub: KEY.address, preferred_username: KEY.address });
    });

    it('refreshes with the refresh token (signinSilent)', async () => {
      expect(signedIn?.refresh_token, failure('no refresh token')).toBeTruthy();
      const renewed = await spaCall(
        page,
        'mgr.signinSilent().then((u) => ({ access_token: u.access_token, refresh_token: u.refresh_token }))',
      );
      expect(renewed.ok, failure('signinSilent', renewed.ok ? undefined : renewed.error)).toBe(true);
      const after = await currentUser(page);
      expect(after?.access_token).not.toBe(signedIn?.access_token);
      expect(after?.refresh_token).not.toBe(signedIn?.refresh_token);
      expect(after?.sub).toBe(KEY.address);
      signedIn = after;
    });

    it('revokes its tokens with the library defaults (revokeTokens)', async () => {
      const revoked = await spaCall(page, 'mgr.revokeTokens()');
      expect(revoked.ok, failure('revokeTokens', revoked.ok ? undefined : revoked.error)).toBe(true);
      // RFC 7009 §2.2: the revoked access token no longer opens userinfo.
      const userinfo = await fetch(`${running.baseUrl}/me`, { headers: { authorization: `Bearer ${signedIn!.access_token}` } });
      expect(userinfo.status).toBe(401);
    });

    it('signs out through the provider (signoutRedirect) and comes back', async () => {
      void spaCall(page, 'mgr.signoutRedirect()').catch(() => undefined);
      await page.waitForURL(`${running.baseUrl}/session/end**`, { timeout: 15_000 });
      await page.click('button[name=logout][value=yes]');
      await page.waitForURL(`${spa.loggedOutUrl}**`, { timeout: 15_000 });
      expect(await currentUser(page)).toBeNull();
    });

    it('signs in in a popup that reports back to its opener (signinPopup)', async () => {
      const popupContext = await browser.newContext();
      watch(popupContext);
      // The opener policies of the provider's pages the popup passes through, for the message.
      const openerPolicies = new Set<string>();
      popupContext.on('response', (response) => {
        if (response.url().startsWith(running.baseUrl) && response.request().isNavigationRequest()) {
          openerPolicies.add(
            `${new URL(response.url()).pathname.split('/')[1]}: ${response.headers()['cross-origin-opener-policy'] ?? 'none'}`,
          );
        }
      });
      const opener = await popupContext.newPage();
      await opener.goto(`${spa.origin}/index.html`);
      const popupOpened = opener.waitForEvent('popup');
      const signin = spaCall<{ sub: string }>(opener, 'mgr.signinPopup().then((u) => ({ sub: u.profile.sub }))');
      const popup = await popupOpened;
      await walletSignIn(popup, spa.origin);
      const result = await signin;
      expect(result.ok, failure('signinPopup', result.ok ? undefined : result.error)).toBe(true);
      if (result.ok) expect(result.value.sub).toBe(KEY.address);
      // The popup's callback page still had window.opener: the provider's pages let it keep it.
      expect(
        await opener.evaluate(() => localStorage.getItem('callbackHadOpener')),
        failure(`the popup lost window.opener (Cross-Origin-Opener-Policy of the provider's pages: ${[...openerPolicies].join(', ')})`),
      ).toBe('true');
      await popupContext.close();
    });
  });
}
