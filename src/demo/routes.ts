/**
 * A tiny relying party of this very provider, on by default outside production, so that a
 * newcomer sees the whole flow right after the start command: /demo -> sign in -> the claims.
 * It is a real OIDC client (openid-client, authorization code + PKCE), nothing privileged.
 */
import Router from '@koa/router';
import * as oidc from 'openid-client';
import type { Context } from 'koa';
import { UserError } from '../errors.js';
import type { Views } from '../http/views.js';
import type { Translate } from '../i18n/index.js';

export const DEMO_CLIENT_ID = 'demo';
const FLOW_COOKIE = 'demo_flow';
const SIGNED_OUT_STATE = 'signed-out';

export function demoClient(issuer: URL): Record<string, unknown> & { client_id: string; redirect_uris: string[] } {
  return {
    client_id: DEMO_CLIENT_ID,
    client_name: 'Demo app',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    redirect_uris: [new URL('/demo/callback', issuer).href],
    post_logout_redirect_uris: [new URL('/demo', issuer).href],
  };
}

/** Claims that are times in seconds since the epoch (OIDC Core §2, §5.1), as people read them. */
const TIME_CLAIMS = ['iat', 'exp', 'auth_time', 'nbf', 'updated_at'];

export function readableTimes(claims: Record<string, unknown>): Record<string, string> {
  const times: Record<string, string> = {};
  for (const name of TIME_CLAIMS) {
    const value = claims[name];
    if (typeof value === 'number' && Number.isFinite(value)) {
      times[name] = `${new Date(value * 1000)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d{3}Z$/, ' UTC')} (${value})`;
    }
  }
  return times;
}

export function demoRoutes(options: { issuer: URL; views: Views }): Router {
  const router = new Router({ prefix: '/demo' });
  const redirectUri = new URL('/demo/callback', options.issuer).href;
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    discovered ??= oidc
      .discovery(options.issuer, DEMO_CLIENT_ID, undefined, oidc.None(), {
        execute: options.issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };
  const page = (ctx: Context, locals: Record<string, unknown>) => {
    const t = ctx.state.t as Translate;
    return options.views.render(ctx, 'demo', {
      title: t('demo.title'),
      claims: undefined,
      userinfo: undefined,
      error: undefined,
      notice: undefined,
      logoutUrl: undefined,
      times: {},
      ...locals,
    });
  };

  // Back from RP-initiated logout, which returns our state (OIDC RP-Initiated Logout §2, §3).
  router.get('/', (ctx) => page(ctx, ctx.query.state === SIGNED_OUT_STATE ? { notice: (ctx.state.t as Translate)('demo.signedOut') } : {}));

  router.get('/login', async (ctx) => {
    const config = await configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    ctx.cookies.set(FLOW_COOKIE, JSON.stringify({ verifier, state, nonce }), {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      path: '/demo',
      maxAge: 15 * 60_000,
    });
    ctx.redirect(
      oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid profile evrmore',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      }).href,
    );
  });

  router.get('/callback', async (ctx) => {
    const saved = ctx.cookies.get(FLOW_COOKIE, { signed: true });
    ctx.cookies.set(FLOW_COOKIE, null, { path: '/demo' });
    if (typeof ctx.query.error === 'string') {
      ctx.status = 400;
      return page(ctx, { error: `${ctx.query.error}: ${String(ctx.query.error_description ?? '')}` });
    }
    if (!saved) throw new UserError('demo_flow_missing');
    const { verifier, state, nonce } = JSON.parse(saved) as { verifier: string; state: string; nonce: string };
    const config = await configuration();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, new URL(ctx.href), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
    } catch (error) {
      throw new UserError('demo_exchange_failed', { reason: (error as Error).message });
    }
    const claims = tokens.claims()!;
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    const logoutUrl = oidc.buildEndSessionUrl(config, {
      client_id: DEMO_CLIENT_ID,
      post_logout_redirect_uri: new URL('/demo', options.issuer).href,
      state: SIGNED_OUT_STATE,
    }).href;
    return page(ctx, { claims, userinfo, logoutUrl, times: readableTimes(claims) });
  });

  return router;
}
