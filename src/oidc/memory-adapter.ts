/**
 * oidc-provider adapter in process memory: the development default when no REDIS_URL is set.
 * Same contract and key names as the Redis adapter (store-adapter.ts); state is lost
 * on restart and not shared between processes. Each backend operation runs without an await
 * inside it, which is what makes it atomic here.
 */
import { MemoryTtlMap } from '../store/memory-ttl-map.js';
import { createStoreAdapterFactory, type StoreAdapterOptions } from './store-adapter.js';
import { keptFields, type AdapterBackend, type StoredModel } from './adapter-backend.js';
import type { AdapterFactory } from 'oidc-provider';

export type MemoryAdapterOptions = StoreAdapterOptions;

function ms(ttlSeconds: number | undefined): number | undefined {
  return ttlSeconds === undefined ? undefined : ttlSeconds * 1000;
}

function memoryBackend(): AdapterBackend {
  // Copies in and out, so no caller can change what is stored by mutating what it passed or got.
  const models = new MemoryTtlMap<string, StoredModel>();
  const lookups = new MemoryTtlMap<string, string>();
  /** member key -> its expiry in epoch ms (Infinity: none). */
  const grants = new MemoryTtlMap<string, Map<string, number>>();

  return {
    async writeModel(key, model, ttlSeconds) {
      models.set(key, { ...model }, ms(ttlSeconds));
    },
    async readModel(key) {
      const model = models.get(key);
      return model && { ...model };
    },
    async takeModel(key) {
      const model = models.get(key);
      models.delete(key);
      return model;
    },
    async consume(key, now, keep) {
      const model = models.get(key);
      if (!model) return { status: 'missing' };
      if (model.consumed !== undefined) return { status: 'already-consumed', model: { ...model } };
      model.consumed = now;
      if (keep) model.payload = keptFields(model.payload, keep);
      return { status: 'consumed' };
    },
    async setLookup(key, id, ttlSeconds) {
      lookups.set(key, id, ms(ttlSeconds));
    },
    async getLookup(key) {
      return lookups.get(key);
    },
    async deleteLookup(key, id) {
      if (lookups.get(key) === id) lookups.delete(key);
    },
    async addGrantMember(key, member, ttlSeconds) {
      const now = Date.now();
      const members = grants.get(key) ?? new Map<string, number>();
      for (const [existing, expiresAt] of members) {
        if (expiresAt <= now) members.delete(existing);
      }
      members.set(member, ttlSeconds === undefined ? Infinity : now + ttlSeconds * 1000);
      let last = 0;
      for (const expiresAt of members.values()) last = Math.max(last, expiresAt);
      grants.set(key, members, Number.isFinite(last) ? last - now : undefined);
    },
    async grantMembers(key) {
      return [...(grants.get(key)?.keys() ?? [])];
    },
    async removeGrantMembers(key, members) {
      const index = grants.get(key);
      if (!index) return;
      for (const member of members) index.delete(member);
      if (index.size === 0) grants.delete(key);
    },
  };
}

/** The value for oidc-provider's `adapter` option; each call makes a separate, empty store. */
export function createMemoryAdapter(options: MemoryAdapterOptions = {}): AdapterFactory {
  return createStoreAdapterFactory(memoryBackend(), options);
}
