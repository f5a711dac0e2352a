/**
 * Growth, for sizing Redis: what a sign-in leaves in Redis (a census of keys by kind, with
 * their size and lifetime), the memory of one active session, grant and live refresh token
 * (models copied from a real sign-in and stored through the product's own adapter), and stored
 * users seeded the same way before measuring a sign-in's latency with 10 000 and 100 000
 * sessions already in Redis.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { AdapterFactory, AdapterPayload } from 'oidc-provider';
import { createRedisAdapter } from '../src/oidc/redis-adapter.js';
import { usedMemory, type ServerUnderTest } from './servers.js';
import { round } from './stats.js';

export interface KeyKind {
  kind: string;
  keys: number;
  perFlow: number;
  /** Mean of MEMORY USAGE over a sample of keys, bytes. */
  bytesEach: number;
  /** Mean remaining TTL of the sample, seconds (-1: no expiry). */
  ttlSeconds: number;
}

export interface ModelMemory {
  /** used_memory growth per stored item, bytes. */
  session: number;
  grant: number;
  refreshToken: number;
  accessToken: number;
  /** An active user: a session, its grant and one live refresh token. */
  user: number;
  seededEach: number;
}

const id = (bytes: number) => randomBytes(bytes).toString('base64url');

function kindOf(key: string, prefix: string): string {
  const parts = key.slice(prefix.length).split(':');
  return parts.slice(0, 2).join(':');
}

async function scanKeys(redis: Redis, match: string, each: (keys: string[]) => Promise<void> | void): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await each(keys);
  } while (cursor !== '0');
}

/** Every key under the server's prefix, by kind, with sampled size and TTL. */
export async function keyCensus(server: ServerUnderTest, flows: number): Promise<KeyKind[]> {
  const redis = server.monitor;
  const groups = new Map<string, { keys: number; sample: string[] }>();
  await scanKeys(redis, `${server.keyPrefix}*`, (keys) => {
    for (const key of keys) {
      const kind = kindOf(key, server.keyPrefix);
      const group = groups.get(kind) ?? { keys: 0, sample: [] };
      group.keys += 1;
      if (group.sample.length < 40) group.sample.push(key);
      groups.set(kind, group);
    }
  });
  const out: KeyKind[] = [];
  for (const [kind, group] of groups) {
    let bytes = 0;
    let ttl = 0;
    for (const key of group.sample) {
      bytes += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) || 0;
      ttl += await redis.ttl(key);
    }
    out.push({
      kind,
      keys: group.keys,
      perFlow: round(group.keys / Math.max(1, flows), 2),
      bytesEach: Math.round(bytes / group.sample.length),
      ttlSeconds: Math.round(ttl / group.sample.length),
    });
  }
  return out.sort((a, b) => b.keys - a.keys);
}

export async function countKeys(redis: Redis, match: string): Promise<number> {
  let count = 0;
  await scanKeys(redis, match, (keys) => {
    count += keys.length;
  });
  return count;
}

interface Templates {
  session: AdapterPayload;
  grant: AdapterPayload;
  refreshToken: AdapterPayload;
  accessToken: AdapterPayload;
}

/** Where the memory measurement stores its copies: apart from the product's keys, removed after. */
const SCRATCH_PREFIX = 'bench-memory:';

export class Seeder {
  private readonly client: Redis;
  private readonly scratchClient: Redis;
  private readonly adapter: AdapterFactory;
  private readonly scratch: AdapterFactory;
  private templates?: Templates;

  constructor(private readonly server: ServerUnderTest) {
    this.client = new Redis({ host: '127.0.0.1', port: server.redis.port, keyPrefix: server.keyPrefix, lazyConnect: true });
    this.scratchClient = new Redis({ host: '127.0.0.1', port: server.redis.port, keyPrefix: SCRATCH_PREFIX, lazyConnect: true });
    this.adapter = createRedisAdapter(this.client);
    this.scratch = createRedisAdapter(this.scratchClient);
  }

