/**
 * The bare baseline's storage: a Redis adapter in the shape of oidc-provider's own example
 * adapter (example/adapters/redis.js upstream), written for the benchmark and sharing nothing
 * with src/oidc/redis-adapter.ts. Every model is kept under `oidc:<Model>:<id>` with the TTL
 * oidc-provider passes; one-time models (codes, refresh tokens) are hashes with a `payload` and a
 * `consumed` field; tokens of a grant are listed under `oidc:grant:<grantId>` for revocation, a
 * session under `oidc:uid:<uid>` and a device flow under `oidc:userCode:<code>`.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Redis } from 'ioredis';

const GRANT_BOUND = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);
const ONE_TIME = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

/** `redis` must carry `keyPrefix: 'oidc:'`, as upstream's example opens it. */
export function bareRedisAdapter(redis: Redis): new (name: string) => Adapter {
  return class BareRedisAdapter implements Adapter {
    constructor(private readonly name: string) {}

    private key(id: string): string {
      return `${this.name}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const key = this.key(id);
      const multi = redis.multi();
      if (ONE_TIME.has(this.name)) multi.hset(key, { payload: JSON.stringify(payload) });
      else multi.set(key, JSON.stringify(payload));
      if (expiresIn) multi.expire(key, expiresIn);
      if (GRANT_BOUND.has(this.name) && payload.grantId) {
        // The grant's list lives as long as its longest-lived token.
        const grantKey = `grant:${payload.grantId}`;
        multi.rpush(grantKey, key);
        if (expiresIn > (await redis.ttl(grantKey))) multi.expire(grantKey, expiresIn);
      }
      if (payload.userCode) multi.set(`userCode:${payload.userCode}`, id, 'EX', expiresIn);
      if (payload.uid) multi.set(`uid:${payload.uid}`, id, 'EX', expiresIn);
      await multi.exec();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (!ONE_TIME.has(this.name)) {
        const text = await redis.get(this.key(id));
        return text ? (JSON.parse(text) as AdapterPayload) : undefined;
      }
      const { payload, consumed } = await redis.hgetall(this.key(id));
      if (!payload) return undefined;
      return { ...(JSON.parse(payload) as AdapterPayload), ...(consumed ? { consumed: Number(consumed) } : {}) };
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = await redis.get(`uid:${uid}`);
      return id ? this.find(id) : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const id = await redis.get(`userCode:${userCode}`);
      return id ? this.find(id) : undefined;
    }

    async destroy(id: string): Promise<void> {
      await redis.del(this.key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const grantKey = `grant:${grantId}`;
      const keys = await redis.lrange(grantKey, 0, -1);
      await redis.del(...keys, grantKey);
    }

    async consume(id: string): Promise<void> {
      await redis.hset(this.key(id), 'consumed', Math.floor(Date.now() / 1000));
    }
  };
}
