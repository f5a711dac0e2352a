/**
 * The server and HTTP settings: where it listens, the public issuer URL, the proxy in front,
 * logging, the data directory, and the timeouts of connections and shutdown.
 */
import { resolve } from 'node:path';
import type { EnvReader } from './readers.js';

export interface ServerSettings {
  issuer: URL;
  host: string;
  port: number;
  /** Trust X-Forwarded-* from the reverse proxy in front (needed behind TLS termination). */
  trustProxy: boolean;
  dataDir: string;
  logLevel: string;
  /** LOG_FORMAT; absent: readable lines in a development terminal, JSON otherwise (server.ts decides). */
  logFormat?: 'json' | 'pretty';
  /** Seconds that SIGTERM waits for requests in flight before the process exits anyway. */
  shutdownTimeout: number;
  /** Seconds an idle HTTP/1.1 keep-alive connection stays open. */
  keepAliveTimeout: number;
  /** Seconds a client has to send a whole request (headers and body), and its headers alone. */
  requestTimeout: number;
  headersTimeout: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function readServer(read: EnvReader, production: boolean): ServerSettings {
  const { problems } = read;
  const port = read.integer('PORT', 3000, { min: 0, max: 65535 });
  const issuer = readIssuer(read, port, production);
  const shutdownTimeout = read.duration('SHUTDOWN_TIMEOUT', 8, { max: 600 });
  // Longer than the idle timeout of the load balancers in front (60 s on most), so that they,
  // not we, close an idle connection: closing one just as the balancer reuses it fails that
  // request (a 502). Node's own default is 5 s.
  const keepAliveTimeout = read.duration('HTTP_KEEP_ALIVE_TIMEOUT', 65, { max: 3600 });
  // A client that trickles its request (slowloris: a byte every few seconds) would otherwise
  // hold its connection for Node's 300 s; every request here is at most 64 KiB. The event
  // stream is a response, not a request, and is not cut by these.
  const requestTimeout = read.duration('HTTP_REQUEST_TIMEOUT', 30, { max: 600 });
  const headersTimeout = read.duration('HTTP_HEADERS_TIMEOUT', 10, { max: 600 });
  if (headersTimeout > requestTimeout) {
    problems.push(
      `HTTP_HEADERS_TIMEOUT (${headersTimeout}s) must not be longer than HTTP_REQUEST_TIMEOUT (${requestTimeout}s): the headers are part of the request`,
    );
  }

  const logFormat = read.choice('LOG_FORMAT', ['json', 'pretty'], undefined);
  return {
    issuer,
    host: read.text('HOST') ?? '127.0.0.1',
    port,
    trustProxy: read.boolean('TRUST_PROXY', false),
    dataDir: resolve(read.cwd, read.text('DATA_DIR') ?? '.data'),
    logLevel: read.choice('LOG_LEVEL', LOG_LEVELS, 'info'),
    ...(logFormat ? { logFormat } : {}),
    shutdownTimeout,
    keepAliveTimeout,
    requestTimeout,
    headersTimeout,
  };
}

/** ISSUER: the public root URL of this provider; http://localhost:PORT outside production. */
function readIssuer(read: EnvReader, port: number, production: boolean): URL {
  const { problems } = read;
  let issuer = new URL(`http://localhost:${port}`);
  const issuerText = read.text('ISSUER');
  const issuerHasScheme = issuerText !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(issuerText);
  if (issuerText && !issuerHasScheme) {
    // "localhost:3000" parses as a URL of scheme "localhost:" and path "3000": say what is meant.
    problems.push(
      URL.canParse(`http://${issuerText}`)
        ? `ISSUER must start with http:// or https:// (got "${issuerText}"; did you mean http://${issuerText}?)`
        : `ISSUER is not a URL: "${issuerText}"`,
    );
  } else if (issuerText) {
    try {
      issuer = new URL(issuerText);
      if (issuer.search || issuer.hash) problems.push('ISSUER must not have a query or fragment (OIDC Discovery §4.3)');
      // Pages, the wallet URL and the provider are served from the root of the host.
      if (issuer.pathname !== '/')
        problems.push(
          `ISSUER must be the root of its host, without a path (got "${issuer.pathname}"): serve the provider on its own (sub)domain`,
        );
      if (issuer.protocol !== 'https:' && issuer.protocol !== 'http:') problems.push('ISSUER must be an http(s) URL');
    } catch {
      problems.push(`ISSUER is not a URL: "${issuerText}"`);
    }
  } else if (production) {
    problems.push('ISSUER is required in production: the public https URL of this provider, e.g. https://id.example.com');
  }
  if (production && issuerText && issuerHasScheme && issuer.protocol !== 'https:') {
    problems.push(
      `ISSUER must be https in production (got ${issuer.protocol.replace(':', '')}): tokens and cookies must never travel in clear`,
    );
  }
  return issuer;
}
