/**
 * Many instances: two processes of the built server on one Redis, behind a
 * round-robin proxy. The product keeps nothing in process memory that another instance needs:
 * a sign-in that starts on one instance finishes on the other, and tokens issued by one are
 * accepted by the other. Key rotation with a rolling restart: a new key in front of the JWKS
 * file, the old one kept, signs new tokens while tokens of the old key still verify; once the
 * old key is retired they no longer do.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as oidc from 'openid-client';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { generateSigningKey } from '../../src/keys.js';
import { HttpBrowser } from '../support/browser.js';
import { defaultClients } from '../support/product.js';
import { freePort } from '../support/redis-server.js';
import { KEYS, authorizationRequest, discover, finishToRelyingParty, openLogin, sign, signIn, submitSignature } from '../support/wallet.js';
import { ensureBuilt } from './support/build.js';
import { startRoundRobinProxy, type RoundRobinProxy } from './support/proxy.js';
import { generateSecrets, startServerProcess, uniquePrefix, type Secrets, type ServerProcess } from './support/server-process.js';

let secrets: Secrets;
let proxy: RoundRobinProxy;
const instances: ServerProcess[] = [];
let env: Record<string, string>;
let redirectUri: string;

async function startInstance(port: number): Promise<ServerProcess> {
  return startServerProcess({ port, env });
}

/** Stops and starts each instance in turn; the proxy skips the one that is down. */
async function rollingRestart(): Promise<void> {
  for (let i = 0; i < instances.length; i += 1) {
    const { port } = instances[i]!;
    expect(await instances[i]!.stop('SIGTERM')).toBe(0);
    instances[i] = await startInstance(port);
  }
}

function writeJwks(keys: Array<Record<string, unknown>>): void {
  writeFileSync(secrets.jwksFile, JSON.stringify({ keys }), { mode: 0o600 });
}

async function jwksOf(backend: number): Promise<JSONWebKeySet> {
  proxy.pinNext(backend);
  return (await (await fetch(`${proxy.url}/jwks`)).json()) as JSONWebKeySet;
}

/** Verifies an ID token against the keys each instance publishes. */
async function verifiesOnBoth(idToken: string): Promise<boolean[]> {
  const results: boolean[] = [];
  for (const backend of [0, 1]) {
    const keys = createLocalJWKSet(await jwksOf(backend));
    results.push(
      await jwtVerify(idToken, keys, { issuer: proxy.url, audience: 'rp' }).then(
        () => true,
        () => false,
      ),
    );
  }
  return results;
}

async function signInThroughProxy(): Promise<{
  config: oidc.Configuration;
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
}> {
  const config = await discover(proxy.url);
  const request = await authorizationRequest(config, redirectUri);
  const callback = await signIn(new HttpBrowser(proxy.url), request.url, KEYS.compressed, redirectUri);
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  return { config, tokens };
}

beforeAll(async () => {
  await ensureBuilt();
  secrets = await generateSecrets();
  const ports = [await freePort(), await freePort()];
  proxy = await startRoundRobinProxy(await freePort(), ports);
  redirectUri = `${proxy.url}/cb`;
  const clientsFile = join(secrets.dir, 'clients.json');
  writeFileSync(clientsFile, JSON.stringify(defaultClients(redirectUri)));
  env = {
    NODE_ENV: 'test',
    ISSUER: proxy.url,
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: uniquePrefix('two-instances'),
    JWKS_FILE: secrets.jwksFile,
    COOKIE_KEYS: secrets.cookieKeys,
    CLIENTS_FILE: clientsFile,
    DEMO: 'false',
  };
  for (const port of ports) instances.push(await startInstance(port));
}, 240_000);

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop('SIGKILL')));
  await proxy?.close();
});

