/**
 * What the chain says about an address: its asset balances and qualifier tags, read from the
 * node and cached for CHAIN_CACHE_TTL (in Redis under the client's keyPrefix, or in process
 * memory with the in-memory store), so that a token request and the userinfo call right after
 * it ask the node once, and a change on chain shows after at most that long.
 *
 * Only answers are cached: a failure is reported to the caller every time, so the node's
 * return is noticed at once.
 */
import type { RedisClient } from '../store/redis-script.js';
import { MemoryTtlMap } from '../store/memory-ttl-map.js';
import { AssetIndexDisabledError, NodeUnavailableError, RpcError, type EvrmoreRpc } from './rpc.js';
import type { Holdings } from './rules.js';

export interface ReadHoldings extends Holdings {
  /** Epoch seconds when the node answered. */
  readAt: number;
}

export type HoldingsResult =
  | { ok: true; holdings: ReadHoldings }
  | { ok: false; reason: 'unreachable' | 'no_assetindex' | 'node_error'; message: string };

export interface HoldingsCache {
  get(address: string): Promise<ReadHoldings | undefined>;
  set(address: string, holdings: ReadHoldings, ttlSeconds: number): Promise<void>;
}

const KEY = (address: string) => `chain:holdings:${address}`;

/** A JSON string per address with its TTL, written in one SET (the client's keyPrefix applies). */
export function createRedisHoldingsCache(redis: RedisClient): HoldingsCache {
  return {
    async get(address) {
      const text = await redis.get(KEY(address));
      return text ? (JSON.parse(text) as ReadHoldings) : undefined;
    },
    async set(address, holdings, ttlSeconds) {
      await redis.set(KEY(address), JSON.stringify(holdings), 'EX', ttlSeconds);
    },
  };
}

export function createMemoryHoldingsCache(now?: () => number): HoldingsCache {
  const map = new MemoryTtlMap<string, ReadHoldings>(now ? { now } : {});
  return {
    async get(address) {
      return map.get(address);
    },
    async set(address, holdings, ttlSeconds) {
      map.set(address, holdings, ttlSeconds * 1000);
    },
  };
}

export interface HoldingsReaderOptions {
  rpc: EvrmoreRpc;
  cache: HoldingsCache;
  /** 0: every read asks the node. */
  ttlSeconds: number;
}

export class HoldingsReader {
  readonly #options: HoldingsReaderOptions;
  /** Reads under way, so that concurrent requests for one address ask the node once. */
  readonly #inFlight = new Map<string, Promise<HoldingsResult>>();

  constructor(options: HoldingsReaderOptions) {
    this.#options = options;
  }

  /** `fresh`: skip the cache (sign-in reads the chain as it is now) and refresh it. */
  async read(address: string, options: { fresh?: boolean } = {}): Promise<HoldingsResult> {
    const { cache, ttlSeconds } = this.#options;
    if (!options.fresh && ttlSeconds > 0) {
      const cached = await cache.get(address);
      if (cached) return { ok: true, holdings: cached };
    }
    const key = `${options.fresh ? 'fresh' : 'any'}:${address}`;
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = this.#fetch(address).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    return pending;
  }

  async #fetch(address: string): Promise<HoldingsResult> {
    const { rpc, cache, ttlSeconds } = this.#options;
    let holdings: ReadHoldings;
    try {
      const [assets, tags] = await Promise.all([rpc.listAssetBalancesByAddress(address), rpc.listTagsForAddress(address)]);
      holdings = { assets, tags, readAt: Math.floor(Date.now() / 1000) };
    } catch (error) {
      if (error instanceof NodeUnavailableError) return { ok: false, reason: 'unreachable', message: error.message };
      if (error instanceof AssetIndexDisabledError)
        return { ok: false, reason: 'no_assetindex', message: `the Evrmore node at ${rpc.endpoint} ${error.message}` };
      if (error instanceof RpcError) return { ok: false, reason: 'node_error', message: error.message };
      throw error;
    }
    if (ttlSeconds > 0) await cache.set(address, holdings, ttlSeconds);
    return { ok: true, holdings };
  }
}
