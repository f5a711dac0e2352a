/**
 * The account page (docs/chain-claims.md §7) at /account: a person signs in with the same wallet login as
 * everywhere (the product is a relying party of itself, as the built-in first-party client
 * "account", authorization code + PKCE through openid-client), and sees the address and
 * network, the applications it granted (with revoke), its last sign-ins, and the groups, tags
 * and assets this provider sees for it.
 *
 * The page's own session is a signed, httpOnly cookie scoped to /account that holds the address,
 * an expiry and an anti-forgery token for the page's forms. It asks for a fresh signature
 * (prompt=login) every time: the page can end other applications' access.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ACCOUNT_CLIENT_ID } from '../config/index.js';
import type { NetworkName } from '../evrmore/network.js';
import { UserError } from '../errors.js';
import { guard, requiredText } from '../http/guard.js';
import type { Views } from '../http/views.js';
import { en, type MessageKey } from '../i18n/en.js';
import { translator, type Translate } from '../i18n/index.js';
import { PROVIDER_ROUTES } from '../oidc/routes.js';
import { evaluateGroups, releasedAssets, releasedTags } from '../chain/rules.js';
import type { ChainService } from '../chain/service.js';
import { clientIp } from '../security/client-ip.js';
import { describeClient, scopeLabelKey, type ClientLike } from '../oidc/client-identity.js';
import type { Backchannel } from './backchannel.js';
import type { AccountStore, GrantRef } from './store.js';

const SESSION_COOKIE = 'evr_account';
const FLOW_COOKIE = 'evr_account_flow';
/** The application this browser just revoked: the only name the page's notice may show. */
const REVOKED_COOKIE = 'evr_account_revoked';
/** The page's session: short, since it can revoke other applications' access. */
const SESSION_SECONDS = 30 * 60;
const COOKIE_PATH = '/account';

export function accountClient(issuer: URL): Record<string, unknown> & { client_id: string; redirect_uris: string[] } {
  return {
    client_id: ACCOUNT_CLIENT_ID,
    client_name: translator()('account.clientName'),
    first_party: true,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [new URL('/account/callback', issuer).href],
  };
}

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

interface AccountSession {
  address: string;
  /** Epoch seconds. */
  expiresAt: number;
  csrf: string;
}

/** The page's forms: each carries the session's anti-forgery token. */
const revokeBody = z.strictObject({ client_id: requiredText(128), csrf: requiredText(64) });
const logoutBody = z.strictObject({ csrf: requiredText(64) });

