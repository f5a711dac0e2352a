/**
 * Follows the Redis connection: whether it can serve now (for the 503 gate and /readyz), the
 * evrmore_redis_up gauge and evrmore_redis_errors_total, and one log line when the connection
 * is lost and one when it is back (ioredis retries every <= 2 s by itself; an error event per
 * retry would flood the log).
 */
import type { Logger } from 'pino';
import type { RedisClient } from './redis-script.js';

const PING_TIMEOUT_MS = 2000;

/** The two series this watch keeps (evrmore_redis_up, evrmore_redis_errors_total); http/metrics.ts has them. */
export interface RedisHealthMetrics {
  redisUp: { set(value: number): void };
  redisErrors: { inc(): void };
}

/** The connection's state, as the availability gate (http/availability.ts StoreStatus) and /readyz ask it. */
export interface RedisHealth {
  /** True while Redis answers commands. */
  available(): boolean;
  /** Resolves when Redis answers PING in time; rejects with a message fit for /readyz. */
  ready(): Promise<void>;
  /** Removes the listeners (the client may be shared and outlive the product). */
  stop(): void;
}

export function watchRedis(redis: RedisClient, logger: Logger, metrics: RedisHealthMetrics): RedisHealth {
  let lost = false;
  const up = () => redis.status === 'ready';
  metrics.redisUp.set(up() ? 1 : 0);

  const onReady = () => {
    metrics.redisUp.set(1);
    if (lost) logger.info({ event: 'redis.restored' }, 'Redis connection restored; serving again');
    lost = false;
  };
  const onDown = () => {
    metrics.redisUp.set(0);
    if (!lost) logger.error({ event: 'redis.lost', status: redis.status }, 'Redis connection lost; answering 503 until it is back');
    lost = true;
  };
  // The message only: ioredis errors may carry the command and its arguments.
  const onError = (error: Error) => {
    metrics.redisErrors.inc();
    if (!lost) logger.warn({ event: 'redis.error', error: error.message }, 'Redis error');
  };
  redis.on('ready', onReady);
  redis.on('close', onDown);
  redis.on('end', onDown);
  redis.on('error', onError);

  return {
    available: up,
    async ready() {
      if (!up()) throw new Error(`Redis is not connected (${redis.status})`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer PING within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
      });
      try {
        await Promise.race([redis.ping(), timeout]);
      } catch (error) {
        metrics.redisErrors.inc();
        // /readyz is often reachable from outside: the reason, not the server's address.
        throw new Error(/PING within/.test((error as Error).message) ? (error as Error).message : 'Redis is unreachable');
      } finally {
        clearTimeout(timer);
      }
    },
    stop() {
      redis.off('ready', onReady);
      redis.off('close', onDown);
      redis.off('end', onDown);
      redis.off('error', onError);
    },
  };
}
