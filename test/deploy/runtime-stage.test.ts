/**
 * The runtime stage of the image, outside Docker: the packed app installed
 * into an empty folder with production dependencies only, started with the production command
 * and a production environment. A runtime dependency left in devDependencies, a file missing
 * from package.json "files" or a build artefact that is not shipped fails here.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureBuilt, projectPath, ROOT, run } from './support/build.js';
import { PACK, RUNTIME_INSTALL } from './support/runtime.js';
import { generateSecrets, startServerProcess, uniquePrefix, type ServerProcess } from './support/server-process.js';

const work = mkdtempSync(join(tmpdir(), 'evr-runtime-'));
const app = join(work, 'app');
let server: ServerProcess | undefined;
const ISSUER = 'https://id.example.test';

/**
 * npm runs on the Node 24 from npm (node_modules/.bin first) with the machine's environment
 * (CA certificates, proxy), but none of the npm_* settings of an enclosing `npm test`.
 */
const npmEnv = (): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))),
  PATH: projectPath(),
});

beforeAll(async () => {
  await ensureBuilt();
  const packed = await run('npm', [...PACK, work, '--json'], { cwd: ROOT, env: npmEnv() });
  expect(packed.code, packed.output).toBe(0);
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'))!;
  mkdirSync(app);
  const untar = await run('tar', ['-xzf', join(work, tarball), '-C', app, '--strip-components=1'], { cwd: work });
  expect(untar.code, untar.output).toBe(0);
  copyFileSync(join(ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
  const installed = await run('npm', [...RUNTIME_INSTALL], { cwd: app, env: npmEnv(), timeoutMs: 240_000 });
  expect(installed.code, installed.output).toBe(0);
}, 300_000);

afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('runtime stage (npm pack + npm ci --omit=dev)', () => {
  it('ships the build, the views and the static files, and nothing of the sources, tests or local state', () => {
    for (const file of [
      'package.json',
      'package-lock.json',
      'dist/server.js',
      'dist/healthcheck.js',
      'dist/cli.js',
      'views/login.ejs',
      'public/app.css',
    ]) {
      expect(existsSync(join(app, file)), file).toBe(true);
    }
    // docs/ ships: the landing page serves the guides under /docs.
    expect(existsSync(join(app, 'docs', 'deploying.md'))).toBe(true);
    for (const absent of ['src', 'test', 'examples', '.data', 'tsconfig.json', 'config/clients.json', 'Dockerfile']) {
      expect(existsSync(join(app, absent)), absent).toBe(false);
    }
  });

  it('installs production dependencies only', () => {
    for (const dev of ['typescript', 'vitest', 'playwright-core', 'bitcoinjs-message', 'dockerfile-utils']) {
      expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    }
    for (const runtime of ['oidc-provider', 'koa', 'ioredis', 'ejs']) {
      expect(existsSync(join(app, 'node_modules', runtime)), runtime).toBe(true);
    }
  });

  it('starts in production behind a TLS proxy: discovery, health, readiness and the image HEALTHCHECK', async () => {
    const secrets = await generateSecrets();
    const env = {
      NODE_ENV: 'production',
      ISSUER,
      TRUST_PROXY: 'true',
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: uniquePrefix('runtime'),
      COOKIE_KEYS: secrets.cookieKeys,
      JWKS: JSON.stringify(secrets.jwks),
      LOG_LEVEL: 'info',
    };
    server = await startServerProcess({ entry: join(app, 'dist', 'server.js'), cwd: app, env });

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    // As the TLS-terminating proxy forwards it: discovery advertises https endpoints.
    const discovery = await fetch(`${server.url}/.well-known/openid-configuration`, {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'id.example.test' },
    });
    expect(discovery.status).toBe(200);
    const metadata = (await discovery.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(ISSUER);
    expect(metadata.authorization_endpoint).toBe(`${ISSUER}/auth`);
    expect(metadata.jwks_uri).toBe(`${ISSUER}/jwks`);
    // Off unless the operator turns it on.
    expect(metadata).not.toHaveProperty('registration_endpoint');
    // The demo client is development-only.
    expect((await fetch(`${server.url}/demo`, { headers: { 'x-forwarded-proto': 'https' } })).status).toBe(404);

    const healthcheck = () =>
      run(process.execPath, [join(app, 'dist', 'healthcheck.js')], {
        cwd: app,
        env: { PATH: process.env.PATH, ...env, HOST: '0.0.0.0', PORT: String(server!.port) },
      });
    expect((await healthcheck()).code).toBe(0);

    expect(await server.stop('SIGTERM')).toBe(0);
    expect((await healthcheck()).code).toBe(1);
    expect(server.output()).not.toMatch(/IN-MEMORY STORE|development keys generated/);
  });
});
