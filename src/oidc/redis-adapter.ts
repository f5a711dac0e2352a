/**
 * oidc-provider adapter on Redis.
 *
 * Key layout, inside the client's own keyPrefix (ioredis adds it, to script KEYS too: nothing here
 * prefixes by hand):
 *
 *   oidc:<Model>:<id>            STRING the payload's JSON (less the jti and kind the key names,
 *                                      store-adapter.ts), preceded once consumed by the epoch
 *                                      seconds of its consumption: `1796558116{"exp":...}`. A
 *                                      consumed refresh token keeps only a few fields
 *                                      (KEPT_WHEN_CONSUMED). TTL = expiresIn (+ clockTolerance);
 *                                      none for models stored without one (a dynamically
 *                                      registered Client). A string, not a hash: a hash holding a
 *                                      value over 64 bytes costs Redis ~130 bytes more per key.
 *                                      Models written as a HASH (payload, consumed, ...) by
 *                                      earlier versions are still read, taken and consumed; the
 *                                      next upsert rewrites them as strings.
 *   oidc:grant-index:<grantId>   ZSET  member = `<Model>:<id>` (the model key without `oidc:`),
 *                                      score = its expiry in epoch ms (+inf when it has none).
 *                                      TTL = the highest score, so the index outlives every member.
 *   oidc:session-uid:<uid>       STRING Session id, for findByUid. TTL = the session's.
 *   oidc:user-code:<userCode>    STRING DeviceCode id, for findByUserCode. TTL = the code's.
 *
 * Every command and script touches exactly ONE key, so no two keys ever need to share a Redis
 * Cluster slot and no hash tags are needed. Keys that belong together necessarily hash apart
 * (a token is found by its own id, its grant index by the grant id), so multi-key work is done
 * key by key in an order that fails safe: the grant index is sent before the model, in the same
 * round trip (one connection runs them in order), so a token is not findable before it is
 * revocable; revocation deletes members one by one, then removes exactly those members from the
 * index, and deletes the Grant, which voids on use any token its index missed.
 *
 * Scripts read Redis's own TIME for the index expiry, so app-server clock skew cannot shorten it
 * (this needs Redis >= 5, where scripts replicate their effects).
 */
import { createStoreAdapterFactory, type StoreAdapterOptions } from './store-adapter.js';
import type { AdapterBackend, ConsumeOutcome, StoredModel } from './adapter-backend.js';
import type { AdapterFactory } from 'oidc-provider';
import { defineScript, hashOrUndefined, type RedisClient } from '../store/redis-script.js';

export type RedisAdapterOptions = StoreAdapterOptions;

/** GET and DEL in one step (GETDEL needs Redis 6.2), for either layout (see above). */
const takeModel = defineScript(`
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'none' then return false end
local value
if kind == 'hash' then
  value = (redis.call('HGET', KEYS[1], 'consumed') or '') .. (redis.call('HGET', KEYS[1], 'payload') or '{}')
else
  value = redis.call('GET', KEYS[1])
end
redis.call('DEL', KEYS[1])
return value
`);

// ARGV: now, then the payload's fields a consumed model keeps (none: all of it). The value's
// first byte decides the race: exactly one caller finds a '{' and writes its time in front.
// The TTL is kept as it is (PTTL + SET PX: SET's KEEPTTL needs Redis 6).
const consumeScript = defineScript(`
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'none' then return {'missing'} end
if kind == 'hash' then
  if redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1]) == 1 then return {'consumed'} end
  return {'already-consumed', redis.call('HGET', KEYS[1], 'consumed') .. (redis.call('HGET', KEYS[1], 'payload') or '{}')}
end
local value = redis.call('GET', KEYS[1])
if string.sub(value, 1, 1) ~= '{' then return {'already-consumed', value} end
if #ARGV > 1 then
  local full = cjson.decode(value)
  local kept = {}
  for i = 2, #ARGV do kept[ARGV[i]] = full[ARGV[i]] end
  value = cjson.encode(kept)
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('SET', KEYS[1], ARGV[1] .. value, 'PX', ttl) else redis.call('SET', KEYS[1], ARGV[1] .. value) end
return {'consumed'}
`);

