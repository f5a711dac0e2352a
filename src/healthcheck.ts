/**
 * The container's HEALTHCHECK: GET /healthz on this process's own listener, exit 0 when it
 * answers 200, 1 otherwise (Dockerfile reference, HEALTHCHECK: "0: success, 1: unhealthy").
 * It reads HOST and PORT through the same configuration as the server, so the check follows
 * the port the operator chose; slim images have no curl or wget.
 */
import { request } from 'node:http';
import { ConfigError, loadConfig, type Config } from './config/index.js';

const TIMEOUT_MS = 4000;

/** A wildcard listen address is reached over loopback. */
export function probeHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host.replace(/^\[|\]$/g, '');
}

function check(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: probeHost(host), port, path: '/healthz', method: 'GET', timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `${(error as Error).message}\n`);
  process.exit(1);
}
process.exit((await check(config.host, config.port)) ? 0 : 1);
