import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

/** A real redis-server of our own, on a free loopback port, for tests and benchmarks. */
export interface RedisServer {
  port: number;
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** Start again on the same port (for outage tests). */
  restart(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const { port } = address;
  server.close();
  await once(server, 'close');
  return port;
}

/** Waits until `child` (named `name` in errors) accepts connections on the loopback port. */
export async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000, name = 'redis-server'): Promise<void> {
  const { Socket } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        socket.destroy();
        resolve(false);
      });
      socket.connect(port, '127.0.0.1');
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not listen on ${port} within ${timeoutMs} ms`);
}

/** A redis-server that keeps nothing once it stops: no snapshots, no append-only file, its files in `dir`. */
export function throwawayRedisArgs(dir: string): string[] {
  return ['--save', '', '--appendonly', 'no', '--dir', dir];
}

export async function startRedisServer(extraArgs: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'evr-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', ...throwawayRedisArgs(dir), ...extraArgs];
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitForPort(port, child);
    return child;
  };
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    process: await launch(),
    async stop() {
      const child = server.process;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
    async restart() {
      await server.stop();
      server.process = await launch();
    },
  };
  process.once('exit', () => {
    server.process.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return server;
}
