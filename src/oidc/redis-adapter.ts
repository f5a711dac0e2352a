/**
 * oidc-provider adapter on Redis.
 *
 * Key layout, inside the client's own keyPrefix (ioredis adds it, to script KEYS too: nothing here
 * prefixes by hand):
 *
 *   oidc:<Model>:<id>            HASH  payload (JSON, verbatim), consumed (epoch s, once consumed),
 *                                      grantId / uid / userCode (copied out of the payload so that
 *                                      scripts and deletes can see them without parsing JSON).
 *                                      TTL = expiresIn (+ clockTolerance); none for models stored
 *                                      without one (a dynamically registered Client).
 *   oidc:grant-index:<grantId>   ZSET  member = model key (unprefixed, as above), score = its
 *                                      expiry in epoch ms (+inf when it has none). TTL = the
 *                                      highest score, so the index outlives every member.
 *   oidc:session-uid:<uid>       STRING Session id, for findByUid. TTL = the session's.
 *   oidc:user-code:<userCode>    STRING DeviceCode id, for findByUserCode. TTL = the code's.
 *
 * Every command and script touches exactly ONE key, so no two keys ever need to share a Redis
 * Cluster slot and no hash tags are needed. Keys that belong together necessarily hash apart
 * (a token is found by its own id, its grant index by the grant id), so multi-key work is done
 * key by key in an order that fails safe: the grant index is written before the model, so a token
 * is never findable without being revocable; revocation deletes members one by one, then removes
 * exactly those members from the index.
 *
 * Scripts read Redis's own TIME for the index expiry, so app-server clock skew cannot shorten it
 * (this needs Redis >= 5, where scripts replicate their effects).
 */
import {
  createStoreAdapterFactory,
  type AdapterBackend,
  type ConsumeOutcome,
  type StoredModel,
  type StoreAdapterOptions,
} from './store-adapter.js';
import type { AdapterFactory } from 'oidc-provider';
import { defineScript, hashOrUndefined, pairsToObject, writeHash, type RedisClient } from '../store/redis-script.js';

export type RedisAdapterOptions = StoreAdapterOptions;

const takeHash = defineScript(`
local fields = redis.call('HGETALL', KEYS[1])
if #fields > 0 then redis.call('DEL', KEYS[1]) end
return fields
`);

// HSETNX decides the race: exactly one caller sees 1. EXISTS first, because HSETNX on a missing
// key would create a hash without a TTL.
const consumeScript = defineScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
if redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1]) == 1 then return {'consumed'} end
return {'already-consumed', redis.call('HGET', KEYS[1], 'grantId') or '', redis.call('HGET', KEYS[1], 'consumed')}
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

function toHash(model: StoredModel): Record<string, string | number> {
  const hash: Record<string, string | number> = { payload: model.payload };
  if (model.consumed !== undefined) hash.consumed = model.consumed;
  if (model.grantId !== undefined) hash.grantId = model.grantId;
  if (model.uid !== undefined) hash.uid = model.uid;
  if (model.userCode !== undefined) hash.userCode = model.userCode;
  return hash;
}

function fromHash(hash: Record<string, string> | undefined): StoredModel | undefined {
  if (hash?.payload === undefined) return undefined;
  const model: StoredModel = { payload: hash.payload };
  if (hash.consumed !== undefined) model.consumed = Number(hash.consumed);
  if (hash.grantId !== undefined) model.grantId = hash.grantId;
  if (hash.uid !== undefined) model.uid = hash.uid;
  if (hash.userCode !== undefined) model.userCode = hash.userCode;
  return model;
}

function ttlArg(ttlSeconds: number | undefined): string | number {
  return ttlSeconds === undefined ? '' : ttlSeconds;
}

function redisBackend(redis: RedisClient): AdapterBackend {
  return {
    async writeModel(key, model, ttlSeconds) {
      await writeHash(redis, key, toHash(model), ttlSeconds);
    },
    async readModel(key) {
      return fromHash(hashOrUndefined(await redis.hgetall(key)));
    },
    async takeModel(key) {
      return fromHash(pairsToObject((await takeHash(redis, [key], [])) as unknown[]));
    },
    async consume(key, now): Promise<ConsumeOutcome> {
      const [status, grantId, consumedAt] = (await consumeScript(redis, [key], [now])) as [string, string?, string?];
      if (status === 'consumed' || status === 'missing') return { status };
      return { status: 'already-consumed', grantId: grantId ? grantId : undefined, consumedAt: Number(consumedAt) };
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