export function accountRoutes(deps: AccountRoutesDeps): Router {
  const { issuer, provider, views, store, logger, chain } = deps;
  const router = new Router({ prefix: '/account' });
  const issuerId = issuer.href.replace(/\/$/, '');
  const redirectUri = new URL('/account/callback', issuer).href;

  // No discovery: the endpoints are our own, and the browser must be sent to the public ISSUER
  // while the server side goes over the back-channel.
  const configuration = new oidc.Configuration(
    {
      issuer: issuerId,
      authorization_endpoint: `${issuerId}${PROVIDER_ROUTES.authorization}`,
      token_endpoint: `${issuerId}${PROVIDER_ROUTES.token}`,
      jwks_uri: `${issuerId}${PROVIDER_ROUTES.jwks}`,
    },
    ACCOUNT_CLIENT_ID,
    undefined,
    oidc.None(),
  );
  configuration[oidc.customFetch] = (url, options) => deps.backchannel.fetch(url, options as RequestInit);
  if (issuer.protocol !== 'https:') oidc.allowInsecureRequests(configuration);

  const t = (ctx: Context): Translate => (ctx.state.t as Translate | undefined) ?? translator();
  // Secure whenever the request came over TLS (behind the proxy: with TRUST_PROXY).
  const cookieOptions = (ctx: Context, maxAgeSeconds: number) => ({ signed: true, httpOnly: true, sameSite: 'lax' as const, path: COOKIE_PATH, secure: ctx.secure, maxAge: maxAgeSeconds * 1000 });

  const readSession = (ctx: Context): AccountSession | undefined => {
    const raw = ctx.cookies.get(SESSION_COOKIE, { signed: true });
    if (!raw) return undefined;
    try {
      const session = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as AccountSession;
      if (typeof session.address !== 'string' || typeof session.csrf !== 'string' || !(session.expiresAt > Date.now() / 1000)) return undefined;
      return session;
    } catch {
      return undefined;
    }
  };

  const requireSession = (ctx: Context, csrf: string): AccountSession => {
    const session = readSession(ctx);
    if (!session) throw new UserError('account_signed_out');
    const expected = Buffer.from(session.csrf);
    const given = Buffer.from(csrf);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new UserError('account_form_expired');
    }
    return session;
  };

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
    const notice = revoked !== undefined && ctx.query.revoked === revoked
      ? [
        tr('account.revoked', { client: await clientName(provider, revoked) }),
        ...(deps.jwtAccessTokenSeconds ? [tr('account.revoked.jwt', { minutes: String(Math.ceil(deps.jwtAccessTokenSeconds / 60)) })] : []),
      ].join(' ')
      : undefined;
    return views.render(ctx, 'account', {
      title: tr('account.title'),
      address: session.address,
      network: deps.network,
      csrf: session.csrf,
      notice,
      apps: await applications(session.address, tr),
      signIns: await signIns(session.address),
      chain: await chainView(session.address),
    });
  });

  router.get('/login', async (ctx) => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    ctx.cookies.set(FLOW_COOKIE, Buffer.from(JSON.stringify({ verifier, state, nonce })).toString('base64url'), cookieOptions(ctx, 15 * 60));
    ctx.redirect(oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      prompt: 'login',
    }).href);
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
      const tokens = await deps.backchannel.onBehalfOf(clientIp(ctx), () => oidc.authorizationCodeGrant(configuration, new URL(ctx.url, issuer), {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
      }));
      address = tokens.claims()!.sub;
    } catch (error) {
      logger.warn({ event: 'account.signin_failed', error: (error as Error).message }, 'account page sign-in failed');
      return message(ctx, 'account.title', tr('account.error.flow'), 400);
    }
    const session: AccountSession = { address, expiresAt: Math.floor(Date.now() / 1000) + SESSION_SECONDS, csrf: randomBytes(24).toString('base64url') };
    ctx.cookies.set(SESSION_COOKIE, Buffer.from(JSON.stringify(session)).toString('base64url'), cookieOptions(ctx, SESSION_SECONDS));
    ctx.redirect('/account');
  });

  // Revoking an application ends every grant this address gave it: its refresh tokens and
  // opaque access tokens stop working at once (introspection says inactive), and its next
  // sign-in asks for consent again. JWT access tokens for APIs cannot be recalled: they live
  // until they expire (JWT_ACCESS_TOKEN_TTL or the API's accessTokenTtl), which the notice says.
  router.post('/revoke', guard({ body: revokeBody }), async (ctx) => {
    const { body } = ctx.guard;
    const session = requireSession(ctx, body.csrf);
    const refs = (await store.grants(session.address)).filter((ref) => ref.clientId === body.client_id);
    if (refs.length === 0) throw new UserError('grant_not_found');
    for (const ref of refs) await revokeGrant(session.address, ref);
    logger.info({ event: 'account.grant_revoked', address: session.address, client_id: body.client_id, grants: refs.length }, 'access of an application revoked from the account page');
    ctx.cookies.set(REVOKED_COOKIE, Buffer.from(body.client_id).toString('base64url'), cookieOptions(ctx, 5 * 60));
    ctx.status = 303;
    ctx.redirect(`/account?revoked=${encodeURIComponent(body.client_id)}`);
  });

  router.post('/logout', guard({ body: logoutBody }), async (ctx) => {
    requireSession(ctx, ctx.guard.body.csrf);
    ctx.cookies.set(SESSION_COOKIE, null, { path: COOKIE_PATH });
    return message(ctx, 'account.signedOut.title', t(ctx)('account.signedOut'));
  });

  async function revokeGrant(address: string, ref: GrantRef): Promise<void> {
    const grant = await provider.Grant.find(ref.grantId);
    // The index is ours; the grant is the provider's: only a grant of this very address goes.
    if (grant && grant.accountId !== address) return;
    await Promise.all([
      provider.AccessToken.revokeByGrantId(ref.grantId),
      provider.RefreshToken.revokeByGrantId(ref.grantId),
      provider.AuthorizationCode.revokeByGrantId(ref.grantId),
      provider.DeviceCode.revokeByGrantId(ref.grantId),
    ]);
    if (grant) await grant.destroy();
    await store.removeGrant(address, ref.grantId);
  }

  async function applications(address: string, tr: Translate) {
    const byClient = new Map<string, { clientId: string; name: string; pairwise: boolean; scopes: Set<string>; since: number }>();
    for (const ref of await store.grants(address)) {
      if (ref.clientId === ACCOUNT_CLIENT_ID) continue;
      const grant = await provider.Grant.find(ref.grantId);
      if (!grant || grant.accountId !== address) {
        await store.removeGrant(address, ref.grantId);
        continue;
      }
      const entry = byClient.get(ref.clientId) ?? { clientId: ref.clientId, ...(await clientFacts(provider, ref.clientId)), scopes: new Set<string>(), since: grant.iat };
      grant.getOIDCScope().split(' ').filter(Boolean).forEach((s) => entry.scopes.add(s));
      entry.since = Math.min(entry.since, grant.iat);
      byClient.set(ref.clientId, entry);
    }
    return [...byClient.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((app) => ({ ...app, since: formatTime(app.since), scopes: [...app.scopes].map((s) => scopeLabel(tr, scopeLabelKey(s, app))) }));
  }

  async function signIns(address: string) {
    const names = new Map<string, string>();
    const records = await store.signIns(address);
    for (const { clientId } of records) if (!names.has(clientId)) names.set(clientId, await clientName(provider, clientId));
    return records.map((r) => ({ time: formatTime(r.at), application: names.get(r.clientId)!, ip: r.ip }));
  }

  async function chainView(address: string) {
    if (!chain) return { state: 'off' as const };
    const result = await chain.read(address);
    if (!result.ok) return { state: 'unavailable' as const };
    const { holdings } = result;
    const assets = releasedAssets(chain.rules, holdings.assets);
    return {
      state: 'ok' as const,
      groups: evaluateGroups(chain.rules, holdings),
      tags: releasedTags(chain.rules, holdings.tags),
      assets: Object.entries(assets).sort(([a], [b]) => a.localeCompare(b)),
      unreleased: Object.keys(holdings.assets).length - Object.keys(assets).length,
      readAt: formatTime(holdings.readAt),
    };
  }

  return router;
}

/** The label and subject type of a client, for the list of applications. */
async function clientFacts(provider: Provider, clientId: string): Promise<{ name: string; pairwise: boolean }> {
  try {
    const client = await provider.Client.find(clientId);
    if (client) {
      const display = describeClient(client as unknown as ClientLike);
      return { name: display.label, pairwise: display.pairwise };
    }
  } catch {
    // As clientName: a client whose metadata no longer validates is still listed.
  }
  return { name: clientId, pairwise: false };
}

async function clientName(provider: Provider, clientId: string): Promise<string> {
  try {
    const client = await provider.Client.find(clientId);
    // A registered client is named with its redirect host, so that it cannot pass for another.
    return client ? describeClient(client as unknown as ClientLike).label : clientId;
  } catch {
    // A client whose metadata no longer validates is still named in the history.
    return clientId;
  }
}

/** `key`: scope.<scope> (or scope.openid.pairwise); an API's own scope is shown as it is. */
function scopeLabel(t: Translate, key: string): string {
  return key in en ? t(key as MessageKey) : key.replace(/^scope\./, '');
}

function formatTime(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
