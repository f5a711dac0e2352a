/**
 * Composes the product from a validated configuration: storage (Redis, or memory for the
 * embedded default), the provider, the challenge service and the Koa app. Used by the
 * server entry point and by tests, so both run the same assembly.
 */
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Secrets } from './dev-secrets.js';
import { createApp } from './app.js';
import { ChallengeService } from './challenge/service.js';
import { createRedisChallengeStore } from './challenge/redis-store.js';
import { createMemoryChallengeStore } from './challenge/memory-store.js';
import type { ChallengeStore } from './challenge/types.js';
import { createMemoryNotifier, createRedisNotifier, type ChallengeNotifier } from './challenge/notifier.js';
import { demoClient } from './demo/routes.js';
import { NETWORKS } from './evrmore/network.js';
import { createProviderPages } from './http/pages.js';
import { createViews } from './http/views.js';
import { createMemoryAdapter } from './oidc/memory-adapter.js';
import { createRedisAdapter } from './oidc/redis-adapter.js';
import { createProvider } from './oidc/provider.js';
import type { AdapterFactory } from 'oidc-provider';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** src/ (tests, tsx) and dist/ (built) both sit one level below the project root. */
export const VIEWS_DIR = `${ROOT}views`;
export const PUBLIC_DIR = `${ROOT}public`;

export interface Product {
  app: Koa;
  provider: Provider;
  challenges: ChallengeService;
  redis?: Redis;
  /** Closes what the product opened (Redis). */
  close(): Promise<void>;
}

export interface ProductOptions {
  logger: Logger;
  /** An already connected client (tests share one); otherwise one is opened from REDIS_URL. */
  redis?: Redis;
}

export function connectRedis(config: Config): Redis {
  return new Redis(config.redisUrl!, {
    keyPrefix: config.redisKeyPrefix,
    lazyConnect: true,
    // Fail a request fast during an outage instead of queueing it for ever.
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
  });
}

export async function createProduct(config: Config, secrets: Secrets, options: ProductOptions): Promise<Product> {
  const { logger } = options;
  let redis = options.redis;
  const ownsRedis = !redis && Boolean(config.redisUrl);
  if (!redis && config.redisUrl) {
    redis = connectRedis(config);
    await redis.connect();
  }

  let adapter: AdapterFactory;
  let store: ChallengeStore;
  let notifier: ChallengeNotifier;
  if (redis) {
    notifier = createRedisNotifier(redis, config.redisKeyPrefix);
    adapter = createRedisAdapter(redis);
    store = createRedisChallengeStore(redis);
  } else {
    notifier = createMemoryNotifier();
    adapter = createMemoryAdapter();
    store = createMemoryChallengeStore();
  }

  const views = createViews(VIEWS_DIR, { cache: config.env === 'production' });
  const clients = config.demo ? [...config.clients.filter((c) => c.client_id !== 'demo'), demoClient(config.issuer)] : config.clients;
  const provider = createProvider({
    config,
    jwks: secrets.jwks,
    cookieKeys: secrets.cookieKeys,
    adapter,
    clients,
    pages: createProviderPages(views),
  });
  const challenges = new ChallengeService({
    store,
    network: NETWORKS[config.network],
    issuerHost: config.issuer.host,
    ttlSeconds: config.ttl.challenge,
    maxAttempts: config.challengeMaxAttempts,
    notifier,
  });
  const app = createApp({
    config,
    cookieKeys: secrets.cookieKeys,
    provider,
    challenges,
    views,
    logger,
    publicDir: PUBLIC_DIR,
    ready: async () => {
      if (redis) await redis.ping();
    },
  });
  return {
    app,
    provider,
    challenges,
    redis,
    async close() {
      await notifier.close();
      if (ownsRedis) await redis!.quit().catch(() => redis!.disconnect());
    },
  };
}

/** Loads every static client once, so a bad entry in the clients file stops the start. */
export async function checkClients(provider: Provider, clients: Array<{ client_id: string }>): Promise<string[]> {
  const problems: string[] = [];
  for (const { client_id } of clients) {
    try {
      await provider.Client.find(client_id);
    } catch (error) {
      const e = error as { error_description?: string; message: string };
      problems.push(`client "${client_id}": ${e.error_description ?? e.message}`);
    }
  }
  return problems;
}
