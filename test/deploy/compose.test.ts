/**
 * docker-compose.yml read by a real Compose implementation: Debian's podman-compose parses it,
 * interpolates the variables as Compose does (REDIS_PASSWORD from the environment, a clear
 * refusal without it) and, in --dry-run, prints the `podman run` of each service. Checked there:
 * the provider's hardening as container-image.test.ts runs it, the configuration directory
 * mounted read-only, and a Redis with a password and persistence that is not published.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, run } from './support/build.js';
import { podman, podmanEnv } from './support/podman.js';

const PROJECT = `evr-compose-${process.pid}`;
const PASSWORD = 'p4ssw0rd-from-the-env-file';

const compose = (env: Record<string, string>) =>
  run('podman-compose', ['-p', PROJECT, '--dry-run', 'up', '-d', '--no-build'], {
    cwd: ROOT,
    env: { ...podmanEnv(), ...env },
    timeoutMs: 60_000,
  });

/** The `podman run` line of a service, as podman-compose prints it. */
function runLine(output: string, service: string): string {
  const start = output.indexOf(`podman run --name=${PROJECT}_${service}_1 `);
  if (start < 0) throw new Error(`no podman run for ${service}:\n${output}`);
  const end = output.indexOf('\n[', start);
  return output.slice(start, end < 0 ? undefined : end);
}

let output: string;

beforeAll(async () => {
  const found = await run('sh', ['-c', 'command -v podman-compose'], { cwd: ROOT });
  if (found.code !== 0) throw new Error('podman-compose is not installed (apt-get install -y podman-compose; .ci/run does it)');
  const result = await compose({ REDIS_PASSWORD: PASSWORD });
  expect(result.code, result.output).toBe(0);
  output = result.output;
}, 120_000);

afterAll(async () => {
  // --dry-run still creates the project's volume and network: remove them.
  await podman(['volume', 'rm', '--force', `${PROJECT}_redis-data`]);
  await podman(['network', 'rm', '--force', `${PROJECT}_default`]);
});

describe('docker-compose.yml through podman-compose', () => {
  it('refuses to start without REDIS_PASSWORD, saying where to set it', async () => {
    const result = await compose({});
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('set REDIS_PASSWORD in config/production.env and start with --env-file config/production.env');
  });

  it('runs the provider read-only, without capabilities, with its configuration directory mounted read-only', () => {
    const accounts = runLine(output, 'accounts');
    for (const flag of [
      '--read-only',
      '--cap-drop ALL',
      '--security-opt no-new-privileges:true',
      '--tmpfs /tmp',
      '--restart unless-stopped',
    ]) {
      expect(accounts).toContain(` ${flag} `);
    }
    expect(accounts).toContain(` -v ${ROOT.replace(/\/$/, '')}/config/live:/config:ro `);
    expect(accounts).toContain(' -e JWKS_FILE=/config/jwks.json -e CLIENTS_FILE=/config/clients.json ');
    expect(accounts).toContain(` -e REDIS_URL=redis://:${PASSWORD}@redis:6379/0 `);
    expect(accounts).toContain(` --env-file ${ROOT.replace(/\/$/, '')}/config/production.env `);
    // Published on loopback only, for the reverse proxy on the host.
    expect(accounts).toContain(' -p 127.0.0.1:3000:3000 ');
    expect(accounts.trimEnd()).toMatch(/ evrmore-accounts:0\.1\.0$/);
  });

  it('runs Redis with a password given on standard input, an append-only file on a volume, and no published port', () => {
    const redis = runLine(output, 'redis');
    expect(redis).toContain('redis-server --appendonly yes --appendfsync everysec --dir /data -');
    expect(redis).toContain(`-v ${PROJECT}_redis-data:/data `);
    expect(redis).toContain('requirepass $REDIS_PASSWORD');
    // The password is not on redis-server's command line (ps would show it), only in its env.
    expect(redis.slice(redis.indexOf(' sh -c '))).not.toContain(PASSWORD);
    expect(redis).toContain(`-e REDIS_PASSWORD=${PASSWORD} `);
    expect(redis).not.toMatch(/ -p /);
    expect(redis).toContain('--healthcheck-command');
  });
});
