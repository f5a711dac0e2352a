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
  protected override send(target: URL, method: string, headers: Record<string, string>, body: string | undefined): Promise<Page> {
    const navigation = {
      ...headers,
      accept: 'text/html,application/xhtml+xml',
      'user-agent': 'Mozilla/5.0 (interop suite)',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
    };
    return new Promise<Page>((resolve, reject) => {
      // insecureHTTPParser: a relying party's broken answer is reported with its bytes below
      // rather than refused outright by Node's strict parser.
      const outgoing = httpRequest(target, { method, headers: navigation, agent: false, insecureHTTPParser: true }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            for (const one of Array.isArray(value) ? value : [value ?? '']) responseHeaders.append(name, one);
          }
          resolve({
            status: response.statusCode ?? 0,
            url: target.href,
            headers: responseHeaders,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('error', reject);
      });
      // Say which request failed and what came back (Node's HTTP parser errors carry the bytes).
      outgoing.on('error', (error: Error & { rawPacket?: Buffer }) => {
        reject(
          new Error(
            `${method} ${target.href}: ${error.message}${error.rawPacket ? `; the server sent: ${error.rawPacket.toString('latin1').slice(0, 600)}` : ''}`,
          ),
        );
      });
      outgoing.end(body);
    });
  }
}
