import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../../src/config/index.js';
import { run, tempDir } from './helpers.js';

describe('config check', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => cleanup());

  it('reports "configuration OK" with a summary for a development setup (exit 0)', async () => {
    const result = await run(['config', 'check'], { env: { NODE_ENV: 'development' }, cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('configuration OK');
    expect(result.stdout).toMatch(/issuer: +http:\/\/localhost:3000\//);
    expect(result.stdout).toMatch(/store: +memory/);
    expect(result.stdout).toMatch(/network: +mainnet/);
    expect(result.stdout).toMatch(/clients: +0/);
  });

  it('summarizes a production setup without printing any secret', async () => {
    const cookieKey = 'c'.repeat(40);
    const keysFile = join(dir, 'jwks.json');
    const clientsFile = join(dir, 'clients.json');
    expect((await run(['keys', 'generate', '--out', keysFile])).code).toBe(0);
    const added = await run(['clients', 'add', '--file', clientsFile, '--id', 'rp', '--redirect-uri', 'https://rp.example.com/cb']);
    const secret = /client_secret: (\S+)/.exec(added.stdout)![1]!;
    const env = {
      NODE_ENV: 'production',
      ISSUER: 'https://id.example.com',
      REDIS_URL: 'redis://:hunter2-redis-password@redis.internal:6379/0',
      COOKIE_KEYS: cookieKey,
      JWKS_FILE: keysFile,
      CLIENTS_FILE: clientsFile,
      EVRMORE_NETWORK: 'testnet',
      DEMO: 'false',
      TRUST_PROXY: 'true',
    };
    const result = await run(['config', 'check'], { env, cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/issuer: +https:\/\/id\.example\.com\//);
    expect(result.stdout).toMatch(/store: +redis redis\.internal:6379\/0 \(key prefix/);
    expect(result.stdout).toMatch(/network: +testnet/);
    expect(result.stdout).toMatch(/clients: +1 /);
    for (const secretText of ['hunter2', cookieKey, secret]) expect(result.stdout).not.toContain(secretText);
  });

  it('lists every problem, one per line, on stderr (exit 2)', async () => {
    const env = {
      NODE_ENV: 'production',
      ISSUER: 'http://id.example.com',
      COOKIE_KEYS: 'short',
      EVRMORE_NETWORK: 'regtest',
      PORT: 'eighty',
    };
    let problems: string[] = [];
    try {
      loadConfig(env, dir);
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems.length).toBeGreaterThan(3);

    const result = await run(['config', 'check'], { env, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe(`configuration invalid (${problems.length} problems):`);
    expect(lines.slice(1)).toEqual(problems);
    expect(result.stderr).toContain('ISSUER must be https in production');
    expect(result.stderr).toContain('EVRMORE_NETWORK must be mainnet or testnet');
  });

  it('reports a clients file that is not JSON as a problem', async () => {
    await writeFile(join(dir, 'clients.json'), '[{');
    const result = await run(['config', 'check'], { env: { CLIENTS_FILE: 'clients.json' }, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('CLIENTS_FILE (clients.json) is not valid JSON');
  });

  it('takes no options but --help', async () => {
    const result = await run(['config', 'check', '--strict']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--strict'");
    expect(result.stderr).toContain('Usage: evrmore-accounts config check');
  });
});
