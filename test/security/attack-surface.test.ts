/**
 * The attacker's view of the whole surface, table-driven: every route, in its own spelling,
 * with a trailing slash and in upper case, gets malformed input, oversized input and foreign
 * headers. Nothing may answer 500 or show a stack trace, no secret may reach the log, and
 * every limit holds in every spelling.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'node:http';
import { startProduct, TEST_CLIENT_SECRET, type RunningProduct } from '../support/product.js';
import { HttpBrowser } from '../support/browser.js';
import { authorizationRequest, discover, openLogin, type LoginPage } from '../support/wallet.js';

const COOKIE_KEY = 'attack-surface-cookie-key-0123456789-abcdefghij';
const REGISTRATION_TOKEN = 'attack-surface-registration-token-0123456789';
const METRICS_TOKEN = 'attack-surface-metrics-token-0123456789abcdef';
const SECRETS = [
  TEST_CLIENT_SECRET,
  COOKIE_KEY,
  REGISTRATION_TOKEN,
  METRICS_TOKEN,
  Buffer.from(`rp:${TEST_CLIENT_SECRET}`).toString('base64'),
];

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** node:http, so that Host and malformed bytes go out as written. */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          // Event streams stay open: their head and first event are enough.
          if (String(res.headers['content-type']).startsWith('text/event-stream')) req.destroy();
        });
        const done = () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers });
        res.on('end', done);
        res.on('close', done);
      },
    );
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end(body);
  });
}

/** A path as written, with a trailing slash, its literal segments in upper case, and all of it in upper case. */
function spellings(template: string, values: Record<string, string>): string[] {
  const fill = (upperLiterals: boolean) =>
    template
      .split('/')
      .map((part) => (part.startsWith(':') ? (values[part.slice(1)] ?? 'x') : upperLiterals ? part.toUpperCase() : part))
      .join('/');
  const written = fill(false);
  return [written, `${written}/`, fill(true), written.toUpperCase()];
}

/** Every route a client can reach: oidc-provider's, ours, the account page's. */
const ROUTES = [
  '/auth',
  '/auth/:uid',
  '/token',
  '/me',
  '/token/introspection',
  '/token/revocation',
  '/reg',
  '/reg/:clientId',
  '/session/end',
  '/session/end/confirm',
  '/session/end/success',
  '/jwks',
  '/request',
  '/device/auth',
  '/device',
  '/device/:uid',
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  '/.well-known/security.txt',
  '/interaction/:uid',
  '/interaction/:uid/login',
  '/interaction/:uid/continue',
  '/interaction/:uid/challenge',
  '/interaction/:uid/status',
  '/interaction/:uid/events',
  '/interaction/:uid/confirm',
  '/interaction/:uid/abort',
  '/w/:challengeId',
  '/healthz',
  '/readyz',
  '/metrics',
  '/account',
  '/account/login',
  '/account/callback',
  '/account/revoke',
  '/account/logout',
];

const FOREIGN_HEADERS: Record<string, string> = {
  host: 'evil.example',
  'x-forwarded-host': 'evil.example, other.example',
  'x-forwarded-for': 'not-an-ip, 999.1.1.1, ::ffff:zz',
  'x-forwarded-proto': 'gopher',
  origin: 'https://evil.example.net',
  'access-control-request-method': 'POST',
  referer: 'javascript:alert(1)',
  'accept-language': `${'x'.repeat(200)};q=abc, *;q=-1`,
  cookie: '_session=garbage; _interaction=%E0%A4%A; _session.sig=%%%',
  authorization: 'Basic %%%not-base64',
};

