/**
 * The Koa application: middleware, pages, our routes and the mounted provider. Everything is
 * passed in; nothing here reads the environment or connects anywhere.
 */
import Koa from 'koa';
import mount from 'koa-mount';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { ChallengeService } from './challenge/service.js';
import { errorHandler } from './http/errors.js';
import { createErrorPage } from './http/pages.js';
import { securityHeaders } from './http/security-headers.js';
import { staticFiles } from './http/static-files.js';
import type { Views } from './http/views.js';
import { translator } from './i18n/index.js';
import { interactionRoutes } from './interaction/routes.js';
import { walletRoutes } from './interaction/wallet-routes.js';
import { LoginPresenter } from './interaction/login-presenter.js';
import { NETWORKS } from './evrmore/network.js';
import { demoRoutes } from './demo/routes.js';
import { healthRoutes, type ReadinessCheck } from './http/health.js';
import type { AuthHooks } from './interaction/auth-hooks.js';
import type { AccessPolicy } from './interaction/access-policy.js';

export interface AppDeps {
  config: Config;
  cookieKeys: string[];
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
}

export function createApp(deps: AppDeps): Koa {
  const { config, provider, challenges, views, logger } = deps;
  const app = new Koa();
  // The same keys as the provider's cookies, or interactions end in "session not found" (DESIGN §8).
  app.keys = deps.cookieKeys;
  // X-Forwarded-* is trusted only when the operator says a proxy sets it.
  app.proxy = config.trustProxy;
  // Our error handler has logged what matters; Koa's default would print stacks to stderr.
  app.silent = true;

  const presenter = new LoginPresenter({ views, issuer: config.issuer, network: NETWORKS[config.network] });

  app.use(securityHeaders({ https: config.issuer.protocol === 'https:' }));
  app.use(async (ctx, next) => {
    ctx.state.t = translator(ctx.acceptsLanguages()[0] ?? 'en');
    await next();
  });
  app.use(errorHandler(logger, createErrorPage(views)));
  app.use(staticFiles(deps.publicDir));

  for (const router of [
    healthRoutes(deps.ready),
    interactionRoutes({ provider, challenges, views, presenter, hooks: deps.authHooks, access: deps.accessPolicy }),
    walletRoutes({ provider, challenges, presenter, hooks: deps.authHooks }),
    ...(config.demo ? [demoRoutes({ issuer: config.issuer, views })] : []),
  ]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.use(mount(provider));
  return app;
}
