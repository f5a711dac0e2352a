/**
 * The processes under test: a redis-server of their own for each server (on a free loopback
 * port), the product as operators run it (dist/server.js) and two baselines: bare oidc-provider
 * (dist-bench/bench/bare-oidc-provider.js) and oidc-provider on the product's parts
 * (dist-bench/bench/baseline-server.js), each a child process with its own /proc entry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { generateCookieKey, generateJwks } from '../src/keys.js';
import { freePort, startRedisServer, type RedisServer } from '../test/support/redis-server.js';
import type { BenchClient } from './driver.js';

/** The project root: dist-bench/bench/ (built) and bench/ (vitest) alike. */
export const ROOT = new URL(import.meta.url).pathname.includes('/dist-bench/')
  ? new URL('../../', import.meta.url).pathname
  : new URL('../', import.meta.url).pathname;

export const BENCH_CLIENT: BenchClient = {
  clientId: 'bench-rp',
  clientSecret: 'bench-secret-of-the-load-test-relying-party-0123456789abcdef',
  // Never requested: the driver stops at the redirect and reads the code from its URL.
  redirectUri: 'https://rp.bench.invalid/cb',
  scope: 'openid profile evrmore',
};

/**
 * Rate limits for a load test: every sign-in of the bench comes from 127.0.0.1 with a handful of
 * addresses, so the limits stay on (their Redis work is part of the cost measured) but far out of
 * reach. 9 999 999 is the largest count the configuration accepts.
 */
export const LOAD_TEST_LIMITS: Record<string, string> = {
  RATE_LIMIT_CHALLENGE: '9999999/1m',
  RATE_LIMIT_SIGNIN_IP: '9999999/1m',
  RATE_LIMIT_TOKEN: '9999999/1m',
  RATE_LIMIT_REGISTRATION: '9999999/1m',
  RATE_LIMIT_AUTHORIZATION: '9999999/1m',
  RATE_LIMIT_STATUS: '9999999/1m',
  // No sign-in of the bench fails; should one, it must not lock 127.0.0.1 out of the rest.
  FAILURE_ALERT_THRESHOLD: '1000000',
};

/**
 * The V8 options the container image runs the product with (`NODE_OPTIONS` in the Dockerfile's
 * runtime stage, docs/deploying.md "Memory"), so that the bench measures the product as shipped.
 */
export function shippedNodeOptions(dockerfile = join(ROOT, 'Dockerfile')): string {
  const match = /^\s*NODE_OPTIONS="([^"]*)"/m.exec(readFileSync(dockerfile, 'utf8'));
  return match?.[1] ?? '';
}

export interface Secrets {
  dir: string;
  clientsFile: string;
  jwksFile: string;
  cookieKeys: string;
}

