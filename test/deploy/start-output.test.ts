/**
 * What a person sees after `npm start`: readable log lines (JSON only when asked or in
 * production), the in-memory warning once, the URLs to open and how a phone on the network
 * reaches the server; and a plain answer to ISSUER=localhost:3000.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ROOT, run } from './support/build.js';
import { startServerProcess } from './support/server-process.js';
import { prettyLine } from '../../src/logger.js';

describe('npm start output', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 180_000);

  it('prints readable lines, the in-memory warning once, and the URLs to open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evr-start-'));
    const server = await startServerProcess({ env: { LOG_FORMAT: 'pretty', LOG_LEVEL: 'info', DATA_DIR: join(dir, 'data') }, cwd: dir });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.stop();
    const output = server.output();
    const lines = output.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('oidc-provider WARNING'));
    // Every line is a readable "HH:MM:SS LEVEL message" line, none is JSON.
    for (const line of lines) expect(line).toMatch(/^\d\d:\d\d:\d\d (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) /);
    expect(output.match(/IN-MEMORY STORE/g)).toHaveLength(1);
    const base = `http://localhost:${server.port}`;
    expect(output).toContain(`open in a browser: ${base}/  ${base}/demo  ${base}/account`);
    expect(output).toMatch(new RegExp(`start with HOST=0\\.0\\.0\\.0 ISSUER=http://\\S+:${server.port}`));
  });

  it('writes JSON lines when LOG_FORMAT=json (what a log collector reads)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evr-start-'));
    const server = await startServerProcess({ env: { LOG_FORMAT: 'json', LOG_LEVEL: 'info', DATA_DIR: join(dir, 'data') }, cwd: dir });
    await server.stop();
    const json = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(json.length).toBeGreaterThan(3);
    expect(json.some((line) => (JSON.parse(line) as { msg: string }).msg.startsWith('open in a browser: '))).toBe(true);
  });

  it('formats a line with its fields, redacted values staying redacted', () => {
    const line = prettyLine(
      JSON.stringify({
        level: 40,
        time: '2026-12-06T09:41:07.123Z',
        service: 'evrmore-accounts',
        msg: 'sign-in failed',
        ip: '127.0.0.1',
        reason: 'signature_mismatch',
        signature: '[redacted]',
        note: 'two words',
      }),
    );
    expect(line).toBe('09:41:07 WARN  sign-in failed ip=127.0.0.1 reason=signature_mismatch signature=[redacted] note="two words"');
  });

  it('ISSUER=localhost:3000 is told to start with http://', async () => {
    const result = await run(process.execPath, [join(ROOT, 'dist', 'server.js')], {
      cwd: mkdtempSync(join(tmpdir(), 'evr-start-')),
      env: { PATH: process.env.PATH ?? '', ISSUER: 'localhost:3000' },
    });
    expect(result.code).toBe(2);
    expect(result.output).toContain(
      'ISSUER must start with http:// or https:// (got "localhost:3000"; did you mean http://localhost:3000?)',
    );
    expect(result.output).not.toContain('without a path');
  });
});
