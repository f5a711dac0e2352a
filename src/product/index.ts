/**
 * Composes the product from a validated configuration: storage (Redis, or memory for the
 * embedded default, stores.ts), the challenge service, the features (features.ts), the provider
 * and the Koa app. Used by the server entry point and by tests, so both run the same assembly.
 */
import { fileURLToPath } from 'node:url';
import { watchForStalls } from '../store/redis-stall-watch.js';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Config, OutboundPolicy } from '../config/index.js';
import type { Secrets } from '../dev-secrets.js';
import { createApp, createMetricsApp } from '../app.js';
import { ChallengeService } from '../challenge/service.js';
import { NETWORKS } from '../evrmore/network.js';
import { createProviderPages } from '../oidc/pages.js';
import { createViews } from '../http/views.js';
import type { RedisClient } from '../store/redis-script.js';
import { createProvider } from '../oidc/provider.js';
import { createMetrics, type Metrics } from '../http/metrics.js';
import { allowedOrigins } from '../http/cors.js';
import { watchRedis } from '../store/redis-health.js';
import { RateLimits } from '../security/rate-limit.js';
import { FailureMonitor } from '../security/failure-monitor.js';
import { auditProviderEvents, createSecurityHooks, lockoutRefusal } from '../security/audit.js';
import { developmentLockoutHint } from '../security/lockouts.js';
import { wrongUserCodeCounter } from '../security/user-code-guesses.js';
import { createCookieSigner } from '../http/cookie-signer.js';
import { keysInEffect } from '../keys.js';
import { hostRefusal, policedFetch } from '../security/outbound.js';
import { loadTestWallet } from '../dev/test-wallet.js';
import { accountPageFeature } from '../account/feature.js';
import { chainClaimsFeature } from '../chain/feature.js';
import { demoRelyingPartyFeature } from '../demo/feature.js';
import { deviceFlowFeature } from '../oidc/device-flow.js';
import { LoginPresenter } from '../interaction/login-presenter.js';
import { walletUrlFeature } from '../interaction/wallet-feature.js';
import { attachFeatures, featuresOn, staticClients } from './features.js';
import { openRedis } from './redis-connection.js';
import { createStores, type Stores } from './stores.js';

/** How long Redis may leave every command on a connection unanswered before they fail. */
const REDIS_STALL_MS = 5000;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** src/product/ (tests, tsx) and dist/product/ (built) both sit two levels below the project root. */
export const VIEWS_DIR = `${ROOT}views`;
export const PUBLIC_DIR = `${ROOT}public`;
export const DOCS_DIR = `${ROOT}docs`;

export interface Product {
  app: Koa;
  provider: Provider;
  challenges: ChallengeService;
  redis?: RedisClient;
  /** Prometheus metrics of this product (served at /metrics). */
  metrics: Metrics;
  /** The app of the metrics listener, when METRICS_PORT asks for one. */
  metricsApp?: Koa;
  /** Repeated-failure alerts and lock-outs (tests await its webhooks with settle()). */
  monitor: FailureMonitor;
  /** Closes what the product opened (Redis). */
  close(): Promise<void>;
  /**
   * The product assembled again from a new configuration (the clients and key files changed),
   * on the same Redis, storage, metrics and limits: a reload without restart (src/reload.ts).
   */
  reconfigure(config: Config, secrets: Secrets): Promise<Product>;
  /** After a reconfigure: closes what this assembly alone opened, not the shared storage. */
  retire(): Promise<void>;
}

/** What outlives a reload: connections, stored state, metrics and limit counters. */
interface ProductStorage {
  redis?: RedisClient;
  metrics: Metrics;
  redisHealth?: ReturnType<typeof watchRedis>;
  stores: Stores;
  rateLimits: RateLimits;
  monitor: FailureMonitor;
  close(): Promise<void>;
}

export interface ProductOptions {
  logger: Logger;
  /** An already connected client (tests share one); otherwise one is opened from REDIS_URL. */
  redis?: RedisClient;
}

export async function createProduct(config: Config, secrets: Secrets, options: ProductOptions): Promise<Product> {
  return assembleProduct(config, secrets, await openStorage(config, options), options.logger);
}

async function openStorage(config: Config, options: ProductOptions): Promise<ProductStorage> {
  const { logger } = options;
  const ownsRedis = !options.redis && Boolean(config.redis);
  const redis = options.redis ?? (config.redis ? await openRedis(config, logger) : undefined);
  const metrics = createMetrics();
  const redisHealth = redis ? watchRedis(redis, logger, metrics) : undefined;
  // A Redis that hangs without closing the connection must not hold requests open: commands
  // stalled for 5 s fail, and the request gets its 503 (test/security/redis-hang.test.ts).
  const stallWatch = redis ? watchForStalls(redis, { stallMs: REDIS_STALL_MS }) : undefined;
  const stores = createStores(redis, {
    keyPrefix: config.redisKeyPrefix,
    refreshTokenReuseInterval: config.protocol.refreshTokenReuseInterval,
  });
  // Abuse protection (SECURITY.md): rate limits, failure alerts and lock-out.
  const rateLimits = new RateLimits(config.security.rateLimits, stores.limiters, metrics);
  const monitor = new FailureMonitor({
    limiters: stores.limiters,
    lockouts: stores.lockouts,
    settings: config.security.failures,
    logger,
    metrics,
  });
  return {
    redis,
    metrics,
    redisHealth,
    stores,
    rateLimits,
    monitor,
    async close() {
      redisHealth?.stop();
      stallWatch?.stop();
      await monitor.settle();
      await stores.close();
      if (ownsRedis) await redis!.quit().catch(() => redis!.disconnect());
    },
  };
}

