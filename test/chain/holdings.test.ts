/**
 * The holdings reader and its caches: Redis keys under the client's keyPrefix with the TTL,
 * memory entries that expire, one node request for concurrent readers, a fresh read at
 * sign-in, and failures never cached. Also the account page's store (same two backends).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { createMemoryHoldingsCache, createRedisHoldingsCache, HoldingsReader, type HoldingsCache } from '../../src/chain/holdings.js';
import { EvrmoreRpc } from '../../src/chain/rpc.js';
import { createMemoryAccountStore, createRedisAccountStore, SIGN_IN_HISTORY, type AccountStore } from '../../src/account/store.js';
import { useRedisClients } from '../support/redis-clients.js';
import { KEYS } from '../support/wallet.js';
import { type FakeEvrmoreNode, startFakeNode } from './support/fake-node.js';

const address = KEYS.compressed.address;

describe('holdings reader', () => {
  let node: FakeEvrmoreNode;
  let rpc: EvrmoreRpc;
  const keyPrefix = `test:holdings:${randomUUID()}:`;
  let prefixed: Redis;
  let raw: Redis;

  beforeAll(async () => {
    node = await startFakeNode();
    rpc = new EvrmoreRpc({ url: new URL(node.url), auth: { user: 'evr', password: 'rpc-secret-password-xyz' }, timeoutMs: 1000 });
    prefixed = new Redis(inject('redisUrl'), { keyPrefix });
    raw = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    await Promise.all([prefixed?.quit(), raw?.quit(), node?.stop()]);
  });

  it('caches in Redis under the keyPrefix with the TTL, and reads fresh when asked', async () => {
    node.setAssets(address, { MYORG: 5 });
    node.setTags(address, ['#KYC']);
    const reader = new HoldingsReader({ rpc, cache: createRedisHoldingsCache(prefixed), ttlSeconds: 60 });
    const before = node.callsOf('listassetbalancesbyaddress');
    const first = await reader.read(address);
    expect(first).toMatchObject({ ok: true, holdings: { assets: { MYORG: 5 }, tags: ['#KYC'] } });
    const key = `${keyPrefix}chain:holdings:${address}`;
    const ttl = await raw.ttl(key);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await raw.exists(`chain:holdings:${address}`)).toBe(0);

    node.setAssets(address, { MYORG: 7 });
    expect(await reader.read(address)).toMatchObject({ ok: true, holdings: { assets: { MYORG: 5 } } });
    expect(node.callsOf('listassetbalancesbyaddress')).toBe(before + 1);
    expect(await reader.read(address, { fresh: true })).toMatchObject({ ok: true, holdings: { assets: { MYORG: 7 } } });
    // The fresh answer replaced the cached one.
    expect(await reader.read(address)).toMatchObject({ ok: true, holdings: { assets: { MYORG: 7 } } });
  });

  it('asks the node once for concurrent readers, and never caches a failure', async () => {
    let now = 1_000_000;
    const cache: HoldingsCache = createMemoryHoldingsCache(() => now);
    const reader = new HoldingsReader({ rpc, cache, ttlSeconds: 10 });
    node.setAssets(address, { A: 1 });
    const before = node.callsOf('listassetbalancesbyaddress');
    const results = await Promise.all([reader.read(address), reader.read(address), reader.read(address)]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(node.callsOf('listassetbalancesbyaddress')).toBe(before + 1);

    now += 11_000;
    node.assetIndex = false;
    try {
      expect(await reader.read(address)).toMatchObject({ ok: false, reason: 'no_assetindex' });
    } finally {
      node.assetIndex = true;
    }
    expect(await reader.read(address)).toMatchObject({ ok: true });

    now += 11_000;
    await node.stop();
    try {
      expect(await reader.read(address)).toMatchObject({ ok: false, reason: 'unreachable' });
    } finally {
      await node.start();
    }
    expect(await reader.read(address)).toMatchObject({ ok: true });
  });

  it('with CHAIN_CACHE_TTL 0 asks the node every time', async () => {
    const reader = new HoldingsReader({ rpc, cache: createMemoryHoldingsCache(), ttlSeconds: 0 });
    const before = node.callsOf('listtagsforaddress');
    await reader.read(address);
    await reader.read(address);
    expect(node.callsOf('listtagsforaddress')).toBe(before + 2);
  });
});

function accountStoreContract(name: string, make: () => AccountStore) {
  describe(`account store (${name})`, () => {
    it('indexes grants by address and keeps a capped, newest-first sign-in history', async () => {
      const store = make();
      const who = `E${randomUUID()}`;
      await store.addGrant(who, { grantId: 'g1', clientId: 'rp' }, 3600);
      await store.addGrant(who, { grantId: 'g2', clientId: 'spa' }, 3600);
      expect((await store.grants(who)).sort((a, b) => a.grantId.localeCompare(b.grantId))).toEqual([
        { grantId: 'g1', clientId: 'rp' },
        { grantId: 'g2', clientId: 'spa' },
      ]);
      await store.removeGrant(who, 'g1');
      expect(await store.grants(who)).toEqual([{ grantId: 'g2', clientId: 'spa' }]);
      expect(await store.grants('Enobody')).toEqual([]);

      for (let i = 0; i < SIGN_IN_HISTORY.length + 5; i += 1) await store.addSignIn(who, { at: i, clientId: 'rp', ip: '127.0.0.1' });
      const history = await store.signIns(who);
      expect(history).toHaveLength(SIGN_IN_HISTORY.length);
      expect(history[0]!.at).toBe(SIGN_IN_HISTORY.length + 4);
    });
  });
}

accountStoreContract('memory', () => createMemoryAccountStore());

describe('account store keys in Redis', () => {
  const redis = useRedisClients('account');
  const { keyPrefix } = redis;

  accountStoreContract('redis', () => createRedisAccountStore(redis.prefixed));

  it("keeps a sign-in history in Redis's compact encoding, a record a few dozen bytes", async () => {
    const store = createRedisAccountStore(redis.prefixed);
    const who = `E${randomUUID()}`;
    await store.addSignIn(who, { at: 1796558116, clientId: 'Test RP', ip: '2001:db8::1' });
    expect(await store.signIns(who)).toEqual([{ at: 1796558116, clientId: 'Test RP', ip: '2001:db8::1' }]);
    for (let i = 0; i < SIGN_IN_HISTORY.length; i += 1)
      await store.addSignIn(who, { at: 1796558117 + i, clientId: 'rp', ip: '203.0.113.7' });
    expect(await redis.raw.type(`${keyPrefix}account:signins:${who}`)).toBe('zset');
    expect(await redis.raw.object('ENCODING', `${keyPrefix}account:signins:${who}`)).toMatch(/^(listpack|ziplist)$/);
    expect(await redis.raw.zcard(`${keyPrefix}account:signins:${who}`)).toBe(SIGN_IN_HISTORY.length);
  });

  it('reads a sign-in history an earlier version wrote as a list, and converts it on the next sign-in', async () => {
    const store = createRedisAccountStore(redis.prefixed);
    const who = `E${randomUUID()}`;
    const older = [
      { at: 100, clientId: 'rp', ip: '127.0.0.1' },
      { at: 200, clientId: 'spa app', ip: '::1' },
    ];
    for (const record of older) await redis.raw.lpush(`${keyPrefix}account:signins:${who}`, JSON.stringify(record));
    expect(await store.signIns(who)).toEqual([older[1], older[0]]);
    await store.addSignIn(who, { at: 300, clientId: 'rp', ip: '127.0.0.1' });
    expect(await store.signIns(who)).toEqual([{ at: 300, clientId: 'rp', ip: '127.0.0.1' }, older[1], older[0]]);
    expect(await redis.raw.ttl(`${keyPrefix}account:signins:${who}`)).toBeGreaterThan(SIGN_IN_HISTORY.ttlSeconds - 100);
  });

  it('writes under the keyPrefix, each key with a TTL', async () => {
    const store = createRedisAccountStore(redis.prefixed);
    await store.addGrant('Eaddr', { grantId: 'g', clientId: 'rp' }, 3600);
    await store.addSignIn('Eaddr', { at: 1, clientId: 'rp', ip: '::1' });
    const grantsTtl = await redis.raw.ttl(`${keyPrefix}account:grants:Eaddr`);
    expect(grantsTtl).toBeGreaterThan(3500);
    expect(await redis.raw.ttl(`${keyPrefix}account:signins:Eaddr`)).toBeGreaterThan(SIGN_IN_HISTORY.ttlSeconds - 100);
    // A shorter-lived grant never shortens the index.
    await store.addGrant('Eaddr', { grantId: 'h', clientId: 'rp' }, 60);
    expect(await redis.raw.ttl(`${keyPrefix}account:grants:Eaddr`)).toBeGreaterThan(3500);
    // A longer-lived one raises it.
    await store.addGrant('Eaddr', { grantId: 'i', clientId: 'rp' }, 7200);
    expect(await redis.raw.ttl(`${keyPrefix}account:grants:Eaddr`)).toBeGreaterThan(7100);
  });
});
