/**
 * Nobody but the key holder can stop an address from signing in: an address is public, so any
 * limit or lock-out keyed on it would let anyone keep its owner out (OWASP Authentication Cheat
 * Sheet, "Account Lockout"). A signature cannot be guessed; the work an attacker causes is
 * bounded per IP and per challenge. Failures naming one address still raise the alert.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, finishToRelyingParty, openLogin, sign, submitSignature } from '../support/wallet.js';

let product: RunningProduct | undefined;
afterEach(async () => {
  await product?.stop();
  product = undefined;
});

describe('no one can keep an address from signing in', () => {
  it("a flood of wrong signatures naming an address from other IPs never refuses its owner's valid signature, and still raises the address alert", async () => {
    // The product's default limits and thresholds: only the proxy is trusted, so that each
    // request can come from its own client IP.
    product = await startProduct({
      store: 'redis',
      env: {
        TRUST_PROXY: 'true',
        RATE_LIMIT_SIGNIN_IP: '20/1m',
        FAILURE_ALERT_THRESHOLD: '10',
        FAILURE_WINDOW: '15m',
        FAILURE_LOCKOUT: '15m',
        CHALLENGE_MAX_ATTEMPTS: '5',
      },
    });
    const config = await discover(product.baseUrl);
    const victim = KEYS.compressed;
    const openLoginPage = async () => {
      const browser = new HttpBrowser(product!.baseUrl);
      return { browser, login: await openLogin(browser, (await authorizationRequest(config, product!.redirectUri)).url) };
    };

    // The attacker opens sign-ins of their own and posts garbage naming the victim's address,
    // through the wallet URL and the login form, from 12 IPs; each IP goes past the failure
    // threshold (and is locked out), each challenge dies of wrong signatures.
    let refusedOrFailed = 0;
    for (let n = 0; n < 12; n += 1) {
      const ip = `203.0.113.${n + 1}`;
      const { browser, login } = await openLoginPage();
      for (let i = 0; i < 6; i += 1) {
        const garbage = sign(KEYS.uncompressed, `garbage ${n}.${i}`);
        const status =
          i % 2 === 0
            ? (
                await fetch(`${product.baseUrl}/w/${login.challengeId}`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': ip },
                  body: JSON.stringify({ address: victim.address, signature: garbage }),
                })
              ).status
            : (
                await browser.request(`/interaction/${login.uid}/login`, {
                  form: { address: victim.address, signature: garbage, challenge_id: login.challengeId },
                  headers: { 'x-forwarded-for': ip },
                })
              ).status;
        expect([400, 410, 429]).toContain(status);
        refusedOrFailed += 1;
      }
    }
    expect(refusedOrFailed).toBe(72);

    // The victim, at once, from their own IP: the wallet URL (cross-device)...
    const phone = await openLoginPage();
    const signed = await fetch(`${product.baseUrl}/w/${phone.login.challengeId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': '198.51.100.7' },
      body: JSON.stringify({ address: victim.address, signature: sign(victim, phone.login.text) }),
    });
    expect(signed.status).toBe(200);
    expect(((await signed.json()) as { status: string }).status).toBe('signed');

    // ...and the login form (same device), all the way to the relying party.
    const desk = await openLoginPage();
    const posted = await submitSignature(desk.browser, desk.login, victim.address, sign(victim, desk.login.text));
    const callback = await finishToRelyingParty(desk.browser, posted, product.redirectUri);
    expect(callback.searchParams.get('code')).toBeTruthy();

    // The flood is still seen: one alert about the address (never a lock-out of it).
    const alerts = product.logs.filter((l) => l.event === 'auth.alert' && l.kind === 'address');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ address: victim.address, locked_out_seconds: 0 });
    expect(product.logs.some((l) => l.event === 'auth.attempt' && l.address === victim.address && l.outcome === 'success')).toBe(true);
  });
});