  async connect(): Promise<void> {
    await Promise.all([this.client.connect(), this.scratchClient.connect()]);
  }

  /** A live model of each kind from a real sign-in, read through the adapter. */
  private async template(model: string, usable: (p: AdapterPayload) => boolean): Promise<AdapterPayload> {
    const adapter = this.adapter(model);
    let found: AdapterPayload | undefined;
    const prefix = `${this.server.keyPrefix}oidc:${model}:`;
    let cursor = '0';
    do {
      const [next, keys] = await this.server.monitor.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const payload = await adapter.find(key.slice(prefix.length));
        if (payload && usable(payload)) {
          found = payload;
          break;
        }
      }
    } while (!found && cursor !== '0');
    if (!found) throw new Error(`no live ${model} in Redis to copy: run a sign-in first`);
    return found;
  }

  async loadTemplates(): Promise<void> {
    this.templates = {
      session: await this.template('Session', (p) => Boolean(p.accountId)),
      grant: await this.template('Grant', () => true),
      refreshToken: await this.template('RefreshToken', (p) => !p.consumed),
      accessToken: await this.template('AccessToken', () => true),
    };
  }

  private expiresIn(payload: AdapterPayload): number {
    return Math.max(60, Number(payload.exp) - Math.floor(Date.now() / 1000));
  }

  /** One stored item of `what`, as the provider would store it (fresh ids, same shape and size). */
  private async seedOne(what: 'session' | 'grant' | 'refreshToken' | 'accessToken' | 'user', adapter: AdapterFactory): Promise<void> {
    const put = (model: string, jti: string, payload: AdapterPayload) => adapter(model).upsert(jti, payload, this.expiresIn(payload));
    const t = this.templates!;
    const grantId = id(32);
    const uid = id(16);
    const session = async () => {
      const jti = id(32);
      const authorizations = Object.fromEntries(
        Object.entries((t.session.authorizations ?? {}) as Record<string, Record<string, unknown>>).map(([client, auth]) => [
          client,
          { ...auth, grantId, sid: id(16) },
        ]),
      );
      await put('Session', jti, { ...t.session, jti, uid, authorizations });
    };
    const grant = async () => put('Grant', grantId, { ...t.grant, jti: grantId });
    const token = async (model: 'RefreshToken' | 'AccessToken', template: AdapterPayload) => {
      const jti = id(32);
      const { consumed: _consumed, ...rest } = template;
      await put(model, jti, { ...rest, jti, grantId, sessionUid: uid, sid: id(16) });
    };
    if (what === 'session') return session();
    if (what === 'grant') return grant();
    if (what === 'refreshToken') return token('RefreshToken', t.refreshToken);
    if (what === 'accessToken') return token('AccessToken', t.accessToken);
    await session();
    await grant();
    await token('RefreshToken', t.refreshToken);
  }

  /**
   * Stores `count` items among the product's keys, `inFlight` at a time; stops early past
   * `deadline` (epoch ms).
   */
  async seed(
    what: Parameters<Seeder['seedOne']>[0],
    count: number,
    deadline = Infinity,
    adapter = this.adapter,
    inFlight = 256,
  ): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < count && Date.now() < deadline) {
        next += 1;
        await this.seedOne(what, adapter);
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  }

  /**
   * used_memory growth per item of each kind, from `count` items each, stored under a scratch
   * prefix (so the product's own store keeps its size) and deleted afterwards.
   */
  async modelMemory(count: number): Promise<ModelMemory> {
    const per = async (what: Parameters<Seeder['seedOne']>[0]) => {
      const before = await usedMemory(this.server.monitor);
      await this.seed(what, count, Infinity, this.scratch);
      return Math.round(((await usedMemory(this.server.monitor)) - before) / count);
    };
    const session = await per('session');
    const grant = await per('grant');
    const refreshToken = await per('refreshToken');
    const accessToken = await per('accessToken');
    const user = await per('user');
    await scanKeys(this.server.monitor, `${SCRATCH_PREFIX}*`, async (keys) => {
      await this.server.monitor.unlink(...keys);
    });
    return { session, grant, refreshToken, accessToken, user, seededEach: count };
  }

  async close(): Promise<void> {
    await Promise.all([this.client, this.scratchClient].map((c) => c.quit().catch(() => c.disconnect())));
  }
}

