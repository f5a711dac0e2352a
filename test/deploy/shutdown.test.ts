/**
 * Graceful shutdown of the built server: on SIGTERM it stops accepting
 * connections, finishes the request in flight, ends the sign-in page's event stream (the
 * browser reconnects elsewhere), closes Redis and exits 0 — and SHUTDOWN_TIMEOUT bounds a
 * request that never ends. Idle keep-alive connections: kept for HTTP_KEEP_ALIVE_TIMEOUT, closed
 * at once by a stop.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { HttpBrowser } from '../support/browser.js';
import { ensureBuilt } from './support/build.js';
import { generateSecrets, startServerProcess, uniquePrefix, type Secrets, type ServerProcess } from './support/server-process.js';

let secrets: Secrets;
let clientsFile: string;
const running: ServerProcess[] = [];

beforeAll(async () => {
  await ensureBuilt();
  secrets = await generateSecrets();
  clientsFile = join(secrets.dir, 'clients.json');
  writeFileSync(
    clientsFile,
    JSON.stringify([{ client_id: 'rp', client_secret: 'x'.repeat(40), redirect_uris: ['http://127.0.0.1:9/cb'] }]),
  );
}, 240_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop('SIGKILL')));
});

async function start(env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({
    env: {
      NODE_ENV: 'test',
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: uniquePrefix('shutdown'),
      JWKS_FILE: secrets.jwksFile,
      COOKIE_KEYS: secrets.cookieKeys,
      CLIENTS_FILE: clientsFile,
      DEMO: 'false',
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  running.push(server);
  return server;
}

/** A POST whose headers and half of whose body have arrived: a request in flight. */
async function holdRequestOpen(port: number, body: string): Promise<{ socket: Socket; finish(): Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let response = '';
  socket.on('data', (chunk) => {
    response += chunk;
  });
  const closed = once(socket, 'close');
  const half = Math.floor(body.length / 2);
  socket.write(
    `POST /token HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body.slice(0, half)}`,
  );
  return {
    socket,
    async finish() {
      socket.write(body.slice(half));
      await closed;
      return response;
    },
  };
}

/** One answered request on a keep-alive connection, left open and idle. */
async function idleKeepAlive(port: number): Promise<{ socket: Socket; closed: Promise<unknown>; isClosed(): boolean }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let closedYet = false;
  const closed = once(socket, 'close').then(() => {
    closedYet = true;
  });
  const answered = once(socket, 'data');
  socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
  expect(String((await answered)[0])).toMatch(/^HTTP\/1\.1 200 /);
  return { socket, closed, isClosed: () => closedYet };
}

async function portRefuses(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  } finally {
    socket.destroy();
  }
}

async function waitFor(what: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('graceful shutdown of dist/server.js', () => {
  it('on SIGTERM finishes the request in flight, ends event streams, closes the port and exits 0', async () => {
    const server = await start();

    // A sign-in page with its event stream open, as a browser waiting for the phone.
    const browser = new HttpBrowser(server.url);
    const login = await browser.navigate(
      `/auth?client_id=rp&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}&response_type=code&scope=openid&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&state=s1`,
    );
    const uid = /\/interaction\/([A-Za-z0-9_-]+)/.exec(login.url)?.[1];
    expect(uid, login.body.slice(0, 300)).toBeTruthy();
    const eventsUrl = new URL(`/interaction/${uid}/events`, server.url);
    const events = await fetch(eventsUrl, { headers: { accept: 'text/event-stream', cookie: browser.cookieHeader(eventsUrl) } });
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = events.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: state');
    const streamEnded = (async () => {
      try {
        for (;;) if ((await reader.read()).done) return 'ended';
      } catch {
        return 'ended';
      }
    })();

    const inFlight = await holdRequestOpen(server.port, 'grant_type=authorization_code&code=nothing-to-see-here&client_id=nobody');
    // Let the server parse the headers, so the request is really in flight.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const signalled = Date.now();
    const exited = server.stop('SIGTERM');
    await waitFor('the port to close', () => portRefuses(server.port));
    expect(await streamEnded).toBe('ended');
    expect(server.child.exitCode).toBeNull();

    const response = await inFlight.finish();
    expect(response).toMatch(/^HTTP\/1\.1 (400|401) /);
    expect(response).toContain('"error":"invalid_client"');
    // Told to go elsewhere for its next request.
    expect(response.toLowerCase()).toContain('connection: close');

    expect(await exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(server.output()).toContain('shutting down');
    expect(server.output()).toContain('"msg":"stopped"');
  });

  it('exits 1 once SHUTDOWN_TIMEOUT has passed with a request that never ends', async () => {
    const server = await start({ SHUTDOWN_TIMEOUT: '1s' });
    const stuck = await holdRequestOpen(server.port, 'grant_type=authorization_code&code=never-finished');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signalled = Date.now();
    expect(await server.stop('SIGTERM')).toBe(1);
    const waited = Date.now() - signalled;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(4000);
    expect(server.output()).toContain('requests still in flight after SHUTDOWN_TIMEOUT');
    stuck.socket.destroy();
  });
});

describe('idle keep-alive connections of dist/server.js', () => {
  it('stay open for HTTP_KEEP_ALIVE_TIMEOUT, then close (Node alone would close them after 5 s)', async () => {
    const server = await start({ HTTP_KEEP_ALIVE_TIMEOUT: '2s' });
    const idle = await idleKeepAlive(server.port);
    const opened = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(idle.isClosed()).toBe(false);
    await idle.closed;
    expect(Date.now() - opened).toBeLessThan(4500);
  });

  it('are closed at once by SIGTERM, even with the long default timeout', async () => {
    const server = await start();
    const idle = await idleKeepAlive(server.port);
    const signalled = Date.now();
    expect(await server.stop('SIGTERM')).toBe(0);
    await idle.closed;
    expect(Date.now() - signalled).toBeLessThan(5000);
  });
});
