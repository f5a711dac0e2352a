/**
 * The benchmark's baseline: bare oidc-provider in Koa on the product's own Redis adapter,
 * with the same clients, signing keys, TTLs and claims as the product (read by the product's
 * loadConfig from the same environment), refresh tokens issued and rotated as the product does,
 * everything else at oidc-provider's defaults, and a trivial login: a form that posts an
 * account id, no challenge, QR, signature, rate limit, metrics, audit log or account records.
 * Its consent step is the product's, so a sign-in is the same ten requests.
 *
 * Run as its own process (`node dist-bench/bench/baseline-server.js` with the bench's env), so
 * its CPU time and peak RSS are its own in /proc.
 */
import Koa from 'koa';
import mount from 'koa-mount';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import Provider, { type Configuration, type ClientMetadata as OidcClientMetadata } from 'oidc-provider';
import { loadConfig } from '../src/config/index.js';
import { Redis } from 'ioredis';
import { createRedisAdapter } from '../src/oidc/redis-adapter.js';
import { providerTtls } from '../src/oidc/provider.js';
import { createFindAccount } from '../src/oidc/account.js';
import { claimsByScope } from '../src/oidc/provider.js';
import { serveUntilSignalled, startOrExit } from './serve.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.redis || !config.jwks || !config.cookieKeys) throw new Error('the baseline needs REDIS_URL, JWKS(_FILE) and COOKIE_KEYS');
  // A plain ioredis client, as a bare deployment would open it: the product's own connection
  // settings are part of what the benchmark measures, not of the baseline.
  const target = config.redis;
  if (target.kind !== 'standalone') throw new Error('the baseline needs one Redis server (redis:// or rediss://)');
  const redis = new Redis({
    host: target.node.host,
    port: target.node.port,
    db: target.db,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
    keyPrefix: config.redisKeyPrefix,
    lazyConnect: true,
  });
  await redis.connect();
  const claims = claimsByScope(config.emailDomain);

  const configuration: Configuration = {
    adapter: createRedisAdapter(redis),
    clients: config.clients as OidcClientMetadata[],
    jwks: config.jwks as Configuration['jwks'],
    findAccount: createFindAccount({ network: config.network, emailDomain: config.emailDomain }),
    claims,
    scopes: ['openid', 'offline_access', ...Object.keys(claims).filter((s) => s !== 'openid')],
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    cookies: {
      keys: config.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // The two settings a sign-in of ten requests needs: a refresh token without prompt=consent
    // (for clients allowed the grant), rotated on use, as the product does. Everything else is
    // oidc-provider's default (tokens expire with the session unless offline_access, ...).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: providerTtls(config),
  };
  const provider = new Provider(config.issuer.href.replace(/\/$/, ''), configuration);

  const app = new Koa();
  app.keys = config.cookieKeys;
  app.proxy = config.trustProxy;
  app.silent = true;
  const router = new Router({ prefix: '/interaction/:uid' });
  const form = bodyParser({ enableTypes: ['form'] });

  router.get('/', async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';
    if (details.prompt.name === 'login') {
      ctx.body = page(
        'Sign in',
        `<form method="post" action="/interaction/${details.uid}/login"><input name="account"><button>Sign in</button></form>`,
      );
    } else {
      ctx.body = page(
        'Consent',
        `<p>${escapeHtml(String(details.params.scope ?? ''))}</p><form method="post" action="/interaction/${details.uid}/confirm"><button>Allow</button></form>`,
      );
    }
  });

  router.post('/login', form, async (ctx) => {
    await provider.interactionDetails(ctx.req, ctx.res);
    const account = (ctx.request.body as Record<string, unknown>).account;
    if (typeof account !== 'string' || account === '') return ctx.throw(400, 'account missing');
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: account } }, { mergeWithLastSubmission: false });
  });

  // The product's consent handler, minus its checks.
  router.post('/confirm', form, async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const accountId = details.session!.accountId as string;
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({ accountId, clientId: details.params.client_id as string });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { consent: details.grantId ? {} : { grantId } },
      { mergeWithLastSubmission: true },
    );
  });

  app.use(async (ctx, next) => {
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok' };
      return;
    }
    await next();
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.use(mount(provider));

  await serveUntilSignalled('baseline', app.callback(), redis, config.port, config.host);
}

startOrExit('baseline', main);
