/**
 * The test command's closing line ("Tests: N passed, N failed, N skipped") on a broken machine
 * or suite: a failed beforeAll counts its tests as failed, and a machine without Chromium stops
 * the run at once with one message naming the package and CHROMIUM_PATH, exit status non-zero.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const VITEST = join(process.cwd(), 'node_modules', 'vitest', 'vitest.mjs');

function vitest(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [VITEST, 'run', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${run.stdout}\n${run.stderr}`;
  const closing = /^Tests: (\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(run.stdout);
  return {
    status: run.status,
    output,
    closing: closing ? { passed: Number(closing[1]), failed: Number(closing[2]), skipped: Number(closing[3]) } : undefined,
  };
}

describe('the closing line of a test run', () => {
  it('counts the tests of a suite whose beforeAll failed as failed, not skipped', { timeout: 120_000 }, () => {
    const run = vitest(['--config', 'test/fixtures/vitest.fixture.config.ts']);
    expect(run.status).not.toBe(0);
    expect(run.closing).toEqual({ passed: 1, failed: 2, skipped: 1 });
  });

  it('stops at once without Chromium, names the package and CHROMIUM_PATH, and counts the failure', { timeout: 120_000 }, () => {
    const run = vitest(['test/i18n/catalogues.test.ts'], { CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('Chromium is not at CHROMIUM_PATH (/nonexistent/chromium)');
    expect(run.output).toContain('install the Debian package chromium (apt-get install chromium)');
    // Stopped before any test: nothing passed, and the refusal is a failure.
    expect(run.closing).toEqual({ passed: 0, failed: 1, skipped: 0 });
    // One message: no stack trace into the suite's own files.
    expect(run.output).not.toMatch(/^\s+at .*preflight/m);
  });

  it('names the redis-server package when it is missing', { timeout: 120_000 }, () => {
    const run = vitest(['test/i18n/catalogues.test.ts'], { PATH: join(process.cwd(), 'node_modules', '.bin') });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('install the Debian package redis-server (apt-get install redis-server)');
    expect(run.closing?.failed).toBe(1);
  });
});
