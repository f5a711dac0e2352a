import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

export type RedisScript = (redis: RedisClient, keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

/**
 * A Lua script run with EVALSHA, falling back to EVAL once when the server does not have it cached
 * (after a restart or on a fresh cluster node).
 *
 * Keys go through ioredis as real script KEYS (numkeys), so ioredis adds the client's `keyPrefix`
 * to them. Never prefix them by hand as well: the script would then act on a key that does not
 * exist, and a "consume" would silently do nothing.
 *
 * A plain function instead of `defineCommand`, so that two modules sharing one client cannot
 * clash over command names and no declaration merging on ioredis's types is needed.
 */
export function defineScript(lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (redis, keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
}

/** Replaces a whole hash and sets its TTL in one step, so it never exists without its TTL. */
export const replaceHash = defineScript(`
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
if ARGV[1] ~= '' then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 1
`);

/** `ttlSeconds` undefined: the hash never expires. `fields` must not be empty. */
export async function writeHash(
  redis: RedisClient,
  key: string,
  fields: Record<string, string | number>,
  ttlSeconds: number | undefined,
): Promise<void> {
  await replaceHash(redis, [key], [ttlSeconds === undefined ? '' : ttlSeconds, ...Object.entries(fields).flat()]);
}

/** ioredis returns HGETALL as an object; a missing key is an empty one. */
export function hashOrUndefined(hash: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(hash).length === 0 ? undefined : hash;
}

/** A flat [field, value, ...] array (HGETALL inside a Lua script) as an object. */
export function pairsToObject(flat: readonly unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}