/** Each case: a request variant sent to every spelling of every route with every method. */
const CASES: Array<{ name: string; method: string; query?: string; headers?: Record<string, string>; body?: string | Buffer }> = [
  { name: 'plain GET', method: 'GET' },
  {
    name: 'malformed query',
    method: 'GET',
    query: '?%E0%A4%A=%&state=%00%ff&client_id=rp&client_id=spa&redirect_uri=javascript:alert(1)&claims={',
  },
  { name: 'oversized query', method: 'GET', query: `?client_id=rp&response_type=code&state=${'s'.repeat(12_000)}` },
  { name: 'foreign headers', method: 'GET', headers: FOREIGN_HEADERS },
  {
    name: 'malformed JSON',
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: '{"address": [1, {"$gt": ""}], ',
  },
  {
    name: 'malformed form',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'address=%E0%A4%A&signature[]=1&signature[]=2&__proto__[x]=1&challenge_id=%00',
  },
  {
    name: 'unknown charset',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=evil-7' },
    body: 'a=b',
  },
  {
    name: 'wrong content type',
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
  },
  {
    name: 'oversized body',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `signature=${'A'.repeat(100_000)}`,
  },
  {
    name: 'foreign headers, POST',
    method: 'POST',
    headers: { ...FOREIGN_HEADERS, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=authorization_code&code=x',
  },
  {
    name: 'foreign preflight',
    method: 'OPTIONS',
    headers: {
      origin: 'https://evil.example.net',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
    },
  },
  { name: 'PUT', method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"redirect_uris":"not-a-list"}' },
  { name: 'DELETE', method: 'DELETE', headers: { authorization: 'Bearer not-a-token' } },
];

/** Signs of a leaked stack trace or internal detail in an answer. */
const LEAKS = [/\n\s+at [\w.<>]+ \(/, /node_modules\//, /\/src\/[\w/-]+\.ts/, /TypeError|ReferenceError|SyntaxError: /];

describe('the attack surface', () => {
  let product: RunningProduct;
  let login: LoginPage;

  beforeAll(async () => {
    product = await startProduct({
      store: 'redis',
      env: {
        COOKIE_KEYS: COOKIE_KEY,
        REGISTRATION: 'token',
        REGISTRATION_INITIAL_ACCESS_TOKEN: REGISTRATION_TOKEN,
        METRICS_TOKEN,
        TRUST_PROXY: 'true',
      },
    });
    const browser = new HttpBrowser(product.baseUrl);
    login = await openLogin(browser, (await authorizationRequest(await discover(product.baseUrl), product.redirectUri)).url);
  });
  afterAll(async () => product?.stop());

  it.each(CASES)(
    'answers $name on every route and spelling without a 500 or a stack trace',
    async ({ method, query = '', headers = {}, body }) => {
      const values = { uid: login.uid, clientId: 'rp', challengeId: login.challengeId };
      const failures: string[] = [];
      const paths = ROUTES.flatMap((route) => spellings(route, values));
      // A few at a time: the product is one process on a shared machine.
      for (let i = 0; i < paths.length; i += 8) {
        await Promise.all(
          paths.slice(i, i + 8).map(async (path) => {
            const answer = await send(product.port, method, `${path}${query}`, headers, body);
            if (answer.status >= 500) failures.push(`${method} ${path}: ${answer.status} ${answer.body.slice(0, 200)}`);
            for (const leak of LEAKS)
              if (leak.test(answer.body)) failures.push(`${method} ${path}: leaks ${leak} in ${answer.body.slice(0, 300)}`);
            for (const secret of SECRETS) if (answer.body.includes(secret)) failures.push(`${method} ${path}: shows a secret`);
          }),
        );
      }
      expect(failures).toEqual([]);
    },
  );

  it('never writes a secret, a stack trace or an unhandled error to the log', () => {
    const log = product.rawLogs();
    expect(log.length).toBeGreaterThan(0);
    for (const secret of SECRETS) expect(log.includes(secret), 'a secret in the log').toBe(false);
    expect(product.logs.filter((line) => line.msg === 'unhandled error' || Number(line.level) >= 50)).toEqual([]);
    expect(log).not.toMatch(/\\n\s+at [\w.<>]+ \(/);
  });
});

/** Each limit, the route it guards, and a request that spends it. */
const LIMITS: Array<{
  limit: string;
  env: Record<string, string>;
  route: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
}> = [
  {
    limit: 'token',
    env: { RATE_LIMIT_TOKEN: '2/1m' },
    route: '/token',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: 'grant_type=authorization_code&code=x&client_id=spa',
  },
  {
    limit: 'token (device authorization)',
    env: { RATE_LIMIT_TOKEN: '2/1m' },
    route: '/device/auth',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'client_id=spa',
  },
  {
    limit: 'registration',
    env: { RATE_LIMIT_REGISTRATION: '2/1h', REGISTRATION: 'open' },
    route: '/reg',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"redirect_uris":"x"}',
  },
  {
    limit: 'sign-in per IP (user codes)',
    env: { RATE_LIMIT_SIGNIN_IP: '2/1m' },
    route: '/device',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'user_code=ABCD-EFGH&xsrf=x',
  },
  { limit: 'authorization', env: { RATE_LIMIT_AUTHORIZATION: '2/1m' }, route: '/auth', method: 'GET' },
  {
    limit: 'authorization (pushed)',
    env: { RATE_LIMIT_AUTHORIZATION: '2/1m' },
    route: '/request',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'client_id=spa',
  },
];

describe('every limit holds in every spelling', () => {
  it.each(LIMITS)('$limit: $route', async ({ env, route, method, headers = {}, body }) => {
    const product = await startProduct({ store: 'redis', env });
    try {
      // The limit is 2: two other spellings spend it, then no spelling gets through.
      const [written, slash, upper, allUpper] = spellings(route, {});
      for (const path of [upper!, slash!]) expect((await send(product.port, method, path, headers, body)).status, path).not.toBe(429);
      for (const path of [written!, slash!, upper!, allUpper!])
        expect((await send(product.port, method, path, headers, body)).status, path).toBe(429);
    } finally {
      await product.stop();
    }
  });

  it.each([
    ['challenge', { RATE_LIMIT_CHALLENGE: '2/1m' }, 'challenge', 'POST'],
    ['sign-in per IP (login form)', { RATE_LIMIT_SIGNIN_IP: '1/1m' }, 'login', 'POST'],
    ['status polls', { RATE_LIMIT_STATUS: '2/1m' }, 'status', 'GET'],
  ] as const)('%s: /interaction/<uid>/…', async (_name, env, step, method) => {
    const product = await startProduct({ store: 'redis', env });
    try {
      const browser = new HttpBrowser(product.baseUrl);
      const page = await openLogin(browser, (await authorizationRequest(await discover(product.baseUrl), product.redirectUri)).url);
      // The uid is data, not spelling: its case is kept.
      const spelled = spellings(`/interaction/:uid/${step}`, { uid: page.uid }).slice(0, 3);
      // A browser sends the interaction cookie only under its own path; an attacker sends it anywhere.
      const cookie = browser.cookieHeader(new URL(`/interaction/${page.uid}/${step}`, product.baseUrl));
      const form = step === 'login' ? `address=x&signature=y&challenge_id=${page.challengeId}` : '';
      const call = (path: string) =>
        send(
          product.port,
          method,
          path,
          { cookie, accept: 'application/json', ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
          method === 'POST' ? form : undefined,
        );
      let refused = 0;
      for (const path of [...spelled, ...spelled]) if ((await call(path)).status === 429) refused += 1;
      // Every request past the limit, whatever its spelling, is refused.
      const points = Number(Object.values(env)[0]!.split('/')[0]) - (step === 'challenge' ? 1 : 0);
      expect(refused).toBe(spelled.length * 2 - points);
    } finally {
      await product.stop();
    }
  });
});
