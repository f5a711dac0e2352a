/**
 * Popup sign-in in Debian's Chromium: a relying party's page on another site opens the
 * authorization URL in a popup, the person signs in there, and the relying party's callback
 * page in the popup reports the result through window.opener (what oidc-client-ts's
 * signinPopup and most "Sign in" popups do). A Cross-Origin-Opener-Policy that isolates the
 * provider's pages from their opener would leave window.opener null, and the relying party
 * would never hear back (HTML Living Standard, "Cross-origin opener policies").
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { startProduct, defaultClients, type RunningProduct } from '../support/product.js';
import { freePort } from '../support/redis-server.js';
import { launchChromium } from '../support/chromium.js';
import { KEYS, authorizationRequest, sign } from '../support/wallet.js';

/** The relying party's two pages: one that opens the popup, and the popup's callback. */
const RP_PAGES: Record<string, string> = {
  '/': `<!doctype html><title>Relying party</title><script>
    window.received = null;
    window.addEventListener('message', (event) => { if (event.origin === location.origin) window.received = event.data; });
    window.startPopup = (url) => { window.popup = window.open(url, 'signin', 'width=520,height=720'); return Boolean(window.popup); };
  </script>`,
  // Silent renewal (prompt=none) in a hidden iframe, as oidc-client-ts's signinSilent does.
  '/silent': `<!doctype html><title>Silent</title><script>
    window.received = null;
    window.addEventListener('message', (event) => { if (event.origin === location.origin) window.received = event.data; });
    window.startSilent = (url) => { const frame = document.createElement('iframe'); frame.src = url; document.body.appendChild(frame); };
  </script><body></body>`,
  '/silent-callback': `<!doctype html><title>Silent callback</title><script>
    window.parent.postMessage({ href: location.href }, location.origin);
  </script>`,
  '/callback': `<!doctype html><title>Callback</title><script>
    if (window.opener) { window.opener.postMessage({ href: location.href }, location.origin); document.title = 'reported'; }
    else document.title = 'no opener';
  </script>`,
};

