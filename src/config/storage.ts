/**
 * Storage: the Redis that holds sessions, challenges and limits (REDIS_URL, in any of its
 * topologies), and the prefix of its keys. Without REDIS_URL the product keeps everything in
 * memory, which only development may do.
 */
import { parseRedisUrl, type RedisTarget } from './redis-url.js';
import type { EnvReader } from './readers.js';

export interface StorageSettings {
  /** REDIS_URL parsed: one server, Sentinel or Cluster. Absent: the in-memory store (development only). */
  redis?: RedisTarget;
  redisKeyPrefix: string;
}

export function readStorage(read: EnvReader, production: boolean): StorageSettings {
  const { problems } = read;
  const url = read.text('REDIS_URL');
  if (production && !url)
    problems.push(
      'REDIS_URL is required in production: the in-memory store loses every session on restart and cannot be shared between instances',
    );
  let redis: RedisTarget | undefined;
  const sentinelPassword = read.text('REDIS_SENTINEL_PASSWORD');
  if (url) {
    const parsed = parseRedisUrl(url, sentinelPassword);
    problems.push(...parsed.problems);
    redis = parsed.target;
  } else if (sentinelPassword) {
    problems.push('REDIS_SENTINEL_PASSWORD is set but REDIS_URL is not: set REDIS_URL=redis+sentinel://…');
  }
  return { ...(redis ? { redis } : {}), redisKeyPrefix: read.text('REDIS_KEY_PREFIX') ?? 'evr:' };
}
