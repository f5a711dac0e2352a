/**
 * The log: secret-bearing fields are censored, and the server's batched standard output loses
 * no line when the process exits or crashes, and does not sit on a line for long.
 */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createLogger, isoTimeOncePerMillisecond, loggablePath, REDACTED_PATHS } from '../src/logger.js';

const LOGGER_MODULE = join(import.meta.dirname, '..', 'src', 'logger.ts');

function captured(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return {
    stream,
    lines: () =>
      text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('log redaction', () => {
  it('censors every listed field, top-level and nested, and keeps the rest', () => {
    const sink = captured();
    const logger = createLogger('info', sink.stream);
    const secrets = Object.fromEntries(REDACTED_PATHS.filter((path) => !path.includes('.')).map((path) => [path, `secret-${path}`]));
    logger.info({
      ...secrets,
      event: 'test',
      address: 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM',
      err: { message: 'boom', command: { name: 'hset', args: ['oidc:Session:x', 'payload', 'secret-payload'] } },
      error: { name: 'ReplyError', command: { name: 'get', args: ['secret-key'] } },
      req: { headers: { cookie: 'secret-cookie', authorization: 'Bearer secret-bearer', accept: 'text/html' } },
    });
    const [line] = sink.lines();
    const text = JSON.stringify(line);
    expect(text).not.toMatch(/secret-/);
    for (const name of Object.keys(secrets)) expect(line![name]).toBe('[redacted]');
    expect(line).toMatchObject({
      event: 'test',
      address: 'EebyyAH6v1qiSkKo2x3SVewzMCcjtyJaYM',
      err: { message: 'boom', command: '[redacted]' },
      req: { headers: { accept: 'text/html' } },
    });
  });

  it('replaces id-like path segments', () => {
    expect(loggablePath('/interaction/ufR_AmtFTTZfwjvBVJptxCWIT9ge2DLQ/login')).toBe('/interaction/:id/login');
    expect(loggablePath('/w/BnOsC095m8XtSsMF4IqTEJyS7ZPKbD23')).toBe('/w/:id');
  });
});

/** Runs a small program that logs through stdoutDestination() and returns its standard output. */
function runLogging(
  body: string,
  options: { readUntil?: string; giveUpAfterMs?: number } = {},
): Promise<{ stdout: string; code: number | null }> {
  const program = `import { createLogger, stdoutDestination } from ${JSON.stringify(LOGGER_MODULE)};
const logger = createLogger('info', stdoutDestination());
${body}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', program], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', reject);
    if (options.readUntil !== undefined) {
      // The program never exits: what it printed got out by the batch's timer alone. Stop as soon
      // as the text arrives, or give up (a loaded machine starts Node slowly, so not too early).
      const stop = () => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve({ stdout, code: null });
      };
      const timer = setTimeout(stop, options.giveUpAfterMs ?? 20_000);
      child.stdout.on('data', () => {
        if (stdout.includes(options.readUntil!)) stop();
      });
    } else {
      child.on('close', (code) => resolve({ stdout, code }));
    }
  });
}

describe('line time', () => {
  it("is pino's isoTime, each line its own millisecond's", () => {
    let now = Date.UTC(2026, 11, 6, 14, 2, 3, 456);
    const time = isoTimeOncePerMillisecond(() => now);
    expect(time()).toBe(',"time":"2026-12-06T14:02:03.456Z"');
    expect(time()).toBe(',"time":"2026-12-06T14:02:03.456Z"');
    now += 1;
    expect(time()).toBe(',"time":"2026-12-06T14:02:03.457Z"');
    now += 86_400_000;
    expect(time()).toBe(',"time":"2026-12-07T14:02:03.457Z"');
    // The same form as pino's own.
    expect(isoTimeOncePerMillisecond()()).toMatch(/^,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/);
    expect(pino.stdTimeFunctions.isoTime()).toMatch(/^,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/);
  });

  it('is on every line, current', () => {
    const out = captured();
    const logger = createLogger('info', out.stream);
    const before = Date.now();
    logger.info({ event: 'x' });
    logger.info({ event: 'y' });
    for (const line of out.lines()) {
      const at = Date.parse(String(line.time));
      expect(at).toBeGreaterThanOrEqual(before);
      expect(at).toBeLessThanOrEqual(Date.now());
    }
  });
});

describe('batched standard output', () => {
  it('writes buffered lines when the process exits', async () => {
    const { stdout, code } = await runLogging(
      `logger.info({ event: 'one' }, 'first'); logger.warn({ event: 'two' }, 'second'); process.exit(3);`,
    );
    expect(code).toBe(3);
    expect(stdout).toContain('"event":"one"');
    expect(stdout).toContain('"event":"two"');
  });

  it('writes buffered lines when the process crashes', async () => {
    const { stdout, code } = await runLogging(
      `logger.error({ event: 'before-crash' }, 'about to fail'); setTimeout(() => { throw new Error('crash'); }, 10);`,
    );
    expect(code).not.toBe(0);
    expect(stdout).toContain('"event":"before-crash"');
  });

  it('writes a lone line while the process keeps running', async () => {
    const { stdout } = await runLogging(`logger.info({ event: 'quiet' }, 'only line'); setInterval(() => {}, 1000);`, {
      readUntil: '"event":"quiet"',
    });
    expect(stdout).toContain('"event":"quiet"');
  });
});
