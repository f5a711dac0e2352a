/**
 * A client that trickles its request (a byte every few seconds: slowloris) does not hold its
 * connection for long: the built server bounds the whole request by HTTP_REQUEST_TIMEOUT and
 * its headers by HTTP_HEADERS_TIMEOUT, while an event stream (a response) stays open.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { connect, type Socket } from 'node:net';
import { inject } from 'vitest';
import { ensureBuilt } from '../deploy/support/build.js';
import { startServerProcess, uniquePrefix, type ServerProcess } from '../deploy/support/server-process.js';

/** Opens a connection, writes `head`, then one byte of `trickle` every `everyMs`; resolves with what the server answered and after how long it closed. */
function trickle(port: number, head: string, everyMs: number): Promise<{ answer: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(head));
    let answer = '';
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write('a');
    }, everyMs);
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    const done = () => {
      clearInterval(timer);
      resolve({ answer, closedAfterMs: Date.now() - started });
    };
    socket.on('close', done);
    socket.on('error', () => undefined);
    // Never wait past what the test allows: a connection still open then is the failure.
    setTimeout(() => socket.destroy(), 20_000).unref();
  });
}

describe('request timeouts', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    await ensureBuilt();
    server = await startServerProcess({
      env: {
        NODE_ENV: 'development',
        REDIS_URL: inject('redisUrl'),
        REDIS_KEY_PREFIX: uniquePrefix('timeouts'),
        HTTP_REQUEST_TIMEOUT: '4s',
        HTTP_HEADERS_TIMEOUT: '2s',
        DEMO: 'false',
      },
    });
  }, 300_000);
  afterAll(async () => server?.stop());

  it('closes a connection whose body trickles in at a byte per second, within HTTP_REQUEST_TIMEOUT', async () => {
    const head = 'POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n';
    const { answer, closedAfterMs } = await trickle(server.port, head, 1000);
    expect(closedAfterMs).toBeLessThan(4000 + 3000);
    expect(answer.slice(0, 12), answer).toMatch(/^(HTTP\/1.1 408)?$/);
  });

  it('closes a connection whose headers trickle in, within HTTP_HEADERS_TIMEOUT', async () => {
    const { closedAfterMs } = await trickle(server.port, 'GET /healthz HTTP/1.1\r\nX-Slow: ', 500);
    expect(closedAfterMs).toBeLessThan(2000 + 3000);
  });

  it('refuses a header timeout longer than the request timeout', async () => {
    const { configProblems } = await import('../support/config.js');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    expect(
      configProblems({ HTTP_REQUEST_TIMEOUT: '5s', HTTP_HEADERS_TIMEOUT: '10s' }, mkdtempSync(join(tmpdir(), 'evr-timeouts-'))),
    ).toEqual(['HTTP_HEADERS_TIMEOUT (10s) must not be longer than HTTP_REQUEST_TIMEOUT (5s): the headers are part of the request']);
  });
});
