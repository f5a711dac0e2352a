/**
 * How the bench's baseline servers run as child processes: listen, say so, and on SIGTERM or
 * SIGINT close every connection and Redis and exit; a failure to start is printed and exits 1.
 * Nothing here comes from src/, so the bare baseline stays free of the product's modules.
 */
import { createServer, type RequestListener } from 'node:http';
import { once } from 'node:events';
import type { Redis } from 'ioredis';

export async function serveUntilSignalled(
  name: string,
  listener: RequestListener,
  redis: Redis,
  port: number,
  host: string,
): Promise<void> {
  const server = createServer(listener);
  server.listen(port, host);
  await once(server, 'listening');
  process.stdout.write(`${name} listening on ${host}:${port}\n`);
  const stop = () => {
    server.closeAllConnections();
    server.close();
    void redis.quit().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

export function startOrExit(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${name} could not start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
