/**
 * Challenges in Redis (docs/wallet-protocol.md).
 *
 * Key layout, inside the client's own keyPrefix (never added by hand):
 *   challenge:id:<id>                 HASH   the Challenge's fields (address once known)
 *   challenge:interaction:<uid>       STRING id of the interaction's current challenge
 * Both live for expiresAt - issuedAt + EXPIRED_GRACE_SECONDS. Each command and script touches one
 * key, so the layout needs no hash tags on Redis Cluster.
 *
 * Every state change is one Lua script that reads state, expiry and attempts and writes the new
 * state, so two racing requests can never both redeem a challenge.
 */
import { defineScript, hashOrUndefined, pairsToObject, writeHash, type RedisClient } from '../store/redis-script.js';
import { storedLifetimeSeconds } from './lifetime.js';
import type { Challenge, ChallengeRefusal, ChallengeState, ChallengeStore, ChallengeTransition } from './types.js';

const challengeKey = (id: string) => `challenge:id:${id}`;
const interactionKey = (uid: string) => `challenge:interaction:${uid}`;

// Shared opening of every transition: ARGV[1] is `now`. Terminal states are reported before
// expiry because they stay true forever; 'expired' only says the time ran out.
const PRELUDE = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
local function refuse(reason) return {reason, redis.call('HGETALL', KEYS[1])} end
local function ok() return {'ok', redis.call('HGETALL', KEYS[1])} end
if state == 'redeemed' or state == 'dead' then return refuse(state) end
if tonumber(ARGV[1]) >= tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) then return refuse('expired') end
`;

/** ARGV[2]: the proven address. */
const markSignedScript = defineScript(`${PRELUDE}
if state ~= 'pending' then return refuse(state) end
redis.call('HSET', KEYS[1], 'state', 'signed', 'address', ARGV[2])
return ok()
`);

/** ARGV[2]: the verified address, or '' when continuing from a challenge signed elsewhere. */
const redeemScript = defineScript(`${PRELUDE}
local address = ARGV[2]
if address == '' then
  if state ~= 'signed' then return refuse('not_signed') end
elseif state == 'signed' then
  if redis.call('HGET', KEYS[1], 'address') ~= address then return refuse('address_mismatch') end
else
  redis.call('HSET', KEYS[1], 'address', address)
end
redis.call('HSET', KEYS[1], 'state', 'redeemed')
return ok()
`);

/** ARGV[2]: maxAttempts. */
const recordFailureScript = defineScript(`${PRELUDE}
if state ~= 'pending' then return refuse(state) end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if attempts >= tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], 'state', 'dead') end
return ok()
`);

function toHash(challenge: Challenge): Record<string, string | number> {
  const { address, ...rest } = challenge;
  return address === undefined ? { ...rest } : { ...rest, address };
}

function fromHash(hash: Record<string, string> | undefined): Challenge | undefined {
  if (!hash?.id) return undefined;
  const challenge: Challenge = {
    id: hash.id,
    interactionUid: hash.interactionUid ?? '',
    clientId: hash.clientId ?? '',
    text: hash.text ?? '',
    issuedAt: Number(hash.issuedAt),
    expiresAt: Number(hash.expiresAt),
    attempts: Number(hash.attempts),
    state: hash.state as ChallengeState,
  };
  if (hash.address !== undefined) challenge.address = hash.address;
  return challenge;
}

function toTransition(reply: unknown): ChallengeTransition {
  const [status, fields] = reply as [string, unknown[]?];
  const challenge = fields && fromHash(pairsToObject(fields));
  if (status === 'ok' && challenge) return { ok: true, challenge };
  const reason = status as ChallengeRefusal;
  return challenge ? { ok: false, reason, challenge } : { ok: false, reason };
}

export function createRedisChallengeStore(redis: RedisClient): ChallengeStore {
  const get = async (id: string) => fromHash(hashOrUndefined(await redis.hgetall(challengeKey(id))));

  return {
    async create(challenge) {
      const ttl = storedLifetimeSeconds(challenge);
      // Sent together (one round trip), the challenge before the index: one connection runs
      // them in order, so the index never names a challenge not yet stored. (On a Cluster the
      // keys may live on two nodes; a reader that sees the index first finds no challenge and
      // the page issues another.)
      await Promise.all([
        writeHash(redis, challengeKey(challenge.id), toHash(challenge), ttl),
        redis.set(interactionKey(challenge.interactionUid), challenge.id, 'EX', ttl),
      ]);
    },
    get,
    async findByInteraction(interactionUid, likelyId) {
      const [id, likely] = await Promise.all([redis.get(interactionKey(interactionUid)), likelyId ? get(likelyId) : undefined]);
      const challenge = id === null ? undefined : id === likelyId ? likely : await get(id);
      return challenge?.interactionUid === interactionUid ? challenge : undefined;
    },
    async markSigned(id, address, now) {
      return toTransition(await markSignedScript(redis, [challengeKey(id)], [now, address]));
    },
    async redeem(id, now, address) {
      return toTransition(await redeemScript(redis, [challengeKey(id)], [now, address ?? '']));
    },
    async recordFailure(id, maxAttempts, now) {
      return toTransition(await recordFailureScript(redis, [challengeKey(id)], [now, maxAttempts]));
    },
  };
}
