/**
 * A Map whose entries expire, for the in-memory development store. Expiry is checked
 * on every read, so an expired entry is never returned; a sweep over all entries runs at most once
 * per `sweepIntervalMs`, piggybacked on writes, so entries that are never read again do not pile
 * up. No timer is involved: nothing keeps the process alive and nothing needs closing.
 */
export interface MemoryTtlMapOptions {
  /** Milliseconds between sweeps of expired entries (default one minute). */
  sweepIntervalMs?: number;
  /** Clock in milliseconds; injectable so tests need not wait. */
  now?: () => number;
}

interface Entry<V> {
  value: V;
  /** Epoch milliseconds; Infinity for an entry that never expires. */
  expiresAt: number;
}

export class MemoryTtlMap<K, V> {
  readonly #entries = new Map<K, Entry<V>>();
  readonly #sweepIntervalMs: number;
  readonly #now: () => number;
  #nextSweepAt: number;

  constructor(options: MemoryTtlMapOptions = {}) {
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#nextSweepAt = this.#now() + this.#sweepIntervalMs;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** `ttlMs` undefined: the entry never expires. */
  set(key: K, value: V, ttlMs?: number): void {
    const now = this.#now();
    this.#maybeSweep(now);
    this.#entries.set(key, { value, expiresAt: ttlMs === undefined ? Infinity : now + ttlMs });
  }

  delete(key: K): boolean {
    const present = this.get(key) !== undefined;
    this.#entries.delete(key);
    return present;
  }

  /** Entries held, counting expired ones that no read or sweep has dropped yet. */
  get size(): number {
    return this.#entries.size;
  }

  sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
    this.#nextSweepAt = now + this.#sweepIntervalMs;
  }

  #maybeSweep(now: number): void {
    if (now >= this.#nextSweepAt) this.sweep();
  }
}
