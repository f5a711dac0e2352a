/**
 * The account page is a relying party of this very provider. Its browser side goes through the
 * public ISSUER like any other; its server side (discovery, token, keys) must not: a container
 * behind a TLS-terminating proxy often cannot reach its own public name (no hairpin NAT, split
 * DNS). So those requests go to this process itself, on a loopback listener opened on first use
 * that serves the same Koa app, with the X-Forwarded-Host/-Proto the proxy would have sent (Koa
 * reads them only when TRUST_PROXY is on; otherwise discovery simply names the loopback URLs,
 * which is where the requests go anyway).
 *
 * The app the listener serves contains the account page itself, so it is built after the
 * back-channel: the product hands its request handler over with `serve` once it exists.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import { once } from 'node:events';
import { actOnBehalfOf } from '../security/client-ip.js';

export interface Backchannel {
  /** A fetch for openid-client's customFetch. */
  fetch(url: string, options: RequestInit): Promise<Response>;
  /**
   * Runs `work` so that its back-channel requests count under the browser's `ip` (rate limits,
   * audit log), not under 127.0.0.1 shared by every user of the account page.
   */
  onBehalfOf<T>(ip: string, work: () => Promise<T>): Promise<T>;
  /** The handler of the app to call: this product's own, given once the app is built. */
  serve(listener: RequestListener): void;
  close(): Promise<void>;
}

/** Carries a one-time ticket for the client IP from our fetch to our own listener. */
const TICKET_HEADER = 'x-evrmore-backchannel-ticket';

export function createBackchannel(issuer: URL): Backchannel {
  let handler: RequestListener | undefined;
  let listening: Promise<{ server: Server; origin: string }> | undefined;
  const caller = new AsyncLocalStorage<string>();
  // Ticket -> client IP, for requests in flight. A ticket is random and used once, so even a
  // local process that reaches the loopback listener cannot pick the IP it is counted under.
  const tickets = new Map<string, string>();
  const start = (app: RequestListener) => {
    listening ??= (async () => {
      const server = createServer((req, res) => {
        const ticket = req.headers[TICKET_HEADER];
        delete req.headers[TICKET_HEADER];
        const ip = typeof ticket === 'string' ? tickets.get(ticket) : undefined;
        if (ip !== undefined) {
          tickets.delete(ticket as string);
          actOnBehalfOf(req, ip);
        }
        app(req, res);
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const address = server.address();
      if (!address || typeof address === 'string') throw new Error('the account back-channel did not get a port');
      return { server, origin: `http://127.0.0.1:${address.port}` };
    })();
    return listening;
  };

  return {
    async fetch(url, options) {
      if (!handler) throw new Error('the account back-channel has no app to serve yet');
      const { origin } = await start(handler);
      const target = new URL(url);
      if (target.host === issuer.host) {
        target.protocol = 'http:';
        target.host = new URL(origin).host;
      } else if (target.origin !== origin) {
        throw new Error(`the account back-channel only talks to this provider (asked for ${target.origin})`);
      }
      const headers = new Headers(options.headers);
      headers.set('x-forwarded-host', issuer.host);
      headers.set('x-forwarded-proto', issuer.protocol.replace(':', ''));
      const ip = caller.getStore();
      if (ip === undefined) return fetch(target, { ...options, headers });
      const ticket = randomBytes(18).toString('base64url');
      tickets.set(ticket, ip);
      headers.set(TICKET_HEADER, ticket);
      try {
        return await fetch(target, { ...options, headers });
      } finally {
        tickets.delete(ticket);
      }
    },
    onBehalfOf(ip, work) {
      return caller.run(ip, work);
    },
    serve(listener) {
      handler = listener;
    },
    async close() {
      if (!listening) return;
      const { server } = await listening;
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