/**
 * Keys that outlive the sign-in: anything stored for longer than a day (sessions, grants,
 * refresh tokens, the account page's index) or for ever. Codes (60 s), challenges (minutes),
 * interactions and access tokens (an hour) and rate-limit counters are gone by then.
 */
export const SHORT_LIVED_SECONDS = 86_400;

export interface RetainedKind {
  kind: string;
  keysPerSignIn: number;
  /** MEMORY USAGE of the kind's kept keys, per sign-in. */
  bytesPerSignIn: number;
}

export interface Retention {
  /** Sign-ins measured, each by a person (wallet) and a browser never seen before. */
  signIns: number;
  /** Redis bytes kept per sign-in once its short-lived keys expire (MEMORY USAGE of every kept key). */
  bytesPerSignIn: number;
  kinds: RetainedKind[];
  /** The server's log written during those sign-ins, per sign-in. */
  log: { linesPerSignIn: number; bytesPerSignIn: number };
}

async function allKeys(redis: Redis, prefix: string): Promise<Set<string>> {
  const keys = new Set<string>();
  await scanKeys(redis, `${prefix}*`, (batch) => {
    for (const key of batch) keys.add(key);
  });
  return keys;
}

function logSize(file: string): { lines: number; bytes: number } {
  const text = readFileSync(file, 'utf8');
  return { lines: text.split('\n').filter(Boolean).length, bytes: Buffer.byteLength(text) };
}

/**
 * What `signIn` (complete sign-ins by new people, refresh included; it returns how many
 * completed) leaves in the product's Redis for good, by kind: the keys it created whose TTL is
 * beyond SHORT_LIVED_SECONDS, each weighed with MEMORY USAGE (a key's name, value and
 * overhead; exact, not sampled). And the log lines it wrote.
 */
export async function measureRetention(server: ServerUnderTest, signIn: () => Promise<number>): Promise<Retention> {
  const redis = server.monitor;
  const before = await allKeys(redis, server.keyPrefix);
  // The logger flushes at least every second: wait for what earlier phases left buffered.
  await new Promise((r) => setTimeout(r, 1_500));
  const logBefore = logSize(server.logFile);
  const signIns = Math.max(1, await signIn());
  await new Promise((r) => setTimeout(r, 1_500));
  const logAfter = logSize(server.logFile);
  const groups = new Map<string, { keys: number; bytes: number }>();
  for (const key of await allKeys(redis, server.keyPrefix)) {
    if (before.has(key)) continue;
    const ttl = await redis.ttl(key);
    if (ttl !== -1 && ttl <= SHORT_LIVED_SECONDS) continue;
    const kind = kindOf(key, server.keyPrefix);
    const group = groups.get(kind) ?? { keys: 0, bytes: 0 };
    group.keys += 1;
    group.bytes += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) || 0;
    groups.set(kind, group);
  }
  const kinds = [...groups]
    .map(([kind, g]) => ({ kind, keysPerSignIn: round(g.keys / signIns, 2), bytesPerSignIn: Math.round(g.bytes / signIns) }))
    .sort((a, b) => b.bytesPerSignIn - a.bytesPerSignIn);
  const total = [...groups.values()].reduce((sum, g) => sum + g.bytes, 0);
  return {
    signIns,
    bytesPerSignIn: Math.round(total / signIns),
    kinds,
    log: {
      linesPerSignIn: round((logAfter.lines - logBefore.lines) / signIns, 2),
      bytesPerSignIn: Math.round((logAfter.bytes - logBefore.bytes) / signIns),
    },
  };
}
