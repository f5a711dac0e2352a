/**
 * Bounded bodies, strict schemas on every form and JSON body, ids checked for
 * shape before any lookup, and every rejection a clear 4xx.
 */
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import type * as oidc from 'openid-client';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser, elementText } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, openLogin, sign, type LoginPage } from '../support/wallet.js';

describe('input validation', () => {
  let product: RunningProduct;
  let config: oidc.Configuration;
  let browser: HttpBrowser;
  let login: LoginPage;

  beforeAll(async () => {
    product = await startProduct({ store: 'redis' });
    config = await discover(product.baseUrl);
    browser = new HttpBrowser(product.baseUrl);
    login = await openLogin(browser, (await authorizationRequest(config, product.redirectUri)).url);
  });
  afterAll(async () => product?.stop());

  const wallet = () => `${product.baseUrl}/w/${login.challengeId}`;
  const postJson = (url: string, body: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body });
  const expectJsonError = async (response: Response, status: number, description: RegExp) => {
    expect(response.status).toBe(status);
    const body = (await response.json()) as { error: string; error_description: string };
    expect(body.error).toMatch(/^[a-z_]+$/);
    expect(body.error_description).toMatch(description);
  };

  it('refuses oversized bodies with 413 before reading them', async () => {
    const big = JSON.stringify({ address: KEYS.compressed.address, signature: 'A'.repeat(10_000) });
    await expectJsonError(await postJson(wallet(), big), 413, /too large \(at most 8 KiB\)/);
    const cookie = browser.cookieHeader(new URL(`${product.baseUrl}/interaction/${login.uid}/login`));
    const form = await fetch(`${product.baseUrl}/interaction/${login.uid}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: `address=${'E'.repeat(9000)}`,
    });
    expect(form.status).toBe(413);
    expect(elementText(await form.text(), 'error')).toMatch(/too large/);
    // The provider's endpoints: anything over 64 KiB is refused in front of it.
    const token = await fetch(`${product.baseUrl}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: `grant_type=authorization_code&code=${'x'.repeat(70_000)}`,
    });
    await expectJsonError(token, 413, /at most 64 KiB/);
  });

  it('refuses malformed JSON, non-object bodies and other content types', async () => {
    await expectJsonError(await postJson(wallet(), '{"address":'), 400, /not valid JSON/);
    await expectJsonError(await postJson(wallet(), '["address","signature"]'), 400, /must be a JSON object/);
    await expectJsonError(await postJson(wallet(), '"just a string"'), 400, /not valid JSON|must be a JSON object/);
    const text = await fetch(wallet(), {
      method: 'POST',
      headers: { 'content-type': 'text/plain', accept: 'application/json' },
      body: 'address=x',
    });
    await expectJsonError(text, 415, /JSON or as a form/);
    const multipart = new FormData();
    multipart.set('address', KEYS.compressed.address);
    await expectJsonError(
      await fetch(wallet(), { method: 'POST', headers: { accept: 'application/json' }, body: multipart }),
      415,
      /JSON or as a form/,
    );
  });

  it('holds JSON and form bodies to their schema: known fields, single strings, bounded length', async () => {
    const signature = sign(KEYS.compressed, login.text);
    await expectJsonError(
      await postJson(wallet(), JSON.stringify({ address: KEYS.compressed.address, signature, pubkey: '02ab' })),
      400,
      /fields this form does not take: "pubkey"/,
    );
    await expectJsonError(
      await postJson(wallet(), JSON.stringify({ address: 42, signature })),
      400,
      /"address" must be a single text value/,
    );
    await expectJsonError(
      await postJson(wallet(), JSON.stringify({ address: { $ne: '' }, signature })),
      400,
      /"address" must be a single text value/,
    );
    await expectJsonError(
      await postJson(wallet(), JSON.stringify({ address: [KEYS.compressed.address], signature })),
      400,
      /"address" must be a single text value/,
    );
    await expectJsonError(
      await postJson(wallet(), JSON.stringify({ address: KEYS.compressed.address, signature: 'A'.repeat(201) })),
      400,
      /"signature" is too long \(at most 200/,
    );

    const post = async (path: string, body: string) => {
      const cookie = browser.cookieHeader(new URL(`${product.baseUrl}${path}`));
      const response = await fetch(`${product.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body,
      });
      return { status: response.status, message: elementText(await response.text(), 'error') ?? '' };
    };
    const base = `/interaction/${login.uid}`;
    expect(await post(`${base}/login`, `address=${KEYS.compressed.address}&signature=x&extra=1`)).toEqual({
      status: 400,
      message: expect.stringMatching(/"extra"/),
    });
    expect(await post(`${base}/login`, `address=a&address=b&signature=x`)).toEqual({
      status: 400,
      message: expect.stringMatching(/"address" must be a single text value/),
    });
    expect(await post(`${base}/login`, `address[a]=1&signature=x`)).toMatchObject({ status: 400 });
    for (const step of ['continue', 'challenge', 'confirm', 'abort']) {
      expect(await post(`${base}/${step}`, 'anything=1'), step).toEqual({ status: 400, message: expect.stringMatching(/"anything"/) });
    }
    // Nothing of that cost the challenge an attempt or changed its state.
    const challenge = await product.product.challenges.get(login.challengeId);
    expect(challenge).toMatchObject({ attempts: 0, state: 'pending' });
  });

  it('checks interaction and challenge ids for shape before any lookup', async () => {
    const get = vi.spyOn(product.product.challenges, 'get');
    const forInteraction = vi.spyOn(product.product.challenges, 'forInteraction');
    const details = vi.spyOn(product.product.provider, 'interactionDetails');
    try {
      const probes: Array<[string, string, string?]> = [
        ['GET', '/w/short'],
        ['GET', `/w/${'a'.repeat(31)}$`],
        ['GET', `/w/${'a'.repeat(33)}`],
        ['POST', `/w/${'*'.repeat(32)}`, JSON.stringify({ address: 'x', signature: 'y' })],
        ['GET', '/interaction/bad$uid'],
        ['GET', '/interaction/short'],
        ['GET', `/interaction/${'a'.repeat(65)}/status`],
        ['POST', '/interaction/bad$uid/login', 'address=x&signature=y'],
        ['GET', "/interaction/'%20OR%201=1/events"],
      ];
      for (const [method, path, body] of probes) {
        const response = await fetch(`${product.baseUrl}${path}`, {
          method,
          headers: {
            accept: 'application/json',
            ...(body ? { 'content-type': body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded' } : {}),
          },
          body,
        });
        expect(response.status, `${method} ${path}`).toBe(400);
        expect(await response.json(), `${method} ${path}`).toMatchObject({
          error: 'invalid_request',
          error_description: expect.stringMatching(/malformed/),
        });
      }
      expect(get).not.toHaveBeenCalled();
      expect(forInteraction).not.toHaveBeenCalled();
      expect(details).not.toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('answers every refusal above with a 4xx, never a 500', () => {
    expect(product.logs.filter((l) => l.level === 50)).toEqual([]);
  });
});
