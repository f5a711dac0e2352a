import { request as httpRequest } from 'node:http';
import { HttpBrowser, type Page } from '../support/browser.js';

/**
 * An HttpBrowser whose requests look like a person's top-level navigations
 * (Sec-Fetch-Mode: navigate, Sec-Fetch-Dest: document), which relying-party software tells
 * apart from scripts' requests: mod_auth_openidc answers 401 instead of redirecting to the
 * provider when a request is not a navigation. Node's fetch always sends
 * Sec-Fetch-Mode: cors, so these go through node:http.
 */
export class NavigatingBrowser extends HttpBrowser {
  override async request(url: string, init: Parameters<HttpBrowser['request']>[1] = {}): Promise<Page> {
    const target = new URL(url, this.origin);
    const headers: Record<string, string> = {
      accept: 'text/html,application/xhtml+xml',
      'user-agent': 'Mozilla/5.0 (interop suite)',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
      ...init.headers,
    };
    const cookie = target.origin === new URL(this.origin).origin ? this.cookieHeader(target) : '';
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const method = init.method ?? (body !== undefined ? 'POST' : 'GET');
    return new Promise<Page>((resolve, reject) => {
      const outgoing = httpRequest(target, { method, headers, agent: false, insecureHTTPParser: true }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            for (const one of Array.isArray(value) ? value : [value ?? '']) responseHeaders.append(name, one);
          }
          this.store(responseHeaders);
          resolve({ status: response.statusCode ?? 0, url: target.href, headers: responseHeaders, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', reject);
      });
      // Say which request failed and what came back (Node's HTTP parser errors carry the bytes).
      outgoing.on('error', (error: Error & { rawPacket?: Buffer }) => {
        reject(new Error(`${method} ${target.href}: ${error.message}${error.rawPacket ? `; the server sent: ${error.rawPacket.toString('latin1').slice(0, 600)}` : ''}`));
      });
      outgoing.end(body);
    });
  }
}
