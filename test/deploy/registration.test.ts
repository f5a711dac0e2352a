/**
 * Dynamic client registration (RFC 7591) and its management (RFC 7592): off by
 * default; with REGISTRATION=token the initial access token is required; a registered client
 * reads, updates (rotating its registration access token) and deletes itself; it signs users in
 * like a static client; it lives in Redis and survives a restart; `first_party` cannot be
 * registered.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { generateCookieKey, generateJwks } from '../../src/keys.js';
import { HttpBrowser } from '../support/browser.js';
import { startProduct, type RunningProduct } from '../support/product.js';
import { KEYS, authorizationRequest, readLoginPage, sign, signIn, submitSignature } from '../support/wallet.js';

const INITIAL_ACCESS_TOKEN = randomBytes(32).toString('base64url');
const REDIRECT_URI = 'https://rp.example.test/callback';
const running: RunningProduct[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((product) => product.stop()));
});

async function start(store: 'redis' | 'memory', env: Record<string, string>): Promise<RunningProduct> {
  const product = await startProduct({ store, env });
  running.push(product);
  return product;
}

async function register(baseUrl: string, metadata: Record<string, unknown>, token?: string): Promise<Response> {
  return fetch(`${baseUrl}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(metadata),
  });
}

const metadata = {
  client_name: 'Registered RP',
  redirect_uris: [REDIRECT_URI],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
};

/** A full sign-in with a registered client, through its consent page, to verified tokens. */
async function signInWith(product: RunningProduct, clientId: string, secret: string): Promise<string> {
  const config = await oidc.discovery(new URL(product.baseUrl), clientId, secret, oidc.ClientSecretBasic(secret), {
    execute: [oidc.allowInsecureRequests],
  });
  const request = await authorizationRequest(config, REDIRECT_URI);
  const callback = await signIn(new HttpBrowser(product.baseUrl), request.url, KEYS.compressed, REDIRECT_URI);
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  return tokens.claims()!.sub;
}

describe('dynamic client registration', () => {
  it('is off by default: no registration endpoint', async () => {
    const product = await start('memory', {});
    const discovery = (await (await fetch(`${product.baseUrl}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).not.toHaveProperty('registration_endpoint');
    expect((await register(product.baseUrl, metadata)).status).toBe(404);
  });

  it('with REGISTRATION=token: 401 without the initial access token; register, read, update, sign in, survive a restart, delete', async () => {
    const keyPrefix = `deploy:registration:${process.pid}:${Date.now()}:`;
    const env = {
      REGISTRATION: 'token',
      REGISTRATION_INITIAL_ACCESS_TOKEN: INITIAL_ACCESS_TOKEN,
      REDIS_KEY_PREFIX: keyPrefix,
      JWKS: JSON.stringify(await generateJwks()),
      COOKIE_KEYS: generateCookieKey(),
    };
    let product = await start('redis', env);
    const discovery = (await (await fetch(`${product.baseUrl}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.registration_endpoint).toBe(`${product.baseUrl}/reg`);

    // RFC 6750 §3.1: a missing or wrong bearer token is a 401 with a WWW-Authenticate challenge.
    const anonymous = await register(product.baseUrl, metadata);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(((await anonymous.json()) as { error: string }).error).toBe('invalid_token');
    expect((await register(product.baseUrl, metadata, 'not-the-token-'.repeat(3))).status).toBe(401);

    // Only the operator's static clients may skip consent.
    const firstParty = await register(product.baseUrl, { ...metadata, first_party: true }, INITIAL_ACCESS_TOKEN);
    expect(firstParty.status).toBe(400);
    expect(await firstParty.json()).toMatchObject({ error: 'invalid_client_metadata' });

    const created = await register(product.baseUrl, metadata, INITIAL_ACCESS_TOKEN);
    expect(created.status).toBe(201);
    const client = (await created.json()) as Record<string, string>;
    expect(client).toMatchObject({
      client_name: 'Registered RP',
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(client.client_secret).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(client.registration_access_token).toBeTruthy();
    expect(client.registration_client_uri).toBe(`${product.baseUrl}/reg/${client.client_id}`);
    const clientId = client.client_id!;
    const secret = client.client_secret!;

    // RFC 7592 §2.1: read with the registration access token, and only with it.
    const readWith = (baseUrl: string, token: string) =>
      fetch(`${baseUrl}/reg/${clientId}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await readWith(product.baseUrl, client.registration_access_token!)).status).toBe(200);
    expect((await readWith(product.baseUrl, INITIAL_ACCESS_TOKEN)).status).toBe(401);

    // RFC 7592 §2.2: a full replacement of the metadata; the token rotates.
    const updated = await fetch(`${product.baseUrl}/reg/${clientId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${client.registration_access_token}` },
      body: JSON.stringify({ ...metadata, client_id: clientId, client_secret: secret, client_name: 'Renamed RP' }),
    });
    expect(updated.status).toBe(200);
    const afterUpdate = (await updated.json()) as Record<string, string>;
    expect(afterUpdate.client_name).toBe('Renamed RP');
    expect(afterUpdate.registration_access_token).not.toBe(client.registration_access_token);
    expect((await readWith(product.baseUrl, client.registration_access_token!)).status).toBe(401);
    const token = afterUpdate.registration_access_token!;

    expect(await signInWith(product, clientId, secret)).toBe(KEYS.compressed.address);

    // A new process on the same Redis: the client and its registration access token are there.
    await product.stop();
    running.splice(running.indexOf(product), 1);
    product = await start('redis', env);
    const reread = await readWith(product.baseUrl, token);
    expect(reread.status).toBe(200);
    expect(await reread.json()).toMatchObject({ client_id: clientId, client_name: 'Renamed RP' });
    expect(await signInWith(product, clientId, secret)).toBe(KEYS.compressed.address);

    // RFC 7592 §2.3: delete; the client and its token are gone.
    const deleted = await fetch(`${product.baseUrl}/reg/${clientId}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(deleted.status).toBe(204);
    expect((await readWith(product.baseUrl, token)).status).toBe(401);
    expect(await product.product.provider.Client.find(clientId)).toBeUndefined();
  });

  it('with REGISTRATION=open: anyone may register, and the client still needs consent', async () => {
    const product = await start('memory', { REGISTRATION: 'open' });
    const created = await register(product.baseUrl, metadata);
    expect(created.status).toBe(201);
    const client = (await created.json()) as Record<string, string>;
    const config = await oidc.discovery(
      new URL(product.baseUrl),
      client.client_id!,
      client.client_secret!,
      oidc.ClientSecretBasic(client.client_secret!),
      { execute: [oidc.allowInsecureRequests] },
    );
    const request = await authorizationRequest(config, REDIRECT_URI);
    const browser = new HttpBrowser(product.baseUrl);
    const login = await browser.navigate(request.url.href);
    const page = readLoginPage(login);
    const posted = await submitSignature(browser, page, KEYS.compressed.address, sign(KEYS.compressed, page.text));
    const next = await browser.navigate(new URL(posted.headers.get('location')!, product.baseUrl).href, {}, REDIRECT_URI);
    expect(next.status).toBe(200);
    expect(next.body).toMatch(/action="\/interaction\/[^"]+\/confirm"/);
  });
});
