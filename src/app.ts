/**
 * The Koa application: middleware, pages, our routes and the mounted provider. Everything is
 * passed in; nothing here reads the environment or connects anywhere.
 */
import Koa, { type Context, type Middleware } from 'koa';
import mount from 'koa-mount';
import type Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Config } from './config/index.js';
import type { ChallengeService } from './challenge/service.js';
import { errorHandler } from './http/errors.js';
import type { UserError } from './errors.js';
import { createErrorPage } from './http/error-page.js';
import { securityHeaders } from './http/security-headers.js';
import { staticFiles } from './http/static-files.js';
import { negotiateLanguage } from './http/language.js';
import type { Views } from './http/views.js';
import { interactionRoutes } from './interaction/routes.js';
import { interactionLanguage } from './interaction/page-language.js';
import type { LoginPresenter } from './interaction/login-presenter.js';
import { frontchannelLogout } from './oidc/frontchannel-logout.js';
import { landingPage } from './landing/page.js';
import { healthRoutes, type ReadinessCheck } from './http/health.js';
import type { AuthHooks } from './interaction/auth-hooks.js';
import type { AccessPolicy } from './interaction/access-policy.js';
import { availabilityGate, isStoreConnectionError, noteStoreFailure, storeUnavailable, type StoreStatus } from './http/availability.js';
import { corsPreflightGuard } from './http/cors.js';
import { metricsRoutes, type Metrics } from './http/metrics.js';
import { securityTxtRoutes } from './http/security-txt.js';
import { httpsOnly } from './http/https-only.js';
import { languages } from './i18n/index.js';
import { maxBodySize } from './http/validation.js';
import { PROVIDER_PATHS, PROVIDER_ROUTES } from './oidc/routes.js';
import { canonicalPaths } from './http/canonical-path.js';
import { pinHostToIssuer } from './http/issuer-host.js';
import { metadataCaching } from './http/metadata-caching.js';
import { boundAuthorizationRequests } from './oidc/authorization-bounds.js';
import { StreamSlots, eventStreamGate } from './security/stream-slots.js';
import type { RateLimits } from './security/rate-limit.js';
import { providerRequestLimits, requestLimiter } from './security/limited-requests.js';
import type { CookieSigner } from './http/cookie-signer.js';
import type { TestWallet } from './dev/test-wallet.js';

/** The abuse protections (SECURITY.md) that sit in front of the routes. */
export interface AppSecurity {
  metrics: Metrics;
  rateLimits: RateLimits;
  /** The store's connection state; absent on the in-memory store, which is always there. */
  storeStatus?: StoreStatus;
  /** Origins a CORS preflight may come from (static clients' redirect origins and CORS_ORIGINS). */
  corsOrigins: Set<string>;
}

export interface AppDeps {
  config: Config;
  cookieSigner: CookieSigner;
  provider: Provider;
  challenges: ChallengeService;
  views: Views;
  logger: Logger;
  publicDir: string;
  ready: ReadinessCheck;
  /** Rate limits, lock-outs, audit log and metrics around sign-in attempts. */
  authHooks?: AuthHooks;
  /** Per-client access rules applied after the wallet proved its address. */
  accessPolicy?: AccessPolicy;
  /** What the sign-in and wallet pages show of a challenge. */
  presenter: LoginPresenter;
  /** The features' pages (the wallet URL, the account page, the demo), beside the sign-in routes. */
  routers?: Router[];
  /** The features' middleware around the provider's endpoints (the device flow's). */
  beforeProvider?: Middleware[];
  /** Rate limits, 503 on a store outage, CORS preflight guard, body limits and schemas, metrics. */
  security?: AppSecurity;
  /** Development only (TEST_WALLET): the key behind "Sign with a development test wallet". */
  testWallet?: TestWallet;
  /** The 429 of a locked-out client IP, or undefined; the sign-in page then shows no form. */
  lockedOut?: (ctx: Context) => Promise<UserError | undefined>;
  /** Outside production: how to end a lock-out at once (on the locked-out page). */
  lockoutHint?: string;
  /** docs/, whose guides for relying parties and wallet developers the landing page links. */
  docsDir?: string;
}

