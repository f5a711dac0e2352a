/**
 * The account page is a relying party of this very provider. Its browser side goes through the
 * public ISSUER like any other; its server side (discovery, token, keys) must not: a container
 * behind a TLS-terminating proxy often cannot reach its own public name (no hairpin NAT, split
 * DNS). So those requests go to this process itself, on a loopback listener opened on first use
 * that serves the same Koa app, with the X-Forwarded-Host/-Proto the proxy would have sent (Koa
 * reads them only when TRUST_PROXY is on; otherwise discovery simply names the loopback URLs,
 * which is where the requests go anyway).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { once } from 'node:events';

export interface Backchannel {
  /** A fetch for openid-client's customFetch. */
  fetch(url: string, options: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export function createBackchannel(issuer: URL, handler: () => RequestListener): Backchannel {
  let listening: Promise<{ server: Server; origin: string }> | undefined;
  const start = () => {
    listening ??= (async () => {
      const server = createServer((req, res) => handler()(req, res));
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
      const { origin } = await start();
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
      return fetch(target, { ...options, headers });
    },
    async close() {
      if (!listening) return;
      const { server } = await listening;
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
