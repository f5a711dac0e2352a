/**
 * The account page (docs/chain-claims.md §7) at /account: a person signs in with the same wallet login as
 * everywhere (the product is a relying party of itself, as the built-in first-party client
 * "account", authorization code + PKCE through openid-client), and sees the address and
 * network, the applications it granted (with revoke), its last sign-ins, and the groups, tags
 * and assets this provider sees for it.
 *
 * The page's own session (session.ts) asks for a fresh signature (prompt=login) every time: the
 * page can end other applications' access.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { NetworkName } from '../evrmore/network.js';
import { UserError } from '../errors.js';
import { guard, requiredText } from '../http/guard.js';
import type { Views } from '../http/views.js';
import type { MessageKey } from '../i18n/en.js';
import { translator, type Translate } from '../i18n/index.js';
import type { ChainService } from '../chain/service.js';
import { clientIp } from '../security/client-ip.js';
import type { Backchannel } from './backchannel.js';
import { accountClientConfiguration, accountRedirectUri } from './client.js';
import { applications, chainView, clientName, signIns } from './overview.js';
import { revokeGrant } from './revoke.js';
import { COOKIE_PATH, cookieOptions, endSession, readSession, requireSession, startSession } from './session.js';
import type { AccountStore } from './store.js';

const FLOW_COOKIE = 'evr_account_flow';
/** The application this browser just revoked: the only name the page's notice may show. */
const REVOKED_COOKIE = 'evr_account_revoked';

export interface AccountRoutesDeps {
  issuer: URL;
  network: NetworkName;
  provider: Provider;
  views: Views;
  store: AccountStore;
  backchannel: Backchannel;
  logger: Logger;
  /** Absent: no Evrmore node; the page says so. */
  chain?: ChainService;
  /**
   * The longest a JWT access token for an API lives (none: no API is configured): a revoke
   * cannot recall one, and the page says so (docs/oidc-features.md).
   */
  jwtAccessTokenSeconds?: number;
}

/** The page's forms: each carries the session's anti-forgery token. */
const revokeBody = z.strictObject({ client_id: requiredText(128), csrf: requiredText(64) });
const logoutBody = z.strictObject({ csrf: requiredText(64) });

export function accountRoutes(deps: AccountRoutesDeps): Router {
  const { issuer, provider, views, store, logger, chain } = deps;
  const router = new Router({ prefix: '/account' });
  const redirectUri = accountRedirectUri(issuer);
  const configuration = accountClientConfiguration(issuer, deps.backchannel);

  const t = (ctx: Context): Translate => (ctx.state.t as Translate | undefined) ?? translator();

  const message = (ctx: Context, title: MessageKey, text: string, status = 200) => {
    ctx.status = status;
    return views.render(ctx, 'account-message', { title: t(ctx)(title), message: text });
  };

  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.get('/', async (ctx) => {
    const session = readSession(ctx);
    if (!session) return ctx.redirect('/account/login');
    const tr = t(ctx);
    // Only a revoke this browser just made is announced: the query alone names nothing, so a
    // link cannot put someone else's text (or another application's name) on this page.
    const saved = ctx.cookies.get(REVOKED_COOKIE, { signed: true });
    const revoked = saved === undefined ? undefined : Buffer.from(saved, 'base64url').toString('utf8');
    const notice =
      revoked !== undefined && ctx.query.revoked === revoked
        ? [
            tr('account.revoked', { client: await clientName(provider, revoked) }),
            ...(deps.jwtAccessTokenSeconds
              ? [tr('account.revoked.jwt', { minutes: String(Math.ceil(deps.jwtAccessTokenSeconds / 60)) })]
              : []),
          ].join(' ')
        : undefined;
    return views.render(ctx, 'account', {
      title: tr('account.title'),
      address: session.address,
      network: deps.network,
      csrf: session.csrf,
      notice,
      apps: await applications(provider, store, session.address, tr),
      signIns: await signIns(provider, store, session.address),
      chain: await chainView(chain, session.address),
    });
  });

  router.get('/login', async (ctx) => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    ctx.cookies.set(
      FLOW_COOKIE,
      Buffer.from(JSON.stringify({ verifier, state, nonce })).toString('base64url'),
      cookieOptions(ctx, 15 * 60),
    );
    ctx.redirect(
      oidc.buildAuthorizationUrl(configuration, {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        prompt: 'login',
      }).href,
    );
  });

  router.get('/callback', async (ctx) => {
    const saved = ctx.cookies.get(FLOW_COOKIE, { signed: true });
    ctx.cookies.set(FLOW_COOKIE, null, { path: COOKIE_PATH });
    const tr = t(ctx);
    if (typeof ctx.query.error === 'string') {
      return message(ctx, 'account.title', tr('account.error.cancelled'), 400);
    }
    if (!saved) return message(ctx, 'account.title', tr('account.error.flow'), 400);
    let flow: { verifier: string; state: string; nonce: string };
    try {
      flow = JSON.parse(Buffer.from(saved, 'base64url').toString('utf8')) as typeof flow;
    } catch {
      return message(ctx, 'account.title', tr('account.error.flow'), 400);
    }
    let address: string;
    try {
      // Counted under this browser's IP: the token endpoint's limit is per client IP.
      const tokens = await deps.backchannel.onBehalfOf(clientIp(ctx), () =>
        oidc.authorizationCodeGrant(configuration, new URL(ctx.url, issuer), {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
        }),
      );
      address = tokens.claims()!.sub;
    } catch (error) {
      logger.warn({ event: 'account.signin_failed', error: (error as Error).message }, 'account page sign-in failed');
      return message(ctx, 'account.title', tr('account.error.flow'), 400);
    }
    startSession(ctx, address);
    ctx.redirect('/account');
  });

  // Revoking ends every grant of this address to the application (revoke.ts).
  router.post('/revoke', guard({ body: revokeBody }), async (ctx) => {
    const { body } = ctx.guard;
    const session = requireSession(ctx, body.csrf);
    const refs = (await store.grants(session.address)).filter((ref) => ref.clientId === body.client_id);
    if (refs.length === 0) throw new UserError('grant_not_found');
    for (const ref of refs) await revokeGrant(provider, store, session.address, ref);
    logger.info(
      { event: 'account.grant_revoked', address: session.address, client_id: body.client_id, grants: refs.length },
      'access of an application revoked from the account page',
    );
    ctx.cookies.set(REVOKED_COOKIE, Buffer.from(body.client_id).toString('base64url'), cookieOptions(ctx, 5 * 60));
    ctx.status = 303;
    ctx.redirect(`/account?revoked=${encodeURIComponent(body.client_id)}`);
  });

  router.post('/logout', guard({ body: logoutBody }), async (ctx) => {
    requireSession(ctx, ctx.guard.body.csrf);
    endSession(ctx);
    return message(ctx, 'account.signedOut.title', t(ctx)('account.signedOut'));
  });

  return router;
}