describe('two instances on one Redis behind a round-robin proxy', () => {
  it('a sign-in started on one instance completes on the other', async () => {
    const config = await discover(proxy.url);
    const request = await authorizationRequest(config, redirectUri);
    const browser = new HttpBrowser(proxy.url);
    proxy.served.length = 0;
    // The authorization request and its interaction are created on instance 0...
    proxy.pinNext(0);
    const login = await openLogin(browser, request.url);
    // ...the signature is checked, and the interaction finished, on instance 1...
    proxy.pinNext(1);
    const posted = await submitSignature(browser, login, KEYS.compressed.address, sign(KEYS.compressed, login.text));
    // ...and the authorization resumes on instance 0.
    proxy.pinNext(0);
    const callback = await finishToRelyingParty(browser, posted, redirectUri);
    proxy.pinNext(1);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.claims()?.sub).toBe(KEYS.compressed.address);

    const step = (method: string, path: RegExp) => proxy.served.find((s) => s.method === method && path.test(s.path));
    expect(step('GET', /^\/auth\?/)).toMatchObject({ backend: 0, status: 303 });
    expect(step('POST', /^\/interaction\/[^/]+\/login$/)).toMatchObject({ backend: 1, status: 303 });
    expect(step('GET', /^\/auth\/[^/?]+$/)).toMatchObject({ backend: 0 });
    expect(step('POST', /^\/token$/)).toMatchObject({ backend: 1, status: 200 });
  });

  it('tokens issued by one instance are accepted by the other: introspection, userinfo, refresh', async () => {
    const config = await discover(proxy.url);
    const request = await authorizationRequest(config, redirectUri);
    const callback = await signIn(new HttpBrowser(proxy.url), request.url, KEYS.uncompressed, redirectUri);
    proxy.pinNext(0);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(proxy.served.at(-1)).toMatchObject({ backend: 0, path: '/token', status: 200 });

    proxy.pinNext(1);
    expect(await oidc.tokenIntrospection(config, tokens.access_token)).toMatchObject({
      active: true,
      sub: KEYS.uncompressed.address,
      client_id: 'rp',
    });
    expect(proxy.served.at(-1)).toMatchObject({ backend: 1, path: '/token/introspection' });
    proxy.pinNext(1);
    expect(await oidc.fetchUserInfo(config, tokens.access_token, KEYS.uncompressed.address)).toMatchObject({
      evrmore_address: KEYS.uncompressed.address,
    });
    expect(proxy.served.at(-1)).toMatchObject({ backend: 1, path: '/me', status: 200 });
    proxy.pinNext(1);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(proxy.served.at(-1)).toMatchObject({ backend: 1, path: '/token', status: 200 });
    // Rotation is shared state too: instance 0 knows the old refresh token was rotated, and
    // within the reuse interval (parallel refreshes) answers it with the token instance 1 issued.
    proxy.pinNext(0);
    const again = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(again.refresh_token).toBe(refreshed.refresh_token);
    proxy.pinNext(0);
    expect((await oidc.tokenIntrospection(config, again.access_token)).active).toBe(true);
  });

  it('rotates the signing key with rolling restarts: old tokens verify until the old key is retired', async () => {
    const oldKey = (JSON.parse(JSON.stringify(secrets.jwks)) as { keys: Array<Record<string, unknown>> }).keys[0]!;
    const { config, tokens } = await signInThroughProxy();
    const oldIdToken = tokens.id_token!;
    expect(decodeProtectedHeader(oldIdToken).kid).toBe(oldKey.kid);

    // Rotate: the new key in front signs; the old one stays, published for verification.
    const newKey = await generateSigningKey('RS256');
    writeJwks([newKey, oldKey]);
    await rollingRestart();
    expect(await verifiesOnBoth(oldIdToken)).toEqual([true, true]);
    for (const backend of [0, 1]) expect((await jwksOf(backend)).keys.map((k) => k.kid)).toEqual([newKey.kid, oldKey.kid]);
    // Tokens issued before the rotation still work on both instances...
    proxy.pinNext(0);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(true);
    proxy.pinNext(1);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    // ...and what is issued now is signed with the new key.
    expect(decodeProtectedHeader(refreshed.id_token!).kid).toBe(newKey.kid);
    expect(await verifiesOnBoth(refreshed.id_token!)).toEqual([true, true]);
    // The old ID token is still accepted as a logout hint (signature checked by the provider).
    const logout = await fetch(`${proxy.url}/session/end?id_token_hint=${oldIdToken}`, { headers: { accept: 'text/html' } });
    expect(logout.status).toBe(200);

    // Retire the old key: tokens it signed stop verifying; the new ones keep working.
    writeJwks([newKey]);
    await rollingRestart();
    expect(await verifiesOnBoth(oldIdToken)).toEqual([false, false]);
    expect(await verifiesOnBoth(refreshed.id_token!)).toEqual([true, true]);
    const rejected = await fetch(`${proxy.url}/session/end?id_token_hint=${oldIdToken}`, { headers: { accept: 'text/html' } });
    expect(rejected.status).toBe(400);
  }, 90_000);
});