describe('popup sign-in', () => {
  let running: RunningProduct;
  let browser: Browser;
  let rpServer: Server;
  let rpOrigin: string;
  let sameSiteOrigin: string;
  let rp: oidc.Configuration;

  beforeAll(async () => {
    const rpPort = await freePort();
    // localhost, not 127.0.0.1: another site than the provider's, as a relying party is.
    rpOrigin = `http://localhost:${rpPort}`;
    // The same server as a relying party on the provider's own site (another port of 127.0.0.1).
    sameSiteOrigin = `http://127.0.0.1:${rpPort}`;
    rpServer = createServer((request, response) => {
      const page = RP_PAGES[new URL(request.url ?? '/', rpOrigin).pathname];
      response.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      response.end(page ?? 'not found');
    });
    rpServer.listen(rpPort, '127.0.0.1');
    await once(rpServer, 'listening');
    running = await startProduct({
      store: 'memory',
      clients: (redirectUri) => [
        ...defaultClients(redirectUri),
        {
          client_id: 'popup-spa',
          client_name: 'Popup SPA',
          redirect_uris: [`${rpOrigin}/callback`, `${rpOrigin}/silent-callback`, `${sameSiteOrigin}/silent-callback`],
          grant_types: ['authorization_code'],
          token_endpoint_auth_method: 'none',
        },
      ],
    });
    rp = await oidc.discovery(new URL(running.baseUrl), 'popup-spa', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    rpServer?.closeAllConnections();
    rpServer?.close();
  });

  it('the popup reports the authorization response to its opener on another site', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${rpOrigin}/`);
    const request = await authorizationRequest(rp, `${rpOrigin}/callback`, 'openid profile');
    const [popup] = await Promise.all([
      context.waitForEvent('page'),
      page.evaluate((url) => (window as unknown as { startPopup(u: string): boolean }).startPopup(url), request.url.href),
    ]);
    await popup.locator('#challenge').waitFor({ timeout: 15_000 });
    const text = (await popup.locator('#challenge').textContent())!.trim();
    await popup.fill('#address', KEYS.compressed.address);
    await popup.fill('#signature', sign(KEYS.compressed, text));
    await popup.click('form.signature-form button[type=submit]');
    await popup.locator('button:has-text("Allow")').click({ timeout: 15_000 });
    await popup.waitForURL(`${rpOrigin}/callback**`, { timeout: 15_000 });
    await expect.poll(() => popup.title(), { timeout: 5_000 }).not.toBe('');
    // The opener kept its reference to the popup all along, and the popup its opener.
    expect(await popup.title()).toBe('reported');
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { received: { href: string } | null }).received), { timeout: 5_000 })
      .not.toBeNull();
    const received = await page.evaluate(() => (window as unknown as { received: { href: string } }).received);
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(received.href), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.claims()?.sub).toBe(KEYS.compressed.address);
    expect(await page.evaluate(() => (window as unknown as { popup: Window }).popup.closed)).toBe(false);
    await context.close();
  });

  it('prompt=none in an iframe: a session on the same site answers with a code, another site gets login_required', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // A session at the provider first (top-level, as after a normal sign-in).
    const first = await authorizationRequest(rp, `${rpOrigin}/callback`, 'openid');
    await page.goto(first.url.href);
    await page.locator('#challenge').waitFor({ timeout: 15_000 });
    const text = (await page.locator('#challenge').textContent())!.trim();
    await page.fill('#address', KEYS.compressed.address);
    await page.fill('#signature', sign(KEYS.compressed, text));
    await page.click('form.signature-form button[type=submit]');
    await page.locator('button:has-text("Allow")').click({ timeout: 15_000 });
    await page.waitForURL(`${rpOrigin}/callback**`, { timeout: 15_000 });

    const silently = async (origin: string) => {
      await page.goto(`${origin}/silent`);
      const request = await authorizationRequest(rp, `${origin}/silent-callback`, 'openid', { prompt: 'none' });
      await page.evaluate((url) => (window as unknown as { startSilent(u: string): void }).startSilent(url), request.url.href);
      await expect
        .poll(() => page.evaluate(() => (window as unknown as { received: unknown }).received), { timeout: 10_000 })
        .not.toBeNull();
      const { href } = await page.evaluate(() => (window as unknown as { received: { href: string } }).received);
      return new URL(href).searchParams;
    };
    // Same site: the SameSite=Lax session cookie goes along, the frame gets a code.
    const sameSite = await silently(sameSiteOrigin);
    expect(sameSite.get('error'), sameSite.toString()).toBeNull();
    expect(sameSite.get('code')).toBeTruthy();
    // Another site: no cookie in a third-party frame, so login_required, never a hang.
    const crossSite = await silently(rpOrigin);
    expect(crossSite.get('error')).toBe('login_required');
    await context.close();
  });

  it('pages that a popup shows keep their opener; every other page stays isolated from it', async () => {
    const coop = async (path: string) =>
      (await fetch(`${running.baseUrl}${path}`, { redirect: 'manual' })).headers.get('cross-origin-opener-policy');
    const request = await authorizationRequest(rp, `${rpOrigin}/callback`, 'openid');
    // The authorization endpoint, its redirect to the sign-in page, and logout.
    expect(await coop(request.url.pathname + request.url.search)).toBe('unsafe-none');
    expect(await coop('/session/end')).toBe('unsafe-none');
    expect(await coop('/interaction/abcdefghijkl')).toBe('unsafe-none');
    for (const path of ['/', '/account', '/device', '/w/abcdefghijklmnopqrstuvwxyz012345', '/.well-known/openid-configuration', '/jwks']) {
      expect(await coop(path), path).toBe('same-origin');
    }
  });
});
