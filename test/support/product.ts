import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config/index.js';
import { resolveSecrets } from '../../src/dev-secrets.js';
import { createLogger } from '../../src/logger.js';
import { createProduct, checkClients, type Product } from '../../src/product/index.js';
import { freePort } from './redis-server.js';

export const TEST_CLIENT_SECRET = 'test-secret-for-the-confidential-relying-party-0123456789';

export interface RunningProduct {
  baseUrl: string;
  port: number;
  config: Config;
  product: Product;
  server: Server;
  /** Every log line the product wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** The raw log text (to grep for secrets). */
  rawLogs(): string;
  redirectUri: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  store: 'redis' | 'memory';
  env?: Record<string, string>;
  /** Extra or replacement clients; the defaults are a confidential "rp" and a public "spa". */
  clients?: (redirectUri: string) => Array<Record<string, unknown>>;
}

export function defaultClients(redirectUri: string): Array<Record<string, unknown>> {
  return [
    {
      client_id: 'rp',
      client_secret: TEST_CLIENT_SECRET,
      client_name: 'Test RP',
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [redirectUri.replace('/cb', '/logged-out')],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'spa',
      client_name: 'Test SPA',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
    },
    {
      client_id: 'first',
      client_secret: TEST_CLIENT_SECRET,
      client_name: 'First party app',
      first_party: true,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
    },
  ];
}

let prefixCounter = 0;

export const RELAXED_LIMITS: Record<string, string> = {
  RATE_LIMIT_CHALLENGE: '100000/1m',
  RATE_LIMIT_SIGNIN_IP: '100000/1m',
  RATE_LIMIT_TOKEN: '100000/1m',
  RATE_LIMIT_REGISTRATION: '100000/1m',
  RATE_LIMIT_AUTHORIZATION: '100000/1m',
  RATE_LIMIT_STATUS: '100000/1m',
  FAILURE_ALERT_THRESHOLD: '1000000',
};

/** Starts the whole product on a free loopback port, on the run's redis-server or in memory. */
export async function startProduct(options: StartOptions): Promise<RunningProduct> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const redirectUri = `http://127.0.0.1:${port}/cb`;
  const dir = mkdtempSync(join(tmpdir(), 'evr-product-'));
  const clientsFile = join(dir, 'clients.json');
  writeFileSync(clientsFile, JSON.stringify((options.clients ?? defaultClients)(redirectUri)));
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    ISSUER: baseUrl,
    PORT: String(port),
    CLIENTS_FILE: clientsFile,
    DATA_DIR: join(dir, 'data'),
    DEMO: 'false',
    LOG_LEVEL: 'info',
    ...(options.store === 'redis'
      ? { REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: `t${process.pid}-${++prefixCounter}-${Date.now()}:` }
      : {}),
    // The suite signs in dozens of times a minute from 127.0.0.1, often on purpose wrongly: the
    // limits stay on (every test goes through them) but out of reach. test/security sets its own.
    ...RELAXED_LIMITS,
    ...options.env,
  };
  const config = loadConfig(env, dir);
  const secrets = await resolveSecrets(config);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const product = await createProduct(config, secrets, { logger });
  const problems = await checkClients(product.provider, config.clients, config.protocol.outbound);
  if (problems.length) throw new Error(problems.join('\n'));
  const server = createServer(product.app.callback());
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    baseUrl,
    port,
    config,
    product,
    server,
    redirectUri,
    get logs() {
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    rawLogs: () => lines.join('\n'),
    async stop() {
      server.closeAllConnections();
      server.close();
      await product.close();
    },
  };
}

/**
 * What production requires (an https issuer behind a trusted proxy, configured keys), for
 * startProduct's `env`: requests must then carry the proxy's X-Forwarded-Proto: https.
 */
export async function productionEnv(issuer = 'https://id.example.test'): Promise<Record<string, string>> {
  const { generateCookieKey, generateJwks } = await import('../../src/keys.js');
  return {
    NODE_ENV: 'production',
    ISSUER: issuer,
    TRUST_PROXY: 'true',
    COOKIE_KEYS: generateCookieKey(),
    JWKS: JSON.stringify(await generateJwks('RS256')),
  };
}

/** A token request by the confidential test client with a code that does not exist: counts against the token limit, exchanges nothing. */
export const tokenRequest = (baseUrl: string, headers: Record<string, string> = {}) =>
  fetch(`${baseUrl}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`rp:${TEST_CLIENT_SECRET}`).toString('base64')}`,
      ...headers,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: `${baseUrl}/cb` }),
  });
