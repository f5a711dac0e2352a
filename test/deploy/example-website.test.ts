/**
 * examples/website (docs/integrations/website.md) against the running product: the example
 * runs as its own process, exactly as the guide says to start it; a browser signs in through
 * it with a test key and sees the claims on the example's page; signing out goes to the
 * provider's end-session endpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from '../support/browser.js';
import { startProduct, type RunningProduct } from '../support/product.js';
import { freePort } from '../support/redis-server.js';
import { KEYS, signIn } from '../support/wallet.js';
import { ROOT } from './support/build.js';

const SECRET = 'example-website-secret-0123456789-abcdefghijklmnop';
let product: RunningProduct;
let site: ChildProcess;
let siteUrl: string;
let output = '';

beforeAll(async () => {
  const sitePort = await freePort();
  siteUrl = `http://127.0.0.1:${sitePort}`;
  product = await startProduct({
    store: 'redis',
    clients: () => [
      {
        client_id: 'website',
        client_secret: SECRET,
        client_name: 'Example website',
        redirect_uris: [`${siteUrl}/callback`],
        post_logout_redirect_uris: [`${siteUrl}/`],
        grant_types: ['authorization_code'],
      },
    ],
  });
  site = spawn(process.execPath, [join(ROOT, 'examples', 'website', 'server.ts')], {
    env: { PATH: process.env.PATH, ISSUER: product.baseUrl, CLIENT_ID: 'website', CLIENT_SECRET: SECRET, BASE_URL: siteUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.once('exit', () => site.kill('SIGKILL'));
  site.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  site.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  const deadline = Date.now() + 20_000;
  while (!output.includes('example website on')) {
    if (site.exitCode !== null || Date.now() > deadline) throw new Error(`the example website did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 60_000);

afterAll(async () => {
  if (site && site.exitCode === null) {
    site.kill('SIGTERM');
    await once(site, 'exit');
  }
  await product?.stop();
});

describe('examples/website', () => {
  it('signs a visitor in with Evrmore and shows the claims from the verified ID token', async () => {
    const visitor = new HttpBrowser(siteUrl);
    const home = await visitor.request('/');
    expect(home.status).toBe(200);
    expect(home.body).toContain('class="evr-signin"');
    expect(home.body).toContain('Sign in with Evrmore');

    const login = await visitor.request('/login');
    expect(login.status).toBe(302);
    const authorization = new URL(login.headers.get('location')!);
    expect(authorization.origin + authorization.pathname).toBe(`${product.baseUrl}/auth`);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('scope')).toBe('openid profile evrmore');

    // At the provider: sign the challenge with a test wallet, consent, back to the website.
    const callback = await signIn(new HttpBrowser(product.baseUrl), authorization, KEYS.compressed, `${siteUrl}/callback`);
    const landed = await visitor.navigate(callback.href);
    expect(landed.status).toBe(200);
    const address = KEYS.compressed.address;
    expect(landed.body).toContain(`Signed in as <strong id="address">${address}</strong>`);
    for (const [claim, value] of [
      ['sub', address],
      ['preferred_username', address],
      ['evrmore_address', address],
      ['evrmore_network', 'mainnet'],
      ['iss', product.baseUrl],
      ['aud', 'website'],
    ]) {
      expect(landed.body, claim).toContain(`<td data-claim="${claim}">${value}</td>`);
    }

    // A replayed callback is refused: the pending state was used up.
    expect((await visitor.request(callback.href)).status).toBe(400);

    const signedOut = await visitor.request('/logout', { method: 'POST', form: {} });
    expect(signedOut.status).toBe(302);
    const endSession = new URL(signedOut.headers.get('location')!);
    expect(endSession.origin + endSession.pathname).toBe(`${product.baseUrl}/session/end`);
    expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${siteUrl}/`);
    expect((await visitor.request('/')).body).toContain('You are not signed in.');
  });
});