/** One set of keys and clients for both servers, so they sign and authenticate alike. */
export async function benchSecrets(): Promise<Secrets> {
  const dir = mkdtempSync(join(tmpdir(), 'evr-bench-'));
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify(await generateJwks('RS256')), { mode: 0o600 });
  const clientsFile = join(dir, 'clients.json');
  writeFileSync(
    clientsFile,
    JSON.stringify([
      {
        client_id: BENCH_CLIENT.clientId,
        client_secret: BENCH_CLIENT.clientSecret,
        client_name: 'Bench RP',
        redirect_uris: [BENCH_CLIENT.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ]),
  );
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return { dir, clientsFile, jwksFile, cookieKeys: generateCookieKey() };
}

export interface ServerUnderTest {
  /** `bare`: bare oidc-provider (bare-oidc-provider.ts); `baseline`: oidc-provider on the product's parts (baseline-server.ts). */
  name: 'bare' | 'baseline' | 'product';
  pid: number;
  port: number;
  issuer: string;
  redis: RedisServer;
  /** A client of this server's Redis without key prefix (INFO, MEMORY, seeding). */
  monitor: Redis;
  keyPrefix: string;
  env: Record<string, string>;
  logFile: string;
  stop(): Promise<void>;
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

export interface StartOptions {
  name: ServerUnderTest['name'];
  secrets: Secrets;
  logDir: string;
  /** Variables added to (or replacing) the bench's environment for this server. */
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** The product's entry point: dist/server.js unless given (to compare a variant build). */
  productEntry?: string;
}

/**
 * Starts `name` on a free port with its own redis-server, in production mode behind a
 * "proxy" (https issuer, TRUST_PROXY): the configuration operators run, with compiled views.
 */
export async function startServer(options: StartOptions): Promise<ServerUnderTest> {
  const redis = await startRedisServer();
  const port = await freePort();
  const issuer = `https://127.0.0.1:${port}`;
  const keyPrefix = 'evr:';
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    ISSUER: issuer,
    TRUST_PROXY: 'true',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: keyPrefix,
    COOKIE_KEYS: options.secrets.cookieKeys,
    JWKS_FILE: options.secrets.jwksFile,
    CLIENTS_FILE: options.secrets.clientsFile,
    DEMO: 'false',
    LOG_LEVEL: 'info',
    ...LOAD_TEST_LIMITS,
    // The product runs with the image's V8 options; node arguments given here come after them and win.
    ...(options.name === 'product' ? { NODE_OPTIONS: shippedNodeOptions() } : {}),
    ...options.env,
  };
  const entries: Record<ServerUnderTest['name'], string> = {
    product: options.productEntry ?? join(ROOT, 'dist', 'server.js'),
    baseline: join(ROOT, 'dist-bench', 'bench', 'baseline-server.js'),
    bare: join(ROOT, 'dist-bench', 'bench', 'bare-oidc-provider.js'),
  };
  const entry = entries[options.name];
  const logFile = join(options.logDir, `${options.name}.log`);
  const log = createWriteStream(logFile);
  await once(log, 'open');
  // Logs go straight to a file (the server's write costs it about 3 µs a line here): a pipe
  // drained by this busy process would stall or wake the bench on every line, which is no
  // server's cost. The log level is the product's default, info.
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], {
    cwd: ROOT,
    env,
    stdio: ['ignore', log, log],
  });
  const deadline = Date.now() + 30_000;
  while (!(await healthy(port))) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode} before listening; see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} did not answer /healthz within 30 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const monitor = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
  await monitor.connect();
  return {
    name: options.name,
    pid: child.pid!,
    port,
    issuer,
    redis,
    monitor,
    keyPrefix,
    env,
    logFile,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      monitor.disconnect();
      await redis.stop();
      log.end();
    },
  };
}

/** Calls per command from INFO commandstats. */
export async function commandStats(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats');
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]!] = Number(match[2]);
  return calls;
}

/** Commands run between two snapshots, without the bench's own INFO calls. */
export function commandDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after)) {
    if (name === 'info') continue;
    const d = calls - (before[name] ?? 0);
    if (d > 0) delta[name] = d;
  }
  return delta;
}

export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
}

/** Which baseline a diagnostic tool compares with: bare oidc-provider unless `--parts` is among its arguments. */
export function baselineOf(argv: readonly string[]): { baseline: 'bare' | 'baseline'; rest: string[] } {
  return { baseline: argv.includes('--parts') ? 'baseline' : 'bare', rest: argv.filter((a) => a !== '--parts') };
}

/**
 * For the bench's diagnostic tools: a baseline (bare oidc-provider unless `baseline` says the
 * product-parts one) and the product (or the build at `productEntry`), with fresh secrets and
 * their logs in a temporary folder; `use` runs while both are up, and both are stopped after
 * it, whatever happens.
 */
export async function withBothServers<T>(
  label: string,
  productEntry: string | undefined,
  use: (servers: ServerUnderTest[]) => Promise<T>,
  baseline: 'bare' | 'baseline' = 'bare',
): Promise<T> {
  const secrets = await benchSecrets();
  const logDir = mkdtempSync(join(tmpdir(), `evr-${label}-`));
  const servers: ServerUnderTest[] = [
    await startServer({ name: baseline, secrets, logDir }),
    await startServer({ name: 'product', secrets, logDir, productEntry }),
  ];
  try {
    return await use(servers);
  } finally {
    for (const server of servers) await server.stop();
  }
}