/**
 * Routers as one middleware: each router's routes and its 405/501 answers, run only for a path
 * one of its routes can match (the routers' paths do not overlap). @koa/router would otherwise
 * test every route of every router on every request, one middleware layer each (ten requests a
 * sign-in, most of them for oidc-provider).
 */
function routersMiddleware(routers: Router[]): Middleware & { paths: string[]; routers: Router[] } {
  const entries = routers.map((router) => {
    // app.use() accepts these as plain Koa middleware; so do we.
    const routes = router.routes() as unknown as Middleware;
    const allowed = router.allowedMethods() as unknown as Middleware;
    // The static start of each route's path ('/interaction/' of '/interaction/:uid/login');
    // a route without one ('/', a pattern) makes the router run for every path.
    const starts = router.stack.map((layer) => (typeof layer.path === 'string' ? layer.path.split(/[:(*]/)[0]! : ''));
    const everyPath = starts.some((start) => start === '' || start === '/');
    return { matches: (path: string) => everyPath || starts.some((start) => path.startsWith(start)), routes, allowed };
  });
  const middleware: Middleware = (ctx, next) => {
    // Most requests are oidc-provider's: no array for them.
    let matching: typeof entries | undefined;
    for (const entry of entries)
      if (entry.matches(ctx.path)) {
        matching ??= [];
        matching.push(entry);
      }
    if (!matching) return next();
    const found = matching;
    const run = (i: number): Promise<unknown> => {
      const entry = found[i];
      return entry ? entry.routes(ctx, () => entry.allowed(ctx, () => run(i + 1))) : next();
    };
    return run(0);
  };
  // The routers stay readable: test/security/route-guards.test.ts walks every route they hold.
  return Object.assign(middleware, { paths: routers.flatMap(routePaths), routers });
}

/** The paths of a router's routes (its middleware layers have no methods). */
function routePaths(router: Router): string[] {
  return router.stack.filter((layer) => layer.methods.length > 0 && typeof layer.path === 'string').map((layer) => layer.path as string);
}

/**
 * /metrics on the public port: not with a listener of its own (METRICS_PORT), and in production
 * only behind METRICS_TOKEN (docs/monitoring.md).
 */
function publicMetrics(config: Config): boolean {
  return !config.security.metricsListener && (config.env !== 'production' || config.security.metricsToken !== undefined);
}

/** The metrics listener's app (METRICS_PORT): /metrics, /healthz and /readyz, nothing else. */
export function createMetricsApp(config: Config, metrics: Metrics, ready: ReadinessCheck): Koa {
  const app = new Koa();
  app.silent = true;
  const routes = routersMiddleware([healthRoutes(ready), metricsRoutes(metrics, config.security.metricsToken)]);
  app.use(routes);
  return app;
}

/** The pages of a sign-in or logout, which relying parties may open in a popup: these paths and below. */
function shownInPopups(prefixes: string[]): (path: string) => boolean {
  return (path) => prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

export function createApp(deps: AppDeps): Koa {
  const { config, provider, challenges, views, logger } = deps;
  const app = new Koa();
  // The same keys as the provider's cookies, or interactions end in "session not found".
  app.keys = deps.cookieSigner;
  // X-Forwarded-* is trusted only when the operator says a proxy sets it. The client IP is then
  // read from the right of X-Forwarded-For, past the trusted proxies only: the left part is
  // whatever the client sent and would let it choose its own rate-limit key.
  app.proxy = config.trustProxy;
  app.maxIpsCount = config.trustProxyHops;
  // Our error handler has logged what matters; Koa's default would print stacks to stderr.
  app.silent = true;

  // A second guard behind the configuration's: a test wallet in production is a key anyone can use.
  if (deps.testWallet && config.env === 'production') throw new Error('the development test wallet cannot run in production');
  const { presenter } = deps;
  const { security } = deps;
  // Rate limits are applied one way: a limited request is named, and one table says what it
  // counts against and under which key (src/security/limited-requests.ts).
  const limit = security ? requestLimiter(security.rateLimits) : undefined;
  // Liveness, readiness and metrics answer during a store outage: that is when they matter.
  const operationalRoutes = routersMiddleware([
    healthRoutes(deps.ready),
    ...(security && publicMetrics(config) ? [metricsRoutes(security.metrics, config.security.metricsToken)] : []),
    ...(config.security.securityTxt ? [securityTxtRoutes(config.security.securityTxt, config.issuer, languages)] : []),
  ]);
  const pageRoutes = routersMiddleware([
    interactionRoutes({
      provider,
      challenges,
      views,
      presenter,
      hooks: deps.authHooks,
      access: deps.accessPolicy,
      testWallet: deps.testWallet,
      lockedOut: deps.lockedOut,
      lockoutHint: deps.lockoutHint,
      ...(security
        ? {
            limit,
            acquireStream: eventStreamGate(new StreamSlots(config.security.eventStreams), security.metrics),
          }
        : {}),
    }),
    ...(deps.routers ?? []),
  ]);

  app.use(pinHostToIssuer(config.issuer));
  // Before every guard below: each sees a route's path in that route's own spelling.
  app.use(canonicalPaths([...PROVIDER_PATHS, ...operationalRoutes.paths, ...pageRoutes.paths]));

  app.use(
    securityHeaders({
      https: config.issuer.protocol === 'https:',
      shownInPopups: shownInPopups([PROVIDER_ROUTES.authorization, '/interaction', PROVIDER_ROUTES.end_session]),
    }),
  );
  app.use(negotiateLanguage());
  const storeStatus = security?.storeStatus;
  app.use(
    errorHandler(logger, createErrorPage(views), {
      pageLanguage: interactionLanguage(provider),
      // A request that failed because Redis went away gets the 503 of the availability gate.
      translate: (error) => {
        if (!storeStatus || !(isStoreConnectionError(error) || !storeStatus.available())) return undefined;
        security.metrics.redisErrors.inc();
        return storeUnavailable();
      },
    }),
  );
  app.use(maxBodySize());
  if (config.env === 'production')
    app.use(httpsOnly(config.issuer, (path) => path === '/healthz' || path === '/readyz' || path === '/metrics'));
  app.use(operationalRoutes);
  app.use(staticFiles(deps.publicDir));
  if (security) {
    if (storeStatus) {
      app.use(availabilityGate(storeStatus, (path) => path === PROVIDER_ROUTES.jwks || path.startsWith('/.well-known/')));
      provider.on('server_error', (ctx: Context, error: unknown) => noteStoreFailure(ctx, error));
    }
    // The endpoints oidc-provider serves with client-based CORS (its CORS.client* middlewares).
    const clientCorsPaths = [
      PROVIDER_ROUTES.token,
      PROVIDER_ROUTES.userinfo,
      PROVIDER_ROUTES.revocation,
      PROVIDER_ROUTES.introspection,
      PROVIDER_ROUTES.device_authorization,
      PROVIDER_ROUTES.pushed_authorization_request,
    ];
    app.use(corsPreflightGuard(clientCorsPaths, security.corsOrigins));
    // oidc-provider's limited requests, named by their method and path.
    if (limit) app.use(providerRequestLimits(limit, PROVIDER_ROUTES));
  }
  app.use(boundAuthorizationRequests(PROVIDER_ROUTES));

  app.use(pageRoutes);
  app.use(landingPage({ views, issuer: config.issuer, docsDir: deps.docsDir, demo: config.demo, accountPage: config.accountPage }));
  app.use(frontchannelLogout(provider, views));
  for (const middleware of deps.beforeProvider ?? []) app.use(middleware);
  app.use(metadataCaching([PROVIDER_ROUTES.jwks, '/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']));
  app.use(mount(provider));
  return app;
}
