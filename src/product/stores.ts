/**
 * Every store of the product, on Redis or in process memory: the one place that choice is made
 * (docs/architecture.md, "Where each concern lives"). Each store has a Redis and a memory
 * implementation behind one interface; the rest of the product receives the interfaces.
 * With Redis, state is shared by every instance and survives a restart; in memory (the
 * embedded default) it lives in this process only.
 */
import type { AdapterFactory } from 'oidc-provider';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { createMemoryAccountStore, createRedisAccountStore, type AccountStore } from '../account/store.js';
import { createMemoryHoldingsCache, createRedisHoldingsCache, type HoldingsCache } from '../chain/holdings.js';
import { createMemoryChallengeStore } from '../challenge/memory-store.js';
import { createMemoryNotifier, createRedisNotifier, type ChallengeNotifier } from '../challenge/notifier.js';
import { createRedisChallengeStore } from '../challenge/redis-store.js';
import type { ChallengeStore } from '../challenge/types.js';
import { createMemoryPollPacer, createRedisPollPacer, type PollPacer } from '../oidc/device-pacing.js';
import { createMemoryAdapter } from '../oidc/memory-adapter.js';
import { createRedisAdapter } from '../oidc/redis-adapter.js';
import { createRedisRegistrationTokens, withPartnerTokens } from '../oidc/registration-tokens.js';
import { createMemoryLockouts, createRedisLockouts, type Lockouts } from '../security/lockouts.js';
import type { LimiterStorage } from '../security/rate-limit.js';
import type { RedisClient } from '../store/redis-script.js';

export interface Stores {
  /** oidc-provider's storage (sessions, grants, codes, tokens); on Redis with per-partner registration tokens. */
  oidcAdapter: AdapterFactory;
  challenges: ChallengeStore;
  /** Tells an open sign-in page that its challenge changed (Redis pub/sub across instances). */
  notifier: ChallengeNotifier;
  /** Device-flow polling intervals (RFC 8628 §3.5). */
  devicePollPacer: PollPacer;
  /** The account page's index of grants and sign-in history. */
  accounts: AccountStore;
  /** The chain feature's short cache of holdings read from the Evrmore node. */
  holdingsCache: HoldingsCache;
  /** Counters of rate limits and failure alerts. */
  limiters: LimiterStorage;
  lockouts: Lockouts;
  /** Closes what the stores opened themselves (the notifier's subscriber), not `redis`. */
  close(): Promise<void>;
}

export interface StoreOptions {
  /** REDIS_KEY_PREFIX: pub/sub channels need it spelled out (ioredis prefixes keys only). */
  keyPrefix: string;
  /** How long a used refresh token may be presented again (oidc-provider rotation). */
  refreshTokenReuseInterval: number;
}

export function createStores(redis: RedisClient | undefined, options: StoreOptions): Stores {
  const adapterOptions = { refreshTokenReuseInterval: options.refreshTokenReuseInterval };
  const stores: Omit<Stores, 'close'> = redis
    ? {
        oidcAdapter: withPartnerTokens(createRedisAdapter(redis, adapterOptions), createRedisRegistrationTokens(redis)),
        challenges: createRedisChallengeStore(redis),
        notifier: createRedisNotifier(redis, options.keyPrefix),
        devicePollPacer: createRedisPollPacer(redis),
        accounts: createRedisAccountStore(redis),
        holdingsCache: createRedisHoldingsCache(redis),
        // Keys `<REDIS_KEY_PREFIX>rl:<name>:<key>` (ioredis adds its prefix to the script's key).
        // `rejectIfRedisNotReady` fails at once during an outage instead of queueing, so the
        // request gets its 503 without waiting.
        limiters: (name, limit) =>
          new RateLimiterRedis({
            keyPrefix: `rl:${name}`,
            points: limit.points,
            duration: limit.durationSeconds,
            storeClient: redis,
            rejectIfRedisNotReady: true,
          }),
        lockouts: createRedisLockouts(redis),
      }
    : {
        oidcAdapter: createMemoryAdapter(adapterOptions),
        challenges: createMemoryChallengeStore(),
        notifier: createMemoryNotifier(),
        devicePollPacer: createMemoryPollPacer(),
        accounts: createMemoryAccountStore(),
        holdingsCache: createMemoryHoldingsCache(),
        limiters: (name, limit) =>
          new RateLimiterMemory({ keyPrefix: `rl:${name}`, points: limit.points, duration: limit.durationSeconds }),
        lockouts: createMemoryLockouts(),
      };
  return { ...stores, close: () => stores.notifier.close() };
}
