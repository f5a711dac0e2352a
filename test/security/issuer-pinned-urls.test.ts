/**
 * Every URL the provider generates comes from ISSUER, whatever Host or X-Forwarded-Host say:
 * a request naming another host must not get (and a cache keyed on the path must not keep)
 * endpoints on that host. X-Forwarded-Proto stays honoured behind TRUST_PROXY. Discovery and
 * the JWKS say how long caches may keep them.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { request } from 'node:http';
import { startProduct, defaultClients, type RunningProduct } from '../support/product.js';

const running: RunningProduct[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

async function start(env: Record<string, string> = {}): Promise<RunningProduct> {
  const product = await startProduct({
    store: 'redis',
    env,
    clients: (redirectUri) => [
      ...defaultClients(redirectUri),
      { client_id: 'tv', client_name: 'TV', token_endpoint_auth_method: 'none', grant_types: [DEVICE_GRANT], response_types: [] },
    ],
  });
  running.push(product);
  return product;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http, because fetch will not send a Host of our choosing. */
function send(product: RunningProduct, path: string, headers: Record<string, string>, form?: Record<string, string>): Promise<Answer> {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: product.port,
        path,
        method: form ? 'POST' : 'GET',
        headers: {
          ...headers,
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Every string in `value` that looks like an absolute URL. */
function urlsIn(value: unknown): string[] {
  if (typeof value === 'string') return /^https?:\/\//.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(urlsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(urlsIn);
  return [];
}

const FOREIGN_HOSTS: Array<[string, Record<string, string>]> = [
  ['Host', { host: 'evil.example' }],
  ['X-Forwarded-Host', { 'x-forwarded-host': 'evil.example' }],
  ['both', { host: 'evil.example:8443', 'x-forwarded-host': 'evil.example, other.example' }],
];

describe('every generated URL comes from ISSUER', () => {
  it.each([false, true])(
    'advertises only the issuer host in discovery, whatever Host and X-Forwarded-Host say (TRUST_PROXY=%s)',
    async (trustProxy) => {
      const product = await start({ TRUST_PROXY: String(trustProxy) });
      const issuer = new URL(product.baseUrl);
      for (const [name, headers] of FOREIGN_HOSTS) {
        const discovery = await send(product, '/.well-known/openid-configuration', headers);
        expect(discovery.status, name).toBe(200);
        const metadata = JSON.parse(discovery.body) as Record<string, unknown>;
        const urls = urlsIn(metadata);
        expect(urls.length).toBeGreaterThan(5);
        for (const url of urls) expect(new URL(url).origin, `${name}: ${url}`).toBe(issuer.origin);
      }
    },
  );

  it('still honours X-Forwarded-Proto from a trusted proxy, on the issuer host', async () => {
    const product = await start({ TRUST_PROXY: 'true' });
    const discovery = await send(product, '/.well-known/openid-configuration', {
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example',
    });
    const metadata = JSON.parse(discovery.body) as { token_endpoint: string; jwks_uri: string };
    expect(metadata.token_endpoint).toBe(`https://${new URL(product.baseUrl).host}/token`);
    expect(metadata.jwks_uri).toBe(`https://${new URL(product.baseUrl).host}/jwks`);
  });

  it('gives the device flow a verification_uri on the issuer host', async () => {
    const product = await start({ TRUST_PROXY: 'true' });
    for (const [name, headers] of FOREIGN_HOSTS) {
      const answer = await send(product, '/device/auth', headers, { client_id: 'tv', scope: 'openid' });
      expect(answer.status, name).toBe(200);
      const body = JSON.parse(answer.body) as { verification_uri: string; verification_uri_complete: string };
      expect(body.verification_uri, name).toBe(`${product.baseUrl}/device`);
      expect(new URL(body.verification_uri_complete).origin, name).toBe(product.baseUrl);
    }
  });

  it('posts the logout form to the issuer host', async () => {
    const product = await start({ TRUST_PROXY: 'true' });
    for (const [name, headers] of FOREIGN_HOSTS) {
      const page = await send(product, '/session/end', headers);
      expect(page.status, name).toBe(200);
      const action = /<form[^>]*action="([^"]+)"/.exec(page.body)?.[1];
      expect(action, name).toBeDefined();
      expect(new URL(action!, 'http://relative.invalid').origin, name).toBe(product.baseUrl);
      expect(page.body, name).not.toContain('evil.example');
    }
  });

  it('tells caches how long they may keep discovery and the JWKS', async () => {
    const product = await start();
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      const answer = await send(product, path, { host: 'evil.example' });
      expect(answer.status, path).toBe(200);
      expect(answer.headers['cache-control'], path).toMatch(/^public, max-age=\d+$/);
    }
  });
});
