/**
 * Login CSRF through the cross-device path (RFC 6749 §10.12): whoever sees the QR code (over a
 * shoulder, in a screen share, on a photo) can sign that text with their own key. The desktop
 * must not then continue by itself, signed in as the attacker: it names the address that signed
 * and continues only when the person confirms it, unless the relying party named that address
 * in login_hint. The server enforces it; the page only shows it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { startProduct, TEST_CLIENT_SECRET, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText } from '../support/browser.js';
import { KEYS, authorizationRequest, finishToRelyingParty, openLogin, sign, type LoginPage, type TestKey } from '../support/wallet.js';

describe('login CSRF through the cross-device path', () => {
  let product: RunningProduct;
  // A first-party client: no consent screen would stop the attacker's sign-in either.
  let firstParty: oidc.Configuration;

  beforeAll(async () => {
    product = await startProduct({ store: 'redis' });
    firstParty = await oidc.discovery(new URL(product.baseUrl), 'first', undefined, oidc.ClientSecretBasic(TEST_CLIENT_SECRET), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  afterAll(async () => {
    await product?.stop();
  });

  const phoneSigns = async (login: LoginPage, key: TestKey) => {
    const response = await fetch(`${product.baseUrl}/w/${login.challengeId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ address: key.address, signature: sign(key, login.text) }),
    });
    expect(response.status).toBe(200);
  };

  it('a signature by someone who saw the QR code does not sign the desktop in until the person confirms that address', async () => {
    const desktop = new HttpBrowser(product.baseUrl);
    const request = await authorizationRequest(firstParty, product.redirectUri);
    const login = await openLogin(desktop, request.url);
    const attacker = KEYS.uncompressed;
    await phoneSigns(login, attacker);

    // What the page's script does on "signed": post the continue form. It gets the question,
    // not the relying party.
    const asked = await desktop.request(`/interaction/${login.uid}/continue`, { form: {} });
    expect(asked.status).toBe(200);
    expect(elementText(asked.body, 'confirm-title')).toBe(`Continue as ${attacker.address}?`);
    expect(asked.body).not.toContain('id="challenge"');
    expect(await product.product.challenges.get(login.challengeId)).toMatchObject({ state: 'signed', address: attacker.address });

    // Confirming another address (the person's own) does not take the attacker's signature.
    const other = await desktop.request(`/interaction/${login.uid}/continue`, { form: { address: KEYS.compressed.address } });
    expect(other.status).toBe(409);
    expect(elementText(other.body, 'error')).toMatch(/signed with another address/);
    expect(await product.product.challenges.get(login.challengeId)).toMatchObject({ state: 'signed' });

    // Only the explicit "Continue as <that address>" finishes the sign-in.
    const confirmed = await desktop.request(`/interaction/${login.uid}/continue`, { form: { address: attacker.address } });
    const callback = await finishToRelyingParty(desktop, confirmed, product.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(firstParty, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.claims()?.sub).toBe(attacker.address);
  });

  it('continues by itself when the relying party named the signing address in login_hint', async () => {
    const desktop = new HttpBrowser(product.baseUrl);
    const request = await authorizationRequest(firstParty, product.redirectUri, 'openid', { login_hint: KEYS.compressed.address });
    const login = await openLogin(desktop, request.url);
    await phoneSigns(login, KEYS.compressed);
    const continued = await desktop.request(`/interaction/${login.uid}/continue`, { form: {} });
    expect(continued.status).toBe(303);
    const callback = await finishToRelyingParty(desktop, continued, product.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(firstParty, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.claims()?.sub).toBe(KEYS.compressed.address);
  });

  it('never redeems a text nobody signed, whatever address the continue step names', async () => {
    const desktop = new HttpBrowser(product.baseUrl);
    const login = await openLogin(desktop, (await authorizationRequest(firstParty, product.redirectUri)).url);
    const page = await desktop.request(`/interaction/${login.uid}/continue`, { form: { address: KEYS.compressed.address } });
    expect(page.status).toBe(409);
    expect(elementText(page.body, 'error')).toMatch(/No signature has arrived/);
    expect(await product.product.challenges.get(login.challengeId)).toMatchObject({ state: 'pending' });
  });
});
