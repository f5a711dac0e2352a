/**
 * What the account page lists for an address, kept by address because oidc-provider finds
 * grants only by id: the grants saved for it ({grantId -> clientId}, written on the provider's
 * `grant.saved` event) and its last sign-ins (time, application, IP; written on
 * `authorization.success`). In Redis under the client's keyPrefix with a TTL, or in memory.
 *
 * The grant index may hold ids of grants that expired or were revoked elsewhere: readers look
 * each one up and drop what is gone.
 */
import { defineScript, type RedisClient } from '../store/redis-script.js';
import { MemoryTtlMap } from '../store/memory-ttl-map.js';

export interface GrantRef {
  grantId: string;
  clientId: string;
}

export interface SignInRecord {
  /** Epoch seconds. */
  at: number;
  clientId: string;
  ip: string;
}

/** How many sign-ins the page shows, and how long they are kept (personal data: not for ever). */
export const SIGN_IN_HISTORY = { length: 20, ttlSeconds: 90 * 86400 };

export interface AccountStore {
  /** `ttlSeconds`: the grant's lifetime; the index lives as long as its newest grant. */
  addGrant(address: string, ref: GrantRef, ttlSeconds: number): Promise<void>;
  grants(address: string): Promise<GrantRef[]>;
  removeGrant(address: string, grantId: string): Promise<void>;
  addSignIn(address: string, record: SignInRecord): Promise<void>;
  /** Newest first. */
  signIns(address: string): Promise<SignInRecord[]>;
}

const GRANTS = (address: string) => `account:grants:${address}`;
const SIGN_INS = (address: string) => `account:signins:${address}`;

/**
 * ARGV: grantId, clientId, ttlSeconds. The index lives as long as its longest-lived grant: its
 * TTL is raised, never shortened. One round trip on one key (fine on a Cluster).
 */
const addGrantScript = defineScript(`
local ttl = redis.call('TTL', KEYS[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ttl < tonumber(ARGV[3]) then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return 1
`);

/**
 * Sign-ins are a sorted set by time of `<at> <clientId> <ip>` members: for a few records Redis
 * keeps it in its compact encoding, about half the memory of a list (docs/deploying.md, "Sizing
 * Redis"). Two sign-ins to one application from one IP in the same second are one record.
 * ARGV: at, the member, how many to keep, ttlSeconds. A list of JSON records written by an
 * earlier version is converted first.
 */
const addSignInScript = defineScript(`
if redis.call('TYPE', KEYS[1]).ok == 'list' then
  local old = redis.call('LRANGE', KEYS[1], 0, -1)
  redis.call('DEL', KEYS[1])
  for _, item in ipairs(old) do
    local ok, r = pcall(cjson.decode, item)
    if ok and type(r) == 'table' and type(r.at) == 'number' then
      redis.call('ZADD', KEYS[1], r.at, string.format('%d', r.at) .. ' ' .. tostring(r.clientId) .. ' ' .. tostring(r.ip))
    end
  end
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[3]) - 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
`);

function signInMember(record: SignInRecord): string {
  return `${record.at} ${record.clientId} ${record.ip}`;
}

/** `<at> <clientId> <ip>`: an IP has no space, a client id might. */
function signInOfMember(member: string): SignInRecord {
  const first = member.indexOf(' ');
  const last = member.lastIndexOf(' ');
  return { at: Number(member.slice(0, first)), clientId: member.slice(first + 1, last), ip: member.slice(last + 1) };
}

export function createRedisAccountStore(redis: RedisClient): AccountStore {
  return {
    async addGrant(address, ref, ttlSeconds) {
      await addGrantScript(redis, [GRANTS(address)], [ref.grantId, ref.clientId, ttlSeconds]);
    },
    async grants(address) {
      const hash = await redis.hgetall(GRANTS(address));
      return Object.entries(hash).map(([grantId, clientId]) => ({ grantId, clientId }));
    },
    async removeGrant(address, grantId) {
      await redis.hdel(GRANTS(address), grantId);
    },
    async addSignIn(address, record) {
      await addSignInScript(
        redis,
        [SIGN_INS(address)],
        [record.at, signInMember(record), SIGN_IN_HISTORY.length, SIGN_IN_HISTORY.ttlSeconds],
      );
    },
    async signIns(address) {
      try {
        return (await redis.zrevrange(SIGN_INS(address), 0, SIGN_IN_HISTORY.length - 1)).map(signInOfMember);
      } catch (error) {
        // A list written by an earlier version, until the next sign-in converts it.
        if (!(error instanceof Error) || !error.message.startsWith('WRONGTYPE')) throw error;
        const items = await redis.lrange(SIGN_INS(address), 0, SIGN_IN_HISTORY.length - 1);
        return items.map((item) => JSON.parse(item) as SignInRecord);
      }
    },
  };
}

export function createMemoryAccountStore(now: () => number = Date.now): AccountStore {
  const grants = new MemoryTtlMap<string, { refs: Map<string, string>; expiresAt: number }>({ now });
  const signIns = new MemoryTtlMap<string, SignInRecord[]>({ now });
  return {
    async addGrant(address, ref, ttlSeconds) {
      const entry = grants.get(address) ?? { refs: new Map<string, string>(), expiresAt: 0 };
      entry.refs.set(ref.grantId, ref.clientId);
      entry.expiresAt = Math.max(entry.expiresAt, now() + ttlSeconds * 1000);
      grants.set(address, entry, entry.expiresAt - now());
    },
    async grants(address) {
      return [...(grants.get(address)?.refs ?? [])].map(([grantId, clientId]) => ({ grantId, clientId }));
    },
    async removeGrant(address, grantId) {
      grants.get(address)?.refs.delete(grantId);
    },
    async addSignIn(address, record) {
      const list = [record, ...(signIns.get(address) ?? [])].slice(0, SIGN_IN_HISTORY.length);
      signIns.set(address, list, SIGN_IN_HISTORY.ttlSeconds * 1000);
    },
    async signIns(address) {
      return [...(signIns.get(address) ?? [])];
    },
  };
}
