/**
 * Redis beyond one plain server, besides Cluster (redis-cluster.test.ts):
 * Sentinel, where REDIS_URL names the sentinels and the master group and the product follows
 * the master they report; and TLS (rediss://), where the server certificate is verified
 * against the system CAs plus NODE_EXTRA_CA_CERTS, and refused without the CA.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { Redis, type RedisOptions } from 'ioredis';
import { loadConfig } from '../../src/config/index.js';
import { connectRedis } from '../../src/product/redis-connection.js';
import { HttpBrowser } from '../support/browser.js';
import { startProduct } from '../support/product.js';
import { freePort, throwawayRedisArgs } from '../support/redis-server.js';
import { KEYS, authorizationRequest, discover, signIn } from '../support/wallet.js';
import { ensureBuilt } from './support/build.js';
import { generateSecrets, startServerProcess, uniquePrefix } from './support/server-process.js';
import { selfSignedCertificate } from './support/self-signed.js';

const dir = mkdtempSync(join(tmpdir(), 'evr-topologies-'));
const children: ChildProcess[] = [];
const password = randomBytes(16).toString('hex');

function redisServer(args: string[]): ChildProcess {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  children.push(child);
  process.once('exit', () => child.kill('SIGKILL'));
  return child;
}

async function answers(options: RedisOptions): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis({ ...options, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      client.disconnect();
    }
  }
}

afterAll(async () => {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    }),
  );
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis Sentinel', () => {
  const sentinelPassword = randomBytes(16).toString('hex');
  let url: string;

  beforeAll(async () => {
    const masterPort = await freePort();
    const sentinelPort = await freePort();
    redisServer(['--port', String(masterPort), '--bind', '127.0.0.1', '--requirepass', password, ...throwawayRedisArgs(dir)]);
    await answers({ port: masterPort, host: '127.0.0.1', password });
    // Sentinel rewrites its configuration file, so it gets one of its own.
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `requirepass ${sentinelPassword}`,
        `sentinel monitor evr-master 127.0.0.1 ${masterPort} 1`,
        `sentinel auth-pass evr-master ${password}`,
        '',
      ].join('\n'),
    );
    redisServer([conf, '--sentinel']);
    await answers({ port: sentinelPort, host: '127.0.0.1', password: sentinelPassword });
    url = `redis+sentinel://:${password}@127.0.0.1:${sentinelPort},127.0.0.1:${await freePort()}/evr-master/0`;
  }, 30_000);

  it('connects through the sentinels to the master they name, with both passwords', async () => {
    const config = loadConfig({ REDIS_URL: url, REDIS_SENTINEL_PASSWORD: sentinelPassword, REDIS_KEY_PREFIX: uniquePrefix('sentinel') });
    expect(config.redis).toMatchObject({
      kind: 'sentinel',
      masterName: 'evr-master',
      sentinels: [{ host: '127.0.0.1' }, { host: '127.0.0.1' }],
    });
    const client = connectRedis(config);
    // The second sentinel is down on purpose: the client must get by with the first.
    client.on('error', () => {});
    await client.connect();
    expect(await client.set('probe', 'ok')).toBe('OK');
    expect(await client.get('probe')).toBe('ok');
    await client.quit();
  });

  it('runs a whole sign-in through Sentinel', async () => {
    const running = await startProduct({ store: 'redis', env: { REDIS_URL: url, REDIS_SENTINEL_PASSWORD: sentinelPassword } });
    try {
      const config = await discover(running.baseUrl);
      const request = await authorizationRequest(config, running.redirectUri);
      const callback = await signIn(new HttpBrowser(running.baseUrl), request.url, KEYS.compressed, running.redirectUri);
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      expect(tokens.claims()?.sub).toBe(KEYS.compressed.address);
    } finally {
      await running.stop();
    }
  });
});

describe('Redis over TLS (rediss://)', () => {
  let tlsPort: number;
  let caFile: string;

  beforeAll(async () => {
    await ensureBuilt();
    // A self-signed server certificate for localhost: the "private CA" of the operator.
    const made = await selfSignedCertificate(dir, 'redis');
    caFile = made.certFile;
    const keyFile = made.keyFile;
    tlsPort = await freePort();
    redisServer([
      '--port',
      '0',
      '--tls-port',
      String(tlsPort),
      '--bind',
      '127.0.0.1',
      '--tls-cert-file',
      caFile,
      '--tls-key-file',
      keyFile,
      '--tls-ca-cert-file',
      caFile,
      '--tls-auth-clients',
      'no',
      '--requirepass',
      password,
      ...throwawayRedisArgs(dir),
    ]);
    await answers({ port: tlsPort, host: 'localhost', password, tls: { ca: readFileSync(caFile) } });
  }, 240_000);

  const env = async () => {
    const secrets = await generateSecrets();
    return {
      NODE_ENV: 'test',
      REDIS_URL: `rediss://:${password}@localhost:${tlsPort}/0`,
      REDIS_KEY_PREFIX: uniquePrefix('tls'),
      JWKS: JSON.stringify(secrets.jwks),
      COOKIE_KEYS: secrets.cookieKeys,
      DEMO: 'false',
    };
  };

  it('verifies the server certificate against NODE_EXTRA_CA_CERTS and serves', async () => {
    const server = await startServerProcess({ env: { ...(await env()), NODE_EXTRA_CA_CERTS: caFile } });
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
  });

  it('refuses to start when it cannot verify the certificate', async () => {
    await expect(startServerProcess({ env: await env() })).rejects.toThrow(/server exited with 1[\s\S]*(certificate|self.signed)/i);
  });
});
