/**
 * The load driver's HTTP client: node:http with keep-alive sockets and a cookie jar per
 * virtual user, no redirect following (every hop is a measured step). Lean on purpose: the
 * driver shares the machine's cores with the servers it measures, so it must cost little.
 *
 * The servers run as they would behind a TLS-terminating proxy (issuer https://…, TRUST_PROXY):
 * every request carries X-Forwarded-Proto: https, and absolute Locations of the issuer are
 * followed on the loopback port. Nothing leaves 127.0.0.1.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Skips reading the body as text (it is still drained). */
  discardBody?: boolean;
}

interface Cookie {
  value: string;
  path: string;
}

/** Cookies by name and path, sent by path prefix as a browser does; Secure is ignored (TLS ends at the "proxy"). */
export class CookieJar {
  private readonly cookies = new Map<string, Cookie & { name: string }>();

  store(setCookie: string[] | undefined): void {
    if (!setCookie) return;
    for (const line of setCookie) {
      const semi = line.indexOf(';');
      const pair = semi === -1 ? line : line.slice(0, semi);
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = value === '';
      if (semi !== -1) {
        for (const attribute of line.slice(semi + 1).split(';')) {
          const [rawKey, rawVal = ''] = attribute.split('=');
          const key = rawKey!.trim().toLowerCase();
          if (key === 'path') path = rawVal.trim();
          else if (key === 'expires' && Date.parse(rawVal) < Date.now()) expired = true;
          else if (key === 'max-age' && Number(rawVal) <= 0) expired = true;
        }
      }
      const id = `${name};${path}`;
      if (expired) this.cookies.delete(id);
      else this.cookies.set(id, { name, value, path });
    }
  }

  header(pathname: string): string {
    let out = '';
    for (const c of this.cookies.values()) {
      if (c.path === '/' || pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)) {
        out += `${out ? '; ' : ''}${c.name}=${c.value}`;
      }
    }
    return out;
  }

  clear(): void {
    this.cookies.clear();
  }
}

export class RequestError extends Error {}

/** One server under test: its loopback port, its public issuer, a shared keep-alive agent. */
export class Target {
  readonly agent: Agent;
  readonly issuer: URL;

  constructor(
    readonly port: number,
    issuer: string,
    maxSockets: number,
    private readonly timeoutMs = 30_000,
  ) {
    this.issuer = new URL(issuer);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  }

  /** The path (with query) to request on the loopback port, or undefined for a URL elsewhere. */
  localPath(location: string): string | undefined {
    if (location.startsWith('/')) return location;
    const url = new URL(location);
    if (url.origin !== this.issuer.origin) return undefined;
    return url.pathname + url.search;
  }

  request(path: string, jar: CookieJar | undefined, options: RequestOptions = {}): Promise<Reply> {
    const method = options.method ?? (options.form ? 'POST' : 'GET');
    const queryAt = path.indexOf('?');
    const pathname = queryAt === -1 ? path : path.slice(0, queryAt);
    const headers: Record<string, string> = {
      host: this.issuer.host,
      'x-forwarded-proto': this.issuer.protocol.slice(0, -1),
      accept: 'text/html',
      'accept-language': 'en',
      ...options.headers,
    };
    const cookie = jar?.header(pathname);
    if (cookie) headers.cookie = cookie;
    let payload: string | undefined;
    if (options.form) {
      payload = new URLSearchParams(options.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise<Reply>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: this.port, method, path, headers, agent: this.agent }, (res) => {
        jar?.store(res.headers['set-cookie']);
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          if (!options.discardBody) chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: options.discardBody ? '' : Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new RequestError(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /**
   * Closes every pooled connection; the next request opens a new one. Called after each load
   * run: a connection left idle while the other server runs its round outlives the server's
   * keep-alive timeout (5 s), and reusing one the server is just closing fails with
   * ECONNRESET, a failure of the driver, not of the server.
   */
  close(): void {
    this.agent.destroy();
  }
}
