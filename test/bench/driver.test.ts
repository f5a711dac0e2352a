/**
 * The load driver's own manners: a run leaves no idle keep-alive connection behind, so one left
 * idle while the other server runs its round cannot be reused just as the server closes it
 * (ECONNRESET, counted as a failed flow of a server that did nothing wrong).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/driver.js';
import { Target } from '../../bench/http.js';
import { benchSigners } from '../../bench/keys.js';
import { BENCH_CLIENT } from '../../bench/servers.js';

let server: Server;
let port: number;

beforeAll(async () => {
  // Refuses every authorization request: each flow fails at its first step, over keep-alive.
  server = createServer((_req, res) => {
    res.statusCode = 400;
    res.end('no');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const openConnections = () =>
  new Promise<number>((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

describe('runLoad', () => {
  it('closes its connections when the run ends, and counts each refused flow with its reason', async () => {
    const target = new Target(port, `https://127.0.0.1:${port}`, 3);
    const result = await runLoad({
      target,
      login: 'wallet',
      client: BENCH_CLIENT,
      signers: benchSigners(2),
      flows: 9,
      concurrency: 3,
      maxSeconds: 30,
    });

    expect(result).toMatchObject({ planned: 9, completed: 0, failed: 9 });
    expect(Object.keys(result.failureCounts)).toEqual([expect.stringMatching(/^authorize 400/)]);
    await expect.poll(openConnections, { timeout: 2_000 }).toBe(0);
  });
});
