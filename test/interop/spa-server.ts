/**
 * A single-page application on its own origin: a tiny static server for the pages in
 * test/interop/spa/, oidc-client-ts's browser bundle from node_modules, and /config.js with the
 * UserManager settings of the configuration under test.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const PAGES = fileURLToPath(new URL('./spa/', import.meta.url));
const require = createRequire(import.meta.url);

export const OIDC_CLIENT_TS_VERSION = (require('oidc-client-ts/package.json') as { version: string }).version;
const BUNDLE = join(require.resolve('oidc-client-ts/package.json'), '..', 'dist', 'browser', 'oidc-client-ts.min.js');

export interface Spa {
  origin: string;
  callbackUrl: string;
  loggedOutUrl: string;
  stop(): Promise<void>;
}

export function spaOrigin(port: number): string {
  // localhost, not 127.0.0.1: another site than the provider's, as an SPA on its own domain is.
  return `http://localhost:${port}`;
}

export async function startSpa(port: number, settings: Record<string, unknown>): Promise<Spa> {
  const files: Record<string, { type: string; body: string }> = {
    '/oidc-client-ts.min.js': { type: 'text/javascript', body: readFileSync(BUNDLE, 'utf8') },
    '/config.js': { type: 'text/javascript', body: `window.SPA_SETTINGS = ${JSON.stringify(settings)};\n` },
  };
  for (const name of ['index.html', 'app.js', 'callback.html', 'callback.js', 'logged-out.html']) {
    files[`/${name}`] = { type: name.endsWith('.js') ? 'text/javascript' : 'text/html', body: readFileSync(join(PAGES, name), 'utf8') };
  }
  const server: Server = createServer((request, response) => {
    const file = files[new URL(request.url ?? '/', 'http://spa').pathname];
    response.writeHead(file ? 200 : 404, { 'content-type': `${file?.type ?? 'text/plain'}; charset=utf-8`, 'cache-control': 'no-store' });
    response.end(file?.body ?? 'not found');
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const origin = spaOrigin(port);
  return {
    origin,
    callbackUrl: `${origin}/callback.html`,
    loggedOutUrl: `${origin}/logged-out.html`,
    async stop() {
      server.closeAllConnections();
      server.close();
    },
  };
}
