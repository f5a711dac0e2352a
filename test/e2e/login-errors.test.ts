/**
 * Every way a sign-in can go wrong gives a clear message and a 4xx, never a 500, and loses
 * nothing: the person can still sign in afterwards. Real HTTP against the product on Redis.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText } from '../support/browser.js';
import {
  KEYS,
  authorizationRequest,
  discover,
  finishToRelyingParty,
  openLogin,
  sign,
  submitSignature,
  type LoginPage,
} from '../support/wallet.js';

/** A mainnet P2SH address (version 0x5c) with a valid checksum. */
const P2SH = createBase58check(sha256).encode(Uint8Array.from([0x5c, ...new Uint8Array(20).fill(7)]));

describe('sign-in failures', () => {
  let running: RunningProduct;
  let config: oidc.Configuration;

  beforeAll(async () => {
    running = await startProduct({ store: 'redis', env: { CHALLENGE_TTL: '2s', CHALLENGE_MAX_ATTEMPTS: '3' } });
    config = await discover(running.baseUrl);
  });
  afterAll(async () => running?.stop());

  const start = async (): Promise<{ browser: HttpBrowser; login: LoginPage }> => {
    const browser = new HttpBrowser(running.baseUrl);
    const request = await authorizationRequest(config, running.redirectUri);
    return { browser, login: await openLogin(browser, request.url) };
  };

  const errorOf = (html: string) => elementText(html, 'error') ?? '';

  /** After a failure the same page still signs in with a correct signature. */
  const stillSignsIn = async (browser: HttpBrowser, login: LoginPage) => {
    const posted = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    const callback = await finishToRelyingParty(browser, posted, running.redirectUri);
    expect(callback.searchParams.get('code')).toBeTruthy();
  };

  it('shows the challenge as one shell-safe line naming the host and the client', async () => {
    const { login } = await start();
    expect(login.text).not.toMatch(/["'$`\\!\n]/);
    expect(login.text).toContain(new URL(running.baseUrl).host);
    expect(login.text).toContain('Test RP');
    expect(login.text).toMatch(/Nonce [0-9a-f]{32}/);
    expect(login.page.body).toContain(`evrmore-cli signmessage YOUR_ADDRESS &#34;${login.text}&#34;`);
    expect(login.page.body).toMatch(/<svg[^>]*>/);
    expect(login.page.body).toContain(`/w/${login.challengeId}`);
  });

  it('refuses a wrong signature (another text signed by the right key)', async () => {
    const { browser, login } = await start();
    const page = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, 'some other text'));
    expect(page.status).toBe(400);
    expect(errorOf(page.body)).toMatch(/does not match/i);
    expect(errorOf(page.body)).toMatch(/2 tries left/);
    await stillSignsIn(browser, login);
  });

  it('refuses a signature by another key', async () => {
    const { browser, login } = await start();
    const page = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.uncompressed, login.text));
    expect(page.status).toBe(400);
    expect(errorOf(page.body)).toMatch(/does not match/i);
  });

  it('refuses an address of the other network with a message naming it', async () => {
    const { browser, login } = await start();
    const page = await submitSignature(browser, login, KEYS.testnet.address, sign(KEYS.testnet, login.text));
    expect(page.status).toBe(400);
    expect(errorOf(page.body)).toMatch(/testnet/i);
    expect(errorOf(page.body)).toMatch(/mainnet/i);
  });

  it('refuses a P2SH address: it cannot sign messages', async () => {
    const { browser, login } = await start();
    const page = await submitSignature(browser, login, P2SH, sign(KEYS.compressed, login.text));
    expect(page.status).toBe(400);
    expect(errorOf(page.body)).toMatch(/P2SH/);
  });

  it('refuses an expired challenge and offers a new one', async () => {
    const { browser, login } = await start();
    const signature = sign(KEYS.compressed, login.text);
    await new Promise((r) => setTimeout(r, 2100));
    const page = await submitSignature(browser, login, KEYS.compressed.address, signature);
    expect(page.status).toBe(410);
    expect(errorOf(page.body)).toMatch(/expired/i);
    expect(page.body).toContain('id="new-challenge"');
    const renewed = await browser.navigate(`/interaction/${login.uid}/challenge`, { form: {} });
    const fresh = {
      ...login,
      page: renewed,
      text: elementText(renewed.body, 'challenge')!,
      challengeId: /name="challenge_id" value="([^"]+)"/.exec(renewed.body)![1]!,
    };
    expect(fresh.challengeId).not.toBe(login.challengeId);
    await stillSignsIn(browser, fresh);
  });

  it('redeems a challenge once: the same signature posted again is refused', async () => {
    const { browser, login } = await start();
    const signature = sign(KEYS.compressed, login.text);
    const first = await submitSignature(browser, login, KEYS.compressed.address, signature);
    expect(first.status).toBe(303);
    const replay = await submitSignature(browser, login, KEYS.compressed.address, signature);
    expect(replay.status).toBe(409);
    expect(errorOf(replay.body)).toMatch(/already used/i);
  });

  it('refuses the challenge of another interaction', async () => {
    const a = await start();
    const b = await start();
    const signatureForA = sign(KEYS.compressed, a.login.text);
    // Posted into B's form with A's challenge id: named as another sign-in's text.
    const mismatch = await submitSignature(b.browser, b.login, KEYS.compressed.address, signatureForA, a.login.challengeId);
    expect(mismatch.status).toBe(400);
    expect(errorOf(mismatch.body)).toMatch(/another sign-in/i);
    // Without the id, A's signature simply does not match B's text.
    const wrong = await submitSignature(b.browser, b.login, KEYS.compressed.address, signatureForA, '');
    expect(wrong.status).toBe(400);
    expect(errorOf(wrong.body)).toMatch(/does not match/i);
    // And A's own cookies cannot drive B's interaction.
    const foreign = await a.browser.request(`/interaction/${b.login.uid}/login`, {
      form: { address: KEYS.compressed.address, signature: signatureForA },
    });
    expect(foreign.status).toBe(400);
  });

  it('kills a challenge after too many wrong signatures', async () => {
    const { browser, login } = await start();
    for (let i = 0; i < 3; i += 1) {
      const page = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, `wrong ${i}`));
      expect(page.status).toBe(400);
    }
    const afterDeath = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    expect(afterDeath.status).toBe(410);
    expect(errorOf(afterDeath.body)).toMatch(/too many/i);
  });

  it('answers malformed input with a clear 4xx', async () => {
    const { browser, login } = await start();
    const cases: Array<[Record<string, string>, number, RegExp]> = [
      [{ address: KEYS.compressed.address, signature: 'not base64 at all!!' }, 400, /base64/i],
      [{ address: KEYS.compressed.address, signature: Buffer.alloc(64, 1).toString('base64') }, 400, /65 bytes/],
      [{ address: 'E-not-an-address', signature: sign(KEYS.compressed, login.text) }, 400, /address/i],
      [{ address: '', signature: '' }, 400, /both/i],
      [{ address: KEYS.compressed.address, signature: 'A'.repeat(300) }, 400, /too long/i],
    ];
    for (const [form, status, message] of cases) {
      const page = await browser.request(`/interaction/${login.uid}/login`, { form: { ...form, challenge_id: login.challengeId } });
      expect(page.status, JSON.stringify(form)).toBe(status);
      expect(errorOf(page.body), JSON.stringify(form)).toMatch(message);
    }
    const repeated = await browser.request(`/interaction/${login.uid}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(repeated.status).toBe(400);
    const big = await fetch(`${running.baseUrl}/interaction/${login.uid}/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: browser.cookieHeader(new URL(`${running.baseUrl}/interaction/${login.uid}/login`)),
      },
      body: `address=${'E'.repeat(20_000)}`,
    });
    expect(big.status).toBe(413);
    const badJson = await fetch(`${running.baseUrl}/w/${login.challengeId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{"address":',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: 'invalid_request' });
    const badUid = await browser.request('/interaction/bad$uid/login', { form: {} });
    expect(badUid.status).toBe(400);
    const unknownChallenge = await fetch(`${running.baseUrl}/w/${'x'.repeat(32)}`, { headers: { accept: 'application/json' } });
    expect(unknownChallenge.status).toBe(404);
    expect(await unknownChallenge.json()).toMatchObject({ error: 'challenge_missing' });
    const badChallengeId = await fetch(`${running.baseUrl}/w/short`, { headers: { accept: 'application/json' } });
    expect(badChallengeId.status).toBe(400);
    // After all that, the sign-in still works (wrong tries cost attempts, so a fresh page).
    const again = await start();
    await stillSignsIn(again.browser, again.login);
  });

  it('refuses an authorization code used twice and revokes what it issued (RFC 6749 §4.1.2)', async () => {
    const { browser, login } = await start();
    const request = await authorizationRequest(config, running.redirectUri);
    const fresh = await openLogin(browser, request.url);
    const posted = await submitSignature(browser, fresh, KEYS.compressed.address, sign(KEYS.compressed, fresh.text));
    const callback = await finishToRelyingParty(browser, posted, running.redirectUri);
    const checks = { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce };
    const tokens = await oidc.authorizationCodeGrant(config, callback, checks);
    await expect(oidc.authorizationCodeGrant(config, callback, checks)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    expect(login.uid).not.toBe(fresh.uid);
  });

  it('never answers a user mistake with a 500', () => {
    const serverErrors = running.logs.filter((line) => line.msg === 'unhandled error');
    expect(serverErrors).toEqual([]);
  });
});
