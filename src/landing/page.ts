/**
 * The front door at `/`: what this provider is and where to go from here (the demo, the account
 * page, discovery, the guides for relying parties and wallet developers), and the guides
 * themselves under /docs as plain text. Not a router: a route for '/' would make the router run
 * on every request (see routersMiddleware in app.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Middleware } from 'koa';
import type { Translate } from '../i18n/index.js';
import type { Views } from '../http/views.js';

/** The documents a visitor of the provider may read: for relying parties and wallet developers. */
export const PUBLIC_DOCS = [
  { path: 'integrations/website.md', audience: 'rp', title: 'A Node website (openid-client)' },
  { path: 'integrations/grafana.md', audience: 'rp', title: 'Grafana' },
  { path: 'integrations/keycloak.md', audience: 'rp', title: 'Keycloak (as an identity provider)' },
  { path: 'integrations/oauth2-proxy.md', audience: 'rp', title: 'oauth2-proxy' },
  { path: 'sign-in-button.md', audience: 'rp', title: 'The "Sign in with Evrmore" button' },
  { path: 'oidc-features.md', audience: 'rp', title: 'OpenID Connect features (device login, pairwise subjects, logout, PAR, DPoP)' },
  { path: 'chain-claims.md', audience: 'rp', title: 'Asset, tag and group claims' },
  { path: 'wallet-protocol.md', audience: 'wallet', title: "The wallet protocol: the QR code's URL, its JSON and the POST that signs" },
] as const;

export interface LandingOptions {
  views: Views;
  issuer: URL;
  /** Where docs/ is; documents missing there (or no docsDir) are not linked. */
  docsDir?: string;
  demo: boolean;
  accountPage: boolean;
}

export function landingPage(options: LandingOptions): Middleware {
  const docs = new Map<string, Buffer>();
  for (const doc of options.docsDir ? PUBLIC_DOCS : []) {
    try {
      docs.set(`/docs/${doc.path}`, readFileSync(join(options.docsDir!, doc.path)));
    } catch {
      // Not shipped with this build: not linked either.
    }
  }
  const linked = PUBLIC_DOCS.filter((doc) => docs.has(`/docs/${doc.path}`)).map((doc) => ({ ...doc, href: `/docs/${doc.path}` }));
  const discovery = new URL('/.well-known/openid-configuration', options.issuer).href;
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/') {
      const t = ctx.state.t as Translate;
      return options.views.render(ctx, 'home', {
        title: t('home.title'),
        issuer: options.issuer.href.replace(/\/$/, ''),
        discovery,
        demo: options.demo,
        accountPage: options.accountPage,
        rpDocs: linked.filter((doc) => doc.audience === 'rp'),
        walletDocs: linked.filter((doc) => doc.audience === 'wallet'),
      });
    }
    const doc = ctx.path.startsWith('/docs/') ? docs.get(ctx.path) : undefined;
    if (!doc) return next();
    // Markdown read as text: browsers download text/markdown instead of showing it.
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = doc;
    return undefined;
  };
}
