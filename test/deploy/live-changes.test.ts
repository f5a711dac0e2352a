/**
 * Clients and signing keys changed with the CLI while two instances of the built server run on
 * one Redis behind a round-robin proxy, without a restart (docs/deploying.md, "Live changes"):
 * a client added, changed or removed is served by both within 10 s; a broken clients file
 * keeps the last good set serving, with one error logged; a key rotation in the middle of
 * traffic leaves no token that fails verification at either instance.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as oidc from 'openid-client';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { HttpBrowser } from '../support/browser.js';
import { defaultClients, RELAXED_LIMITS, TEST_CLIENT_SECRET } from '../support/product.js';
import { freePort } from '../support/redis-server.js';
import { KEYS, authorizationRequest, discover, signIn } from '../support/wallet.js';
import { run as cli } from '../cli/helpers.js';
import { ensureBuilt } from './support/build.js';
import { startRoundRobinProxy, type RoundRobinProxy } from './support/proxy.js';
import { generateSecrets, startServerProcess, uniquePrefix, type Secrets, type ServerProcess } from './support/server-process.js';

/** What the issue asks: a change reaches every instance within this. */
const WITHIN_MS = 10_000;

let secrets: Secrets;
let proxy: RoundRobinProxy;
const instances: ServerProcess[] = [];
let redirectUri: string;
let clientsFile: string;

/** Each instance in turn serves every request of `action`. */
async function onEach<T>(action: (backend: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (const backend of [0, 1]) {
    proxy.stick(backend);
    try {
      results.push(await action(backend));
    } finally {
      proxy.stick(undefined);
    }
  }
  return results;
}

/** Polls until `check` holds on both instances; returns how long that took. */
async function untilBoth(check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  const done = [false, false];
  while (!done.every(Boolean)) {
    if (Date.now() - started > WITHIN_MS + 5000)
      throw new Error(`not on both instances after ${Date.now() - started} ms: ${JSON.stringify(done)}`);
    await onEach(async (backend) => {
      if (!done[backend]) done[backend] = await check();
    });
    if (!done.every(Boolean)) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

const authorize = (clientId: string) =>
  fetch(
    `${proxy.url}/auth?${new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: redirectUri,
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    })}`,
    { redirect: 'manual' },
  );

const introspectWith = (clientId: string, secret: string) =>
  fetch(`${proxy.url}/token/introspection`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'token=none',
  });

async function signInWith(clientId: string, secret: string): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
  const config = await oidc.discovery(new URL(proxy.url), clientId, secret, oidc.ClientSecretBasic(secret), {
    execute: [oidc.allowInsecureRequests],
  });
  const request = await authorizationRequest(config, redirectUri);
  const callback = await signIn(new HttpBrowser(proxy.url), request.url, KEYS.compressed, redirectUri);
  return oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
}

const reloadErrors = (instance: ServerProcess) =>
  instance
    .output()
    .split('\n')
    .filter((line) => line.includes('"event":"config.reload_failed"'));

beforeAll(async () => {
  await ensureBuilt();
  secrets = await generateSecrets();
  const ports = [await freePort(), await freePort()];
  proxy = await startRoundRobinProxy(await freePort(), ports);
  redirectUri = `${proxy.url}/cb`;
  clientsFile = join(secrets.dir, 'clients.json');
  writeFileSync(clientsFile, JSON.stringify(defaultClients(redirectUri)), { mode: 0o600 });
  const env = {
    NODE_ENV: 'test',
    ISSUER: proxy.url,
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: uniquePrefix('live-changes'),
    JWKS_FILE: secrets.jwksFile,
    COOKIE_KEYS: secrets.cookieKeys,
    CLIENTS_FILE: clientsFile,
    CONFIG_WATCH_INTERVAL: '1s',
    DEMO: 'false',
    // The rotation test refreshes as fast as the instances answer, all from 127.0.0.1: on a quiet
    // machine that passes the default token limit (300 a minute) within the run.
    ...RELAXED_LIMITS,
  };
  for (const port of ports) instances.push(await startServerProcess({ port, env }));
}, 120_000);

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop('SIGKILL')));
  await proxy?.close();
});

