/**
 * The CLI against the real product: keys and clients it writes are loaded by oidc-provider,
 * and `sign --url` completes a cross-device sign-in at the real wallet endpoint.
 */
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from '../support/browser.js';
import { startProduct, type RunningProduct } from '../support/product.js';
import { authorizationRequest, continueAfterPhone, finishToRelyingParty, openLogin } from '../support/wallet.js';
import { MAINNET_ADDRESS, MAINNET_WIF, run, tempDir } from './helpers.js';

const REDIRECT_URI = 'http://127.0.0.1:9/cb';

function kidOf(jwt: string): string {
  return (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string }).kid;
}

function signerKid(listing: string, alg: string): string {
  const row = listing.split('\n').find((line) => line.includes(` ${alg} `) && line.trimEnd().endsWith('signer'));
  return row!.split(/\s+/)[0]!;
}

describe('CLI output used by the product', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let env: Record<string, string>;
  let secret: string;
  let running: RunningProduct | undefined;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    env = { JWKS_FILE: join(dir, 'jwks.json'), CLIENTS_FILE: join(dir, 'clients.json') };
    expect((await run(['keys', 'generate', '--out', env.JWKS_FILE!, '--alg', 'RS256', '--alg', 'ES256'])).code).toBe(0);
    const added = await run([
      'clients',
      'add',
      '--file',
      env.CLIENTS_FILE!,
      '--id',
      'cli-rp',
      '--name',
      'CLI RP',
      '--redirect-uri',
      REDIRECT_URI,
      '--first-party',
      '--refresh',
    ]);
    expect(added.code).toBe(0);
    secret = /^client_secret: (\S+)$/m.exec(added.stdout)![1]!;
  });
  afterAll(async () => {
    await running?.stop();
    await cleanup();
  });

  async function signInThroughWalletUrl(product: RunningProduct) {
    const config = await oidc.discovery(new URL(product.baseUrl), 'cli-rp', secret, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
    });
    const desktop = new HttpBrowser(product.baseUrl);
    const request = await authorizationRequest(config, REDIRECT_URI, 'openid profile evrmore');
    const login = await openLogin(desktop, request.url);
    const walletUrl = `${product.baseUrl}/w/${login.challengeId}`;

    const signed = await run(['sign', '--url', walletUrl], { env: { EVRMORE_WIF: MAINNET_WIF }, fetch: globalThis.fetch });
    expect(signed.stderr).toContain('CLI RP');
    expect(signed.code).toBe(0);
    const again = await run(['sign', '--url', walletUrl], { env: { EVRMORE_WIF: MAINNET_WIF }, fetch: globalThis.fetch });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already been signed');

    const continued = await continueAfterPhone(desktop, login);
    const callback = await finishToRelyingParty(desktop, continued, REDIRECT_URI);
    return oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
  }

  it('signs in with sign --url, a client from clients add and keys from keys generate', async () => {
    running = await startProduct({ store: 'memory', env });
    const tokens = await signInThroughWalletUrl(running);
    expect(tokens.claims()?.sub).toBe(MAINNET_ADDRESS);
    // --refresh: a refresh token without prompt=consent.
    expect(tokens.refresh_token).toBeTruthy();
    const listing = (await run(['keys', 'list', '--file', env.JWKS_FILE!])).stdout;
    expect(kidOf(tokens.id_token!)).toBe(signerKid(listing, 'RS256'));

    const check = await run(['config', 'check'], { env: { NODE_ENV: 'test', DEMO: 'false', ...env }, cwd: dir });
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/clients: +1 /);
  });

  it('after keys rotate, the provider signs with the new key and still publishes the old one', async () => {
    await running?.stop();
    const before = signerKid((await run(['keys', 'list', '--file', env.JWKS_FILE!])).stdout, 'RS256');
    expect((await run(['keys', 'rotate', '--file', env.JWKS_FILE!, '--promote-in', '0'])).code).toBe(0);
    const after = signerKid((await run(['keys', 'list', '--file', env.JWKS_FILE!])).stdout, 'RS256');
    expect(after).not.toBe(before);

    running = await startProduct({ store: 'memory', env });
    const tokens = await signInThroughWalletUrl(running);
    expect(kidOf(tokens.id_token!)).toBe(after);
    const published = (await (await fetch(`${running.baseUrl}/jwks`)).json()) as { keys: Array<{ kid: string; d?: string }> };
    expect(published.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([before, after]));
    expect(published.keys.every((k) => k.d === undefined)).toBe(true);
  });
});
