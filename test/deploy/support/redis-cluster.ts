/**
 * A local Redis Cluster of three masters on loopback, with a password, created the way an
 * operator would (`redis-cli --cluster create`), and removed again by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort, throwawayRedisArgs } from '../../support/redis-server.js';
import { run } from './build.js';

export interface RedisCluster {
  ports: number[];
  password: string;
  /** redis+cluster://… with the password and every node. */
  url: string;
  stop(): Promise<void>;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Redis Cluster: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const password = randomBytes(24).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'evr-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await once(child, 'exit');
        }
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  // Never outlive the test worker, even when a test fails before stop().
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  try {
    for (let i = 0; i < masters; i += 1) {
      const port = await freePort();
      // The cluster bus port is chosen explicitly: port + 10000 may be taken or beyond 65535.
      const busPort = await freePort();
      ports.push(port);
      children.push(
        spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--cluster-port',
            String(busPort),
            '--bind',
            '127.0.0.1',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
            '--cluster-node-timeout',
            '5000',
            '--requirepass',
            password,
            '--masterauth',
            password,
            ...throwawayRedisArgs(dir),
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    const client = (port: number) => {
      const node = new Redis({ port, host: '127.0.0.1', password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      node.on('error', () => {});
      return node;
    };
    for (const port of ports) {
      await waitUntil(`node ${port} to answer`, async () => {
        const node = client(port);
        try {
          await node.connect();
          return (await node.ping()) === 'PONG';
        } finally {
          node.disconnect();
        }
      });
    }
    const created = await run(
      'redis-cli',
      [
        '--no-auth-warning',
        '-a',
        password,
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { cwd: dir, timeoutMs: 30_000 },
    );
    if (created.code !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.output}`);
    for (const port of ports) {
      await waitUntil(`node ${port} to report cluster_state:ok`, async () => {
        const node = client(port);
        try {
          await node.connect();
          return String(await node.cluster('INFO')).includes('cluster_state:ok');
        } finally {
          node.disconnect();
        }
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ports,
    password,
    url: `redis+cluster://:${password}@${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    stop,
  };
}
