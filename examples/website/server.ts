/**
 * A website with "Sign in with Evrmore": the smallest complete relying party, on node:http and
 * openid-client (docs/integrations/website.md walks through it). Authorization code flow with
 * PKCE, state and nonce (OAuth 2.0 Security BCP, RFC 9700 §2.1.1), the ID token checked by
 * openid-client, the claims shown on the page, RP-initiated logout.
 *
 *   ISSUER=https://id.example.com CLIENT_ID=website CLIENT_SECRET=… \
 *   BASE_URL=https://www.example.com PORT=4000 npm run example:website
 *
 * Node 24 (the one `npm ci` installs, which npm scripts use) runs this TypeScript file directly
 * (type stripping); so does `node examples/website/server.ts` on Node 22.18 or later. Sessions live in process memory,
 * which is fine for an example; use your framework's session store in production.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as oidc from 'openid-client';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const ISSUER = new URL(env('ISSUER'));
const CLIENT_ID = env('CLIENT_ID');
const CLIENT_SECRET = env('CLIENT_SECRET');
const BASE_URL = new URL(env('BASE_URL', 'http://localhost:4000'));
const PORT = Number(env('PORT', BASE_URL.port || '4000'));
const HOST = env('HOST', '127.0.0.1');
const SCOPE = env('SCOPE', 'openid profile evrmore');
const REDIRECT_URI = new URL('/callback', BASE_URL).href;
const SECURE = BASE_URL.protocol === 'https:';

const BUTTON_CSS = readFileSync(new URL('../sign-in-button/sign-in-with-evrmore.css', import.meta.url), 'utf8');

// http:// issuers are for trying things out on one machine only: openid-client refuses them
// unless told, and so should you in production.
const config = await oidc.discovery(ISSUER, CLIENT_ID, CLIENT_SECRET, oidc.ClientSecretBasic(CLIENT_SECRET), {
  ...(ISSUER.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
});

interface Session {
  /** Between /login and /callback. */
  pending?: { verifier: string; state: string; nonce: string };
  claims?: Record<string, unknown>;
  idToken?: string;
}
const sessions = new Map<string, Session>();
const COOKIE = SECURE ? '__Host-session' : 'session';

function session(req: IncomingMessage, res: ServerResponse): Session {
  const id = /(?:^|;\s*)(?:__Host-)?session=([A-Za-z0-9_-]{43})/.exec(req.headers.cookie ?? '')?.[1];
  if (id && sessions.has(id)) return sessions.get(id)!;
  const fresh = randomBytes(32).toString('base64url');
  const created: Session = {};
  sessions.set(fresh, created);
  res.setHeader('Set-Cookie', `${COOKIE}=${fresh}; Path=/; HttpOnly; SameSite=Lax${SECURE ? '; Secure' : ''}`);
  return created;
}

const escapeHtml = (text: unknown) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const MARK = `<svg class="evr-signin__mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="11" fill="none" stroke="currentColor" stroke-width="2"/><path d="M8 6.5h8M8 12h6.5M8 17.5h8M8 6.5v11" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/></svg>`;

function page(res: ServerResponse, body: string, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Example website</title><style>${BUTTON_CSS}
body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;font-family:ui-monospace,monospace}</style></head>
<body><h1>Example website</h1>${body}</body></html>`);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store' });
  res.end();
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', BASE_URL);
  const current = session(req, res);

  if (req.method === 'GET' && url.pathname === '/') {
    if (!current.claims) {
      page(res, `<p>You are not signed in.</p><p><a class="evr-signin" href="/login">${MARK}<span>Sign in with Evrmore</span></a></p>`);
      return;
    }
    const rows = Object.entries(current.claims).map(
      ([name, value]) =>
        `<tr><th>${escapeHtml(name)}</th><td data-claim="${escapeHtml(name)}">${escapeHtml(typeof value === 'string' ? value : JSON.stringify(value))}</td></tr>`,
    );
    page(
      res,
      `<p>Signed in as <strong id="address">${escapeHtml(current.claims.evrmore_address ?? current.claims.sub)}</strong>.</p>
<table>${rows.join('')}</table><form method="post" action="/logout"><p><button type="submit">Sign out</button></p></form>`,
    );
    return;
  }

  if (req.method === 'GET' && url.pathname === '/login') {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    current.pending = { verifier, state, nonce };
    const authorization = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    redirect(res, authorization.href);
    return;
  }

  if (req.method === 'GET' && url.pathname === '/callback') {
    const pending = current.pending;
    delete current.pending;
    if (!pending) {
      page(res, '<p>This sign-in was not started here, or is already finished. <a href="/">Start again</a>.</p>', 400);
      return;
    }
    try {
      // Checks state, exchanges the code with the PKCE verifier, validates the ID token
      // (signature against the provider's JWKS, issuer, audience, expiry, nonce).
      const tokens = await oidc.authorizationCodeGrant(config, url, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
      });
      current.claims = { ...tokens.claims() };
      current.idToken = tokens.id_token;
      redirect(res, '/');
    } catch (error) {
      // The user declined, or the response was not valid: say so, log the reason for you.
      console.error('sign-in failed:', (error as Error).message);
      page(res, '<p>Sign-in did not complete. <a href="/">Try again</a>.</p>', 400);
    }
    return;
  }

  if (req.method === 'POST' && url.pathname === '/logout') {
    const idToken = current.idToken;
    delete current.claims;
    delete current.idToken;
    // OIDC RP-Initiated Logout 1.0 §2: end the provider session too, then come back here.
    redirect(
      res,
      idToken
        ? oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: new URL('/', BASE_URL).href }).href
        : '/',
    );
    return;
  }

  page(res, '<p>Not found.</p>', 404);
}

createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    console.error(error);
    if (!res.headersSent) page(res, '<p>Something went wrong.</p>', 500);
  });
}).listen(PORT, HOST, () => console.log(`example website on ${BASE_URL.href}, signing in at ${ISSUER.href}`));
