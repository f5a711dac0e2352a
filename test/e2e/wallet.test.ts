/**
 * The wallet URL (docs/wallet-protocol.md §1) and the cross-device path over real HTTP: the phone reads
 * the challenge as JSON and POSTs its signature; the desktop hears it over server-sent events
 * and continues to the relying party.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText } from '../support/browser.js';
import { KEYS, authorizationRequest, continueAfterPhone, discover, finishToRelyingParty, openLogin, sign } from '../support/wallet.js';

for (const store of ['redis', 'memory'] as const) {
  describe(`wallet URL and cross-device sign-in (${store})`, () => {
    let running: RunningProduct;
    let config: oidc.Configuration;

    beforeAll(async () => {
      running = await startProduct({ store });
      config = await discover(running.baseUrl);
    });
    afterAll(async () => running?.stop());

    const walletUrl = (id: string) => `${running.baseUrl}/w/${id}`;

    it('serves the challenge as JSON to a wallet app and as a page to a phone browser', async () => {
      const desktop = new HttpBrowser(running.baseUrl);
      const login = await openLogin(desktop, (await authorizationRequest(config, running.redirectUri)).url);
      const json = await fetch(walletUrl(login.challengeId), { headers: { accept: 'application/json' } });
      expect(json.status).toBe(200);
      expect(json.headers.get('cache-control')).toBe('no-store');
      const body = (await json.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        challenge_id: login.challengeId,
        text: login.text,
        network: 'mainnet',
        issuer: running.baseUrl,
        client: { client_id: 'rp', client_name: 'Test RP' },
        state: 'pending',
        submit: { url: walletUrl(login.challengeId), method: 'POST', fields: ['address', 'signature'] },
      });
      expect(Number(body.expires_in)).toBeGreaterThan(0);

      const phone = new HttpBrowser(running.baseUrl);
      const page = await phone.request(walletUrl(login.challengeId));
      expect(page.status).toBe(200);
      expect(elementText(page.body, 'challenge')).toBe(login.text);
      expect(page.body).toContain('Test RP');
      // The phone has none of the desktop's cookies: the id in the URL is all it needs.
      expect(phone.cookies.size).toBe(0);
    });

    it('continues the desktop once the phone signs and the person confirms the address (server-sent events)', async () => {
      const desktop = new HttpBrowser(running.baseUrl);
      const request = await authorizationRequest(config, running.redirectUri);
      const login = await openLogin(desktop, request.url);

      const events = await fetch(`${running.baseUrl}/interaction/${login.uid}/events`, {
        headers: {
          accept: 'text/event-stream',
          cookie: desktop.cookieHeader(new URL(`${running.baseUrl}/interaction/${login.uid}/events`)),
        },
      });
      expect(events.status).toBe(200);
      expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = events.body!.getReader();
      const decoder = new TextDecoder();
      const received: string[] = [];
      const nextState = async (): Promise<string> => {
        for (;;) {
          const match = /event: state\ndata: (\{[^\n]*\})\n\n/.exec(received.join(''));
          if (match) {
            received.splice(0, received.length, received.join('').slice(match.index + match[0].length));
            return (JSON.parse(match[1]!) as { state: string }).state;
          }
          const { value, done } = await reader.read();
          if (done) throw new Error('stream ended');
          received.push(decoder.decode(value));
        }
      };
      expect(await nextState()).toBe('pending');

      const started = Date.now();
      const answer = await fetch(walletUrl(login.challengeId), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ address: KEYS.compressed.address, signature: sign(KEYS.compressed, login.text) }),
      });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ status: 'signed', address: KEYS.compressed.address });
      expect(await nextState()).toBe('signed');
      // Pushed, not found by the 5-second safety check.
      expect(Date.now() - started).toBeLessThan(2000);
      await reader.cancel();

      const status = await desktop.request(`/interaction/${login.uid}/status`, { headers: { accept: 'application/json' } });
      expect(JSON.parse(status.body)).toMatchObject({ state: 'signed' });

      // What the page's script does on "signed": post the continue form; the page then asks
      // "Continue as …?" and the person confirms.
      const continued = await continueAfterPhone(desktop, login);
      const callback = await finishToRelyingParty(desktop, continued, running.redirectUri);
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      expect(tokens.claims()?.sub).toBe(KEYS.compressed.address);
    });

    it('answers wallet errors as JSON with a stable code and a description', async () => {
      const desktop = new HttpBrowser(running.baseUrl);
      const login = await openLogin(desktop, (await authorizationRequest(config, running.redirectUri)).url);
      const post = (body: unknown) =>
        fetch(walletUrl(login.challengeId), {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(body),
        });
      const cases: Array<[unknown, number, string]> = [
        [{}, 400, 'invalid_request'],
        [{ address: KEYS.compressed.address, signature: 'bad' }, 400, 'malformed_signature'],
        [{ address: KEYS.testnet.address, signature: sign(KEYS.testnet, login.text) }, 400, 'wrong_network'],
        [{ address: KEYS.compressed.address, signature: sign(KEYS.uncompressed, login.text) }, 400, 'signature_mismatch'],
        [{ address: 42, signature: sign(KEYS.compressed, login.text) }, 400, 'invalid_request'],
      ];
      for (const [body, status, error] of cases) {
        const response = await post(body);
        expect(response.status, JSON.stringify(body)).toBe(status);
        const json = (await response.json()) as { error: string; error_description: string };
        expect(json.error, JSON.stringify(body)).toBe(error);
        expect(json.error_description.length).toBeGreaterThan(10);
      }
      const ok = await post({ address: KEYS.compressed.address, signature: sign(KEYS.compressed, login.text) });
      expect(ok.status).toBe(200);
      const again = await post({ address: KEYS.compressed.address, signature: sign(KEYS.compressed, login.text) });
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ error: 'challenge_signed' });
      // The desktop redeems it once; a second continue is refused.
      const first = await continueAfterPhone(desktop, login);
      expect(first.status).toBe(303);
      const second = await desktop.request(`/interaction/${login.uid}/continue`, { form: { address: KEYS.compressed.address } });
      expect(second.status).toBe(409);
      expect(elementText(second.body, 'error')).toMatch(/already used/);
    });

    it('refuses a challenge that a newer one replaced', async () => {
      const desktop = new HttpBrowser(running.baseUrl);
      const login = await openLogin(desktop, (await authorizationRequest(config, running.redirectUri)).url);
      await desktop.request(`/interaction/${login.uid}/challenge`, { form: {} });
      const old = await fetch(walletUrl(login.challengeId), { headers: { accept: 'application/json' } });
      expect(old.status).toBe(410);
      expect(await old.json()).toMatchObject({ error: 'challenge_replaced' });
    });
  });
}