async function assembleProduct(config: Config, secrets: Secrets, storage: ProductStorage, logger: Logger): Promise<Product> {
  const { redis, metrics, redisHealth, stores, rateLimits, monitor } = storage;

  const baseViews = createViews(VIEWS_DIR, { cache: config.env === 'production' });
  // One signer for the provider's cookies and ours: both must accept the other's.
  const cookieSigner = createCookieSigner(secrets.cookieKeys);
  const challenges = new ChallengeService({
    store: stores.challenges,
    network: NETWORKS[config.network],
    issuerHost: config.issuer.host,
    ttlSeconds: config.ttl.challenge,
    maxAttempts: config.challengeMaxAttempts,
    notifier: stores.notifier,
    onIssued: (seconds) => metrics.challengeIssueSeconds.observe(seconds),
  });
  // Rate limits, lock-outs, audit log and metrics around sign-in attempts (SECURITY.md).
  const authHooks = createSecurityHooks({ limits: rateLimits, monitor, logger, metrics });
  const testWallet = config.testWallet ? await loadTestWallet(config.dataDir, NETWORKS[config.network]) : undefined;

  const chain = await chainClaimsFeature(config, { holdingsCache: stores.holdingsCache, logger });
  const views = chain.decorateViews(baseViews);
  const presenter = new LoginPresenter({
    views,
    issuer: config.issuer,
    network: NETWORKS[config.network],
    testWallet: Boolean(testWallet),
    now: challenges.now,
  });
  const device = deviceFlowFeature(config, {
    pacer: stores.devicePollPacer,
    onWrongUserCode: wrongUserCodeCounter({ limits: rateLimits, monitor }),
  });
  const features = featuresOn([
    chain,
    accountPageFeature(config, { store: stores.accounts, chain: chain.service, logger }),
    demoRelyingPartyFeature(config),
    device,
    walletUrlFeature({ challenges, presenter, hooks: authHooks }),
  ]);

  const clients = staticClients(config.clients, features);
  const provider = createProvider({
    config,
    // Staged keys are published but do not sign yet (src/keys.ts).
    jwks: keysInEffect(secrets.jwks, Date.now() / 1000),
    cookieSigner,
    adapter: stores.oidcAdapter,
    clients,
    chain: chain.providerHooks,
    // The access-rule properties are refused without a node, so they are always known.
    clientMetadata: [chain.clientMetadata],
    outboundFetch: policedFetch(config.protocol.outbound),
    pages: createProviderPages(baseViews),
    pairwiseSalt: secrets.pairwiseSalt,
    onWrongUserCode: device.onWrongUserCode,
  });
  // Observability (docs/monitoring.md): audit log and metrics of the provider's events.
  auditProviderEvents(provider, logger, metrics);
  const attached = attachFeatures(features, { provider, views });
  const ready = async () => {
    if (redisHealth) await redisHealth.ready();
    await attached.ready();
  };
  const app = createApp({
    config,
    cookieSigner,
    provider,
    challenges,
    views,
    presenter,
    logger,
    publicDir: PUBLIC_DIR,
    docsDir: DOCS_DIR,
    ready,
    accessPolicy: chain.accessPolicy(provider),
    routers: attached.routers,
    beforeProvider: attached.beforeProvider,
    ...(testWallet ? { testWallet } : {}),
    authHooks,
    lockedOut: lockoutRefusal(monitor),
    ...(config.env !== 'production' && config.security.failures.lockoutSeconds > 0
      ? {
          lockoutHint: developmentLockoutHint({
            lockoutSeconds: config.security.failures.lockoutSeconds,
            ...(redis ? { redisKeyPrefix: config.redisKeyPrefix } : {}),
          }),
        }
      : {}),
    security: {
      metrics,
      rateLimits,
      storeStatus: redisHealth,
      corsOrigins: allowedOrigins(clients, config.security.corsOrigins),
    },
  });
  attached.serve(app.callback());
  return {
    app,
    provider,
    challenges,
    redis,
    metrics,
    ...(config.security.metricsListener ? { metricsApp: createMetricsApp(config, metrics, ready) } : {}),
    monitor,
    async close() {
      await attached.close();
      await storage.close();
    },
    reconfigure: (next, nextSecrets) => assembleProduct(next, nextSecrets, storage, logger),
    retire: () => attached.close(),
  };
}

/** Loads every static client once, so a bad entry in the clients file stops the start. */
export async function checkClients(
  provider: Provider,
  clients: Array<{ client_id: string }>,
  outbound?: OutboundPolicy,
): Promise<string[]> {
  const problems: string[] = [];
  for (const { client_id } of clients) {
    try {
      const client = await provider.Client.find(client_id);
      // A logout that the outbound policy would refuse never arrives: refuse the client now
      // rather than fail silently at every sign-out.
      const logoutUri = client?.backchannelLogoutUri;
      const refusal = outbound && typeof logoutUri === 'string' ? await hostRefusal(outbound, new URL(logoutUri).hostname) : undefined;
      if (refusal) problems.push(`client "${client_id}": its backchannel_logout_uri cannot be reached: ${refusal}`);
    } catch (error) {
      const e = error as { error_description?: string; message: string };
      problems.push(`client "${client_id}": ${e.error_description ?? e.message}`);
    }
  }
  return problems;
}
