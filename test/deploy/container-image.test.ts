/**
 * The container image, for real: built from the Dockerfile with podman and run the way
 * docker-compose.yml runs it (read-only root, tmpfs /tmp, every capability dropped,
 * no-new-privileges, production environment, the keys and clients mounted as secrets), behind a
 * TLS-terminating proxy, on a real Redis. The first run assembles the base image (see
 * support/podman.ts) and pays for a cold build; later runs reuse both.
 */
import { chownSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as oidc from 'openid-client';
import { HttpBrowser } from '../support/browser.js';
import { defaultClients } from '../support/product.js';
import { freePort } from '../support/redis-server.js';
import { KEYS, authorizationRequest, discover, finishToRelyingParty, openLogin, submitSignature } from '../support/wallet.js';
import { ROOT } from './support/build.js';
import { ensureBaseImage, imageSize, podman, podmanMissing, podmanOk } from './support/podman.js';
import { generateSecrets, uniquePrefix } from './support/server-process.js';
import { startTlsProxy, type TlsProxy } from './support/tls-proxy.js';

const IMAGE = 'localhost/evrmore-accounts:test';
const CONTAINER = `evr-image-test-${process.pid}`;
const REDIRECT_URI = 'https://rp.example.test/cb';
/** docker-compose.yml's stop_grace_period. */
const GRACE_SECONDS = 15;
/** Where Debian keeps the machine's own CAs (here: the egress proxy's), which npm needs to build. */
const LOCAL_CAS = '/usr/local/share/ca-certificates';

let proxy: TlsProxy;
let containerPort: number;
let sizeMb: number;

/** The machine's local CA certificates, passed to the build as a secret (never a layer). */
function localCas(): string[] {
  if (!existsSync(LOCAL_CAS)) return [];
  return readdirSync(LOCAL_CAS)
    .filter((name) => name.endsWith('.crt'))
    .map((name) => readFileSync(join(LOCAL_CAS, name), 'utf8'));
}

async function waitForHealth(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    const state = await podman(['inspect', CONTAINER, '--format', '{{.State.Status}}']);
    if (state.output.trim() !== 'running' || Date.now() > deadline) {
      throw new Error(`container not healthy (${state.output.trim()}):\n${(await podman(['logs', CONTAINER])).output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  const missing = await podmanMissing();
  if (missing) throw new Error(`the container image test needs podman: ${missing}`);
  const base = await ensureBaseImage();
  console.log(`container image test: base image ${base.image} ${base.assembled ? 'assembled' : 'reused'}`);

  const secrets = await generateSecrets();
  const buildArgs = ['build', '--format', 'docker', '--network=host', '--pull=never', '-t', IMAGE];
  const cas = localCas();
  if (cas.length > 0) {
    const caFile = join(secrets.dir, 'build-ca.pem');
    writeFileSync(caFile, cas.join('\n'), { mode: 0o600 });
    buildArgs.push('--secret', `id=build_ca,src=${caFile}`);
  }
  await podmanOk([...buildArgs, ROOT], 900_000);
  sizeMb = (await imageSize(IMAGE)) / 1e6;
  console.log(`container image ${IMAGE}: ${sizeMb.toFixed(0)} MB`);

  // As compose mounts them: files on the host, readable by the image's node user (uid 1000) only.
  const clientsFile = join(secrets.dir, 'clients.json');
  writeFileSync(clientsFile, JSON.stringify(defaultClients(REDIRECT_URI)), { mode: 0o600 });
  for (const file of [secrets.jwksFile, clientsFile]) chownSync(file, 1000, 1000);

  containerPort = await freePort();
  const proxyPort = await freePort();
  const env = {
    ISSUER: `https://localhost:${proxyPort}`,
    TRUST_PROXY: 'true',
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: uniquePrefix('image'),
    COOKIE_KEYS: secrets.cookieKeys,
    JWKS_FILE: '/run/secrets/jwks',
    CLIENTS_FILE: '/run/secrets/clients',
    PORT: String(containerPort),
  };
  await podman(['rm', '--force', CONTAINER]);
  await podmanOk([
    'run',
    '--detach',
    '--name',
    CONTAINER,
    '--read-only',
    '--tmpfs',
    '/tmp',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--network',
    'host',
    '--volume',
    `${secrets.jwksFile}:/run/secrets/jwks:ro`,
    '--volume',
    `${clientsFile}:/run/secrets/clients:ro`,
    ...Object.entries(env).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
    IMAGE,
  ]);
  await waitForHealth(`http://127.0.0.1:${containerPort}/healthz`);
  proxy = await startTlsProxy(proxyPort, containerPort);
}, 1_200_000);

afterAll(async () => {
  await proxy?.close();
  await podman(['rm', '--force', '--time', '0', CONTAINER]);
});

describe('the container image, built with podman and run as compose runs it', () => {
  it('runs as the unprivileged node user, node as PID 1, on a read-only root', async () => {
    expect(await podmanOk(['exec', CONTAINER, 'id', '-u'])).toBe('1000');
    expect(await podmanOk(['image', 'inspect', IMAGE, '--format', '{{.Config.User}}'])).toBe('node');
    expect(await podmanOk(['exec', CONTAINER, 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline'])).toBe('node dist/server.js');
    const write = await podman(['exec', CONTAINER, 'sh', '-c', 'echo x > /app/dist/server.js']);
    expect(write.code).not.toBe(0);
    expect(write.output).toMatch(/Read-only file system|Permission denied/);
    // No capability left: the bounding set is empty.
    expect(await podmanOk(['exec', CONTAINER, 'sh', '-c', 'grep CapBnd /proc/1/status'])).toMatch(/CapBnd:\s+0+$/);
  });

  it('answers /healthz, passes its own HEALTHCHECK and serves discovery for its https issuer', async () => {
    const health = await fetch(`${proxy.url}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`${proxy.url}/readyz`)).status).toBe(200);
    const check = await podman(['healthcheck', 'run', CONTAINER]);
    expect(check.code, check.output).toBe(0);
    expect(await podmanOk(['inspect', CONTAINER, '--format', '{{.State.Health.Status}}'])).toBe('healthy');

    const metadata = (await (await fetch(`${proxy.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(proxy.url);
    expect(metadata.token_endpoint).toBe(`${proxy.url}/token`);
    expect((await (await fetch(String(metadata.jwks_uri))).json()).keys).toHaveLength(1);
  });

  it("signs a wallet in through the container (the image's own CLI signs) and issues tokens", async () => {
    const config = await discover(proxy.url);
    const request = await authorizationRequest(config, REDIRECT_URI);
    const browser = new HttpBrowser(proxy.url);
    const login = await openLogin(browser, request.url);
    const signature = await podmanOk([
      'exec',
      '--env',
      `EVRMORE_WIF=${KEYS.compressed.wif}`,
      CONTAINER,
      'node',
      'dist/cli.js',
      'sign',
      '--text',
      login.text,
    ]);
    const posted = await submitSignature(browser, login, KEYS.compressed.address, signature.split('\n')[0]!);
    // The image checks signatures with libsecp256k1's native binding (shipped built for this
    // platform, installed without install scripts), not the slower WASM build.
    const backend = "import('/app/dist/evrmore/secp.js').then((m) => console.log(m.recoveryBackend()))";
    expect(await podmanOk(['exec', CONTAINER, 'node', '--input-type=module', '-e', backend])).toBe('native');
    const callback = await finishToRelyingParty(browser, posted, REDIRECT_URI);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.claims()?.sub).toBe(KEYS.compressed.address);
    expect(tokens.refresh_token).toBeTruthy();
    expect(await oidc.fetchUserInfo(config, tokens.access_token, KEYS.compressed.address)).toMatchObject({
      evrmore_address: KEYS.compressed.address,
    });
    // Cookies are Secure: behind the proxy the provider knows the browser speaks https.
    const started = await fetch(request.url, { redirect: 'manual' });
    expect(started.headers.getSetCookie().join('\n')).toMatch(/; secure/i);
  });

  it(`holds no dev dependency, test, source, local state or build CA, and is small (< 400 MB)`, async () => {
    const root = await podmanOk(['image', 'mount', IMAGE]);
    try {
      const app = join(root, 'app');
      const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
      const devOnly = Object.entries(lock.packages)
        .filter(([, entry]) => entry.dev)
        .map(([path]) => path);
      expect(devOnly.length).toBeGreaterThan(10);
      for (const path of devOnly) expect(existsSync(join(app, path)), path).toBe(false);
      for (const runtime of ['oidc-provider', 'ioredis', 'koa']) expect(existsSync(join(app, 'node_modules', runtime)), runtime).toBe(true);
      // docs/ ships: the landing page serves the guides under /docs.
      expect(existsSync(join(app, 'docs', 'deploying.md'))).toBe(true);
      for (const absent of ['src', 'test', 'examples', '.data', 'tsconfig.json', 'config/clients.json', 'config/jwks.json']) {
        expect(existsSync(join(app, absent)), absent).toBe(false);
      }
      for (const absent of ['home/node/.data', 'root/.npm', 'tmp/node-compile-cache'])
        expect(existsSync(join(root, absent)), absent).toBe(false);
      expect(readdirSync(join(root, 'tmp'))).toEqual([]);

      // No file anywhere in the image holds one of the CAs given to the build.
      const needles = localCas()
        .map((pem) => pem.split('\n').filter((line) => /^[A-Za-z0-9+/]{64}$/.test(line))[2])
        .filter((line): line is string => !!line);
      expect(needles.length).toBe(localCas().length);
      const holders: string[] = [];
      const visit = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) visit(path);
          else if (entry.isFile() && statSync(path).size < 50e6) {
            const text = readFileSync(path, 'latin1');
            if (needles.some((needle) => text.includes(needle))) holders.push(path.slice(root.length));
          }
        }
      };
      for (const top of ['app', 'etc', 'home', 'root', 'tmp', 'usr/local/share', 'usr/share/ca-certificates', 'var']) {
        if (existsSync(join(root, top))) visit(join(root, top));
      }
      expect(holders).toEqual([]);
    } finally {
      await podman(['image', 'unmount', IMAGE]);
    }
    console.log(`container image size: ${sizeMb.toFixed(0)} MB`);
    expect(sizeMb).toBeLessThan(400);
  });

  it(`stops cleanly on SIGTERM within the grace period (${GRACE_SECONDS} s)`, async () => {
    const started = Date.now();
    await podmanOk(['stop', '--time', String(GRACE_SECONDS), CONTAINER], (GRACE_SECONDS + 10) * 1000);
    const seconds = (Date.now() - started) / 1000;
    // Exit code 0: the process ended itself (a SIGKILL after the grace period gives 137).
    expect(await podmanOk(['inspect', CONTAINER, '--format', '{{.State.ExitCode}}'])).toBe('0');
    expect(seconds).toBeLessThan(GRACE_SECONDS);
    const logs = (await podman(['logs', CONTAINER])).output;
    expect(logs).toMatch(/"signal":"SIGTERM"/);
    expect(logs).toMatch(/"msg":"stopped"/);
    expect(logs).not.toMatch(/IN-MEMORY STORE|development keys/);
  });
});