describe('clients changed with the CLI, served by both running instances', () => {
  it('a client added is served by both within 10 s, and signs in on each', async () => {
    expect((await authorize('late')).status).toBe(400);
    const added = await cli([
      'clients',
      'add',
      '--file',
      clientsFile,
      '--id',
      'late',
      '--name',
      'Late app',
      '--redirect-uri',
      redirectUri,
      '--refresh',
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain('within seconds');
    const secret = /^client_secret: (\S+)$/m.exec(added.stdout)![1]!;
    expect(await untilBoth(async () => (await authorize('late')).status === 303)).toBeLessThan(WITHIN_MS);
    const subjects = await onEach(async () => (await signInWith('late', secret)).claims()?.sub);
    expect(subjects).toEqual([KEYS.compressed.address, KEYS.compressed.address]);
  });

  it('a changed client (new secret) and a removed client are served by both within 10 s', async () => {
    const rotated = await cli(['clients', 'rotate-secret', '--file', clientsFile, '--id', 'rp']);
    expect(rotated.code).toBe(0);
    const secret = /^client_secret: (\S+)$/m.exec(rotated.stdout)![1]!;
    expect(await untilBoth(async () => (await introspectWith('rp', secret)).status === 200)).toBeLessThan(WITHIN_MS);
    expect(await onEach(async () => (await introspectWith('rp', TEST_CLIENT_SECRET)).status)).toEqual([401, 401]);

    expect((await cli(['clients', 'remove', '--file', clientsFile, '--id', 'late'])).code).toBe(0);
    expect(await untilBoth(async () => (await authorize('late')).status === 400)).toBeLessThan(WITHIN_MS);
  });

  it('a broken clients file keeps the last good set serving, with one clear error per instance', async () => {
    const errorsBefore = instances.map((instance) => reloadErrors(instance).length);
    writeFileSync(clientsFile, '[{"client_id": "half-written"', { mode: 0o600 });
    // Several watch intervals pass: the error is logged once, not once per check.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await onEach(async () => (await authorize('rp')).status)).toEqual([303, 303]);
    expect(await onEach(async () => (await authorize('spa')).status)).toEqual([303, 303]);
    for (const [i, instance] of instances.entries()) {
      const errors = reloadErrors(instance).slice(errorsBefore[i]);
      expect(errors, instance.output()).toHaveLength(1);
      expect(errors[0]).toMatch(/CLIENTS_FILE .* is not valid JSON/);
      expect(errors[0]).toMatch(/still serving the last good configuration/);
    }

    // A client that oidc-provider refuses is caught the same way.
    writeFileSync(clientsFile, JSON.stringify([...defaultClients(redirectUri), { client_id: 'bad', redirect_uris: ['not a url'] }]), {
      mode: 0o600,
    });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const [i, instance] of instances.entries()) {
      expect(reloadErrors(instance).slice(errorsBefore[i])).toHaveLength(2);
    }
    expect(await onEach(async () => (await authorize('rp')).status)).toEqual([303, 303]);

    // Fixed: served again.
    writeFileSync(
      clientsFile,
      JSON.stringify([
        ...defaultClients(redirectUri),
        { client_id: 'fixed', client_secret: TEST_CLIENT_SECRET, redirect_uris: [redirectUri] },
      ]),
      { mode: 0o600 },
    );
    expect(await untilBoth(async () => (await authorize('fixed')).status === 303)).toBeLessThan(WITHIN_MS);
  });
});

describe('signing keys rotated with one command, without a restart', () => {
  async function jwksOf(backend: number): Promise<JSONWebKeySet> {
    proxy.pinNext(backend);
    return (await (await fetch(`${proxy.url}/jwks`)).json()) as JSONWebKeySet;
  }

  it('keys rotate in the middle of traffic: no token fails verification at either instance', async () => {
    const config = await discover(proxy.url);
    const request = await authorizationRequest(config, redirectUri, 'openid profile evrmore offline_access');
    const callback = await signIn(new HttpBrowser(proxy.url), request.url, KEYS.uncompressed, redirectUri);
    let tokens: oidc.TokenEndpointResponse = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    const oldKid = decodeProtectedHeader(tokens.id_token!).kid;

    const failures: string[] = [];
    const kids: string[] = [];
    let stop = false;
    let turn = 0;
    const traffic = (async () => {
      while (!stop) {
        const backend = turn++ % 2;
        proxy.pinNext(backend);
        tokens = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
        const kid = String(decodeProtectedHeader(tokens.id_token!).kid);
        kids.push(kid);
        // A relying party verifies against the keys it fetches from whichever instance answers.
        for (const verifier of [0, 1]) {
          const verified = await jwtVerify(tokens.id_token!, createLocalJWKSet(await jwksOf(verifier)), {
            issuer: proxy.url,
            audience: 'rp',
          }).then(
            () => true,
            () => false,
          );
          if (!verified) failures.push(`token of ${kid} signed at instance ${backend} fails at instance ${verifier}`);
        }
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 1000));
    const rotated = await cli(['keys', 'rotate', '--file', secrets.jwksFile, '--promote-in', '4s']);
    expect(rotated.code, rotated.stderr).toBe(0);
    // Past the promotion, with a few watch intervals to spare.
    await new Promise((resolve) => setTimeout(resolve, 8000));
    stop = true;
    await traffic;

    const newKid = kids.at(-1);
    expect(newKid).not.toBe(oldKid);
    expect(failures).toEqual([]);
    // Both keys signed during the run: the old one first, the new one at the end (each instance
    // switches at its first check after the promotion time, so for a moment both sign).
    expect(kids[0]).toBe(oldKid);
    expect(new Set(kids)).toEqual(new Set([oldKid, newKid]));
    expect(kids.slice(-4)).toEqual([newKid, newKid, newKid, newKid]);
    expect(kids.length).toBeGreaterThan(10);
    // The old key stays published, verify-only, for the tokens it signed.
    for (const backend of [0, 1]) {
      const published = (await jwksOf(backend)).keys;
      expect(published.map((key) => key.kid).sort()).toEqual([oldKid, newKid].sort());
      expect(published.find((key) => key.kid === oldKid)?.key_ops).toEqual(['verify']);
    }
    expect(instances.every((instance) => instance.child.exitCode === null)).toBe(true);
  }, 60_000);
});
