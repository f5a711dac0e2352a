/**
 * The log a sign-in writes, for sizing log storage (docs/monitoring.md, "Log volume"): a
 * complete audit trail (the attempt, and every code and token issued) in a bounded number of
 * compact lines. Routine success lines carry no `msg`: their `event` and `type` say it all.
 * Counted, not timed, so the check is the same on any machine.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as oidc from 'openid-client';
import { startProduct, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { KEYS, authorizationRequest, discover, signIn } from '../support/wallet.js';

/**
 * Lines and bytes of one sign-in (code exchange, userinfo and one refresh) with the test client
 * `rp`: 2 151 bytes, 2 411 before routine lines lost their message (docs/monitoring.md).
 */
const MAX_LINES = 8;
const MAX_BYTES = 2_200;

describe('log volume of a sign-in', () => {
  let product: RunningProduct;
  let written: string[] = [];

  beforeAll(async () => {
    product = await startProduct({ store: 'memory' });
    const config = await discover(product.baseUrl);
    const before = product.rawLogs().split('\n').filter(Boolean).length;
    const request = await authorizationRequest(config, product.redirectUri, 'openid profile evrmore');
    const callback = await signIn(new HttpBrowser(product.baseUrl), request.url, KEYS.compressed, product.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    await oidc.fetchUserInfo(config, tokens.access_token, KEYS.compressed.address);
    await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    written = product.rawLogs().split('\n').filter(Boolean).slice(before);
  });
  afterAll(async () => product?.stop());

  it('is complete: the attempt, the code and every token issued, each a line of its own', () => {
    const lines = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => [l.event, l.type])).toEqual([
      ['auth.attempt', undefined],
      ['token.issued', 'authorization_code'],
      ['token.issued', 'access_token'],
      ['token.issued', 'refresh_token'],
      ['token.issued', 'id_token'],
      ['token.issued', 'refresh_token'],
      ['token.issued', 'access_token'],
      ['token.issued', 'id_token'],
    ]);
    expect(lines[0]).toMatchObject({ outcome: 'success', address: KEYS.compressed.address, client_id: 'rp', ip: '127.0.0.1' });
  });

  it(`takes at most ${MAX_LINES} lines and ${MAX_BYTES} bytes, routine lines without a message`, () => {
    const bytes = written.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
    expect(written.length).toBeLessThanOrEqual(MAX_LINES);
    expect(bytes).toBeLessThanOrEqual(MAX_BYTES);
    for (const line of written) expect(JSON.parse(line), line).not.toHaveProperty('msg');
  });
});
