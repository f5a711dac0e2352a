/**
 * The benchmark's primary baseline: bare oidc-provider, set up as its own example app is
 * (example/ of panva/node-oidc-provider): Koa with the provider mounted, interaction routes
 * that render a login form accepting the account it is given and a consent form, development
 * interactions off, and a Redis adapter in the shape of upstream's example (./bare-redis-adapter).
 * It imports nothing from src/, so no change to the product's modules moves it.
 *
 * Two settings depart from the example so that a sign-in is the same ten requests as the
 * product's (docs/performance.md): a refresh token for clients allowed the grant without asking
 * for offline_access, rotated on every use.
 *
 * Started by the bench as its own process (`node dist-bench/bench/bare-oidc-provider.js`) with
 * ISSUER, HOST, PORT, REDIS_URL, COOKIE_KEYS, JWKS_FILE and CLIENTS_FILE in its environment.
 */
import { readFileSync } from 'node:fs';
import Koa from 'koa';
import mount from 'koa-mount';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { Redis } from 'ioredis';
import Provider, { type ClientMetadata, type Configuration, type JWKS } from 'oidc-provider';
import { bareRedisAdapter } from './bare-redis-adapter.js';
import { serveUntilSignalled, startOrExit } from './serve.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

async function main(): Promise<void> {
  const cookieKeys = required('COOKIE_KEYS').split(',');
  const redis = new Redis(required('REDIS_URL'), { keyPrefix: 'oidc:', lazyConnect: true });
  await redis.connect();

  const configuration: Configuration = {
    adapter: bareRedisAdapter(redis),
    clients: JSON.parse(readFileSync(required('CLIENTS_FILE'), 'utf8')) as ClientMetadata[],
    jwks: JSON.parse(readFileSync(required('JWKS_FILE'), 'utf8')) as JWKS,
    cookies: { keys: cookieKeys },
    // The example's claims per scope.
    claims: {
      address: ['address'],
      email: ['email', 'email_verified'],
      phone: ['phone_number', 'phone_number_verified'],
      profile: [
        'birthdate',
        'family_name',
        'gender',
        'given_name',
        'locale',
        'middle_name',
        'name',
        'nickname',
        'picture',
        'preferred_username',
        'profile',
        'updated_at',
        'website',
        'zoneinfo',
      ],
    },
    // The example's account store accepts any login; its claims are the subject and a name.
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, name: id }) }),
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
  };
  const provider = new Provider(required('ISSUER').replace(/\/$/, ''), configuration);
  provider.proxy = true;

  const router = new Router({ prefix: '/interaction/:uid' });
  const form = bodyParser({ enableTypes: ['form'] });
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.get('/', async (ctx) => {
    const { uid, prompt, params } = await provider.interactionDetails(ctx.req, ctx.res);
    const client = await provider.Client.find(String(params.client_id));
    const name = escapeHtml(client?.clientName ?? String(params.client_id));
    ctx.type = 'html';
    ctx.body =
      prompt.name === 'login'
        ? page(
            'Sign-in',
            `<p>${name}</p><form method="post" action="/interaction/${uid}/login"><input name="login" required><button>Sign-in</button></form>`,
          )
        : page(
            'Authorize',
            `<p>${name} asks for ${escapeHtml(String(params.scope ?? ''))}</p><form method="post" action="/interaction/${uid}/confirm"><button>Continue</button></form>`,
          );
  });

  router.post('/login', form, async (ctx) => {
    const { prompt } = await provider.interactionDetails(ctx.req, ctx.res);
    const { login } = ctx.request.body as Record<string, unknown>;
    if (prompt.name !== 'login' || typeof login !== 'string' || login === '') return ctx.throw(400, 'login expected');
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  });

  router.post('/confirm', form, async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name !== 'consent' || !details.session) return ctx.throw(400, 'consent expected');
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: String(details.params.client_id) });
    if (!grant) return ctx.throw(400, 'grant not found');
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { consent: details.grantId ? {} : { grantId } },
      { mergeWithLastSubmission: true },
    );
  });

  const app = new Koa();
  app.proxy = true;
  app.silent = true;
  // The interaction routes read the provider's signed cookies through this app's context.
  app.keys = cookieKeys;
  // The bench's readiness probe; the example has none.
  app.use(async (ctx, next) => {
    if (ctx.path !== '/healthz') return next();
    ctx.body = { status: 'ok' };
  });
  app.use(router.routes());
  app.use(mount(provider));

  await serveUntilSignalled('bare oidc-provider', app.callback(), redis, Number(required('PORT')), process.env.HOST ?? '127.0.0.1');
}

startOrExit('bare oidc-provider', main);
