/**
 * The product's Redis connection: a client for REDIS_URL's topology, opened with errors going to
 * the structured log. Used by the product assembly and by the command line.
 */
import { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { coalesceWrites } from '../store/coalesced-writes.js';
import type { RedisClient } from '../store/redis-script.js';

/**
 * A client for REDIS_URL's topology: one server, a Sentinel-managed master, or a Cluster.
 * Not connected yet (lazyConnect): `await client.connect()`. Every key the product writes goes
 * through `keyPrefix`, and every command touches one key, so a Cluster needs no hash tags.
 */
export function connectRedis(config: Config): RedisClient {
  const target = config.redis;
  if (!target) throw new Error('connectRedis: REDIS_URL is not configured');
  const common = {
    lazyConnect: true,
    // Fail a request fast during an outage instead of queueing it for ever.
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    // Node verifies the server certificate against its CAs (add a private CA with NODE_EXTRA_CA_CERTS).
    ...(target.tls ? { tls: {} } : {}),
  };
  switch (target.kind) {
    case 'standalone':
      return coalesceWrites(
        new Redis({ ...common, keyPrefix: config.redisKeyPrefix, host: target.node.host, port: target.node.port, db: target.db }),
      );
    case 'sentinel':
      return coalesceWrites(
        new Redis({
          ...common,
          keyPrefix: config.redisKeyPrefix,
          sentinels: target.sentinels,
          name: target.masterName,
          db: target.db,
          ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
          ...(target.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
        }),
      );
    case 'cluster': {
      const { lazyConnect, ...redisOptions } = common;
      return new Cluster(target.nodes, {
        keyPrefix: config.redisKeyPrefix,
        lazyConnect,
        redisOptions,
        // With TLS, connect to the names the operator gave (and the nodes announce), not to
        // resolved addresses, so certificate host names match the names the nodes' certificates carry.
        ...(target.tls ? { dnsLookup: (address: string, callback: (err: null, address: string) => void) => callback(null, address) } : {}),
      });
    }
  }
}

/** A connected client for REDIS_URL. */
export async function openRedis(config: Config, logger: Logger): Promise<RedisClient> {
  const redis = connectRedis(config);
  // Until the health watch follows the connection, errors while connecting (an unreachable
  // sentinel or cluster node, a refused certificate) go to the structured log; without a
  // listener ioredis prints "Unhandled error event" to stderr. The message only: ioredis
  // errors may carry a command's arguments.
  const onConnectError = (error: Error) => logger.warn({ event: 'redis.error', error: error.message }, 'Redis error while connecting');
  redis.on('error', onConnectError);
  try {
    await redis.connect();
  } finally {
    redis.off('error', onConnectError);
  }
  return redis;
}