const deleteIfEquals = defineScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

const addGrantMember = defineScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local score = '+inf'
if ARGV[2] ~= '' then score = now + tonumber(ARGV[2]) * 1000 end
redis.call('ZADD', KEYS[1], score, ARGV[1])
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local last = tonumber(top[2])
if last == math.huge then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIREAT', KEYS[1], last) end
return 1
`);

const removeGrantMembers = defineScript(`
redis.call('ZREM', KEYS[1], unpack(ARGV))
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
return 1
`);

/** Keeps each ZREM well below Lua's limit on unpack() arguments. */
const REMOVE_CHUNK = 500;

/** `<consumed epoch seconds><payload JSON>`: a payload is a JSON object, so it starts with '{'. */
function toValue(model: StoredModel): string {
  return model.consumed === undefined ? model.payload : `${model.consumed}${model.payload}`;
}

function fromValue(value: string): StoredModel {
  if (value.startsWith('{')) return { payload: value };
  const brace = value.indexOf('{');
  return { payload: value.slice(brace), consumed: Number(value.slice(0, brace)) };
}

/** A model written before models were strings (see above). */
function fromHash(hash: Record<string, string> | undefined): StoredModel | undefined {
  if (hash?.payload === undefined) return undefined;
  const model: StoredModel = { payload: hash.payload };
  if (hash.consumed !== undefined) model.consumed = Number(hash.consumed);
  return model;
}

function ttlArg(ttlSeconds: number | undefined): string | number {
  return ttlSeconds === undefined ? '' : ttlSeconds;
}

function redisBackend(redis: RedisClient): AdapterBackend {
  return {
    async writeModel(key, model, ttlSeconds) {
      // SET replaces whatever was there (a hash of the earlier layout included), TTL and all.
      if (ttlSeconds === undefined) await redis.set(key, toValue(model));
      else await redis.set(key, toValue(model), 'EX', ttlSeconds);
    },
    async readModel(key) {
      try {
        const value = await redis.get(key);
        return value === null ? undefined : fromValue(value);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('WRONGTYPE')) throw error;
        return fromHash(hashOrUndefined(await redis.hgetall(key)));
      }
    },
    async takeModel(key) {
      const value = (await takeModel(redis, [key], [])) as string | null;
      return value === null ? undefined : fromValue(value);
    },
    async consume(key, now, keep = []): Promise<ConsumeOutcome> {
      const [status, value] = (await consumeScript(redis, [key], [now, ...keep])) as [string, string?];
      if (status === 'consumed' || status === 'missing') return { status };
      return { status: 'already-consumed', model: fromValue(value!) };
    },
    async setLookup(key, id, ttlSeconds) {
      if (ttlSeconds === undefined) await redis.set(key, id);
      else await redis.set(key, id, 'EX', ttlSeconds);
    },
    async getLookup(key) {
      return (await redis.get(key)) ?? undefined;
    },
    async deleteLookup(key, id) {
      await deleteIfEquals(redis, [key], [id]);
    },
    async addGrantMember(key, member, ttlSeconds) {
      await addGrantMember(redis, [key], [member, ttlArg(ttlSeconds)]);
    },
    async grantMembers(key) {
      return redis.zrange(key, 0, -1);
    },
    async removeGrantMembers(key, members) {
      for (let i = 0; i < members.length; i += REMOVE_CHUNK) {
        await removeGrantMembers(redis, [key], members.slice(i, i + REMOVE_CHUNK));
      }
    },
  };
}

/** The value for oidc-provider's `adapter` option. The client may be a Redis or a Cluster. */
export function createRedisAdapter(redis: RedisClient, options: RedisAdapterOptions = {}): AdapterFactory {
  return createStoreAdapterFactory(redisBackend(redis), options);
}
