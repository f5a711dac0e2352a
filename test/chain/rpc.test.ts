/**
 * The JSON-RPC client against a node that speaks Evrmore Core's shapes: results, the node's
 * error objects (invalid address -5, -8, unknown method), the no-assetindex sentence, cookie and
 * password authentication, timeouts and a node that is not there — and no password in any
 * message.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssetIndexDisabledError, EvrmoreRpc, NodeUnavailableError, RpcError } from '../../src/chain/rpc.js';
import { freePort } from '../support/redis-server.js';
import { KEYS } from '../support/wallet.js';
import { type FakeEvrmoreNode, startFakeNode } from './support/fake-node.js';

const PASSWORD = 'rpc-secret-password-xyz';
const address = KEYS.compressed.address;

describe('Evrmore JSON-RPC client', () => {
  let node: FakeEvrmoreNode;
  let rpc: EvrmoreRpc;

  beforeAll(async () => {
    node = await startFakeNode({ user: 'evr', password: PASSWORD });
    rpc = new EvrmoreRpc({ url: new URL(node.url), auth: { user: 'evr', password: PASSWORD }, timeoutMs: 2000 });
  });
  afterAll(async () => node?.stop());

  it('reads balances as the JSON numbers Core prints (with the asset units) and tags', async () => {
    node.setAssets(address, { MYORG: 250, 'MYORG/ADMIN': 1, FRACTIONAL: 0.5 });
    node.setUnits('MYORG/ADMIN', 0);
    node.setTags(address, ['#KYC']);
    expect(await rpc.listAssetBalancesByAddress(address)).toEqual({ MYORG: 250, 'MYORG/ADMIN': 1, FRACTIONAL: 0.5 });
    expect(await rpc.listTagsForAddress(address)).toEqual(['#KYC']);
    const info = await rpc.getBlockchainInfo();
    expect(info.chain).toBe('main');
    expect(node.calls.at(-1)).toEqual({ method: 'getblockchaininfo', params: [] });
  });

  it('sends the request as Core expects: POST, Basic auth, JSON-RPC 1.0 with positional params', async () => {
    const seen: Array<{ init: RequestInit; url: string }> = [];
    const spy = new EvrmoreRpc({
      url: new URL(node.url),
      auth: { user: 'evr', password: PASSWORD },
      timeoutMs: 2000,
      fetch: (async (url: string | URL, init?: RequestInit) => {
        seen.push({ url: String(url), init: init! });
        return fetch(url, init);
      }) as typeof fetch,
    });
    await spy.listTagsForAddress(address);
    expect(seen[0]!.init.method).toBe('POST');
    expect(new Headers(seen[0]!.init.headers).get('authorization')).toBe(`Basic ${Buffer.from(`evr:${PASSWORD}`).toString('base64')}`);
    expect(JSON.parse(String(seen[0]!.init.body))).toMatchObject({ jsonrpc: '1.0', method: 'listtagsforaddress', params: [address] });
  });

  it("turns the node's error objects into RpcError with Core's codes and messages", async () => {
    await expect(rpc.listAssetBalancesByAddress('not-an-address')).rejects.toMatchObject({
      name: 'RpcError',
      code: -5,
      message: expect.stringContaining('Invalid Evrmore address: not-an-address'),
    });
    // A testnet address on a mainnet node is invalid there too.
    await expect(rpc.listAssetBalancesByAddress(KEYS.testnet.address)).rejects.toBeInstanceOf(RpcError);
    await expect(rpc.listTagsForAddress('nope')).rejects.toMatchObject({
      code: -8,
      message: expect.stringContaining('Not valid EVR address: nope'),
    });
    await expect(rpc.call('getassetdata', ['X'])).rejects.toMatchObject({
      code: -32601,
      message: expect.stringContaining('Method not found'),
    });
  });

  it('recognises the no-assetindex sentence that Core returns as a result, not as an error', async () => {
    node.assetIndex = false;
    try {
      const error = await rpc.listAssetBalancesByAddress(address).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AssetIndexDisabledError);
      expect((error as Error).message).toMatch(/-assetindex/);
    } finally {
      node.assetIndex = true;
    }
  });

  it('reports a node still loading as unavailable (RPC_IN_WARMUP)', async () => {
    node.warmup = true;
    try {
      await expect(rpc.getBlockchainInfo()).rejects.toMatchObject({ name: 'NodeUnavailableError', reason: 'warmup' });
    } finally {
      node.warmup = false;
    }
  });

  it('reports refused credentials without ever showing the password', async () => {
    const wrong = new EvrmoreRpc({ url: new URL(node.url), auth: { user: 'evr', password: 'wrong-password-123' }, timeoutMs: 2000 });
    const error = (await wrong.getBlockchainInfo().catch((e: unknown) => e)) as NodeUnavailableError;
    expect(error).toBeInstanceOf(NodeUnavailableError);
    expect(error.reason).toBe('unauthorized');
    expect(error.message).toMatch(/401/);
    expect(error.message).not.toContain('wrong-password-123');
    expect(wrong.endpoint).not.toContain('wrong-password');
  });

  it("authenticates with the node's cookie file and re-reads it after the node restarted", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evr-cookie-'));
    const cookieFile = join(dir, '.cookie');
    const cookieNode = await startFakeNode({ cookie: '__cookie__:aaaa1111' });
    try {
      writeFileSync(cookieFile, '__cookie__:aaaa1111');
      const client = new EvrmoreRpc({ url: new URL(cookieNode.url), auth: { cookieFile }, timeoutMs: 2000 });
      expect((await client.getBlockchainInfo()).chain).toBe('main');
      // evrmored writes a new cookie at every start.
      cookieNode.credentials = '__cookie__:bbbb2222';
      writeFileSync(cookieFile, '__cookie__:bbbb2222');
      expect((await client.getBlockchainInfo()).chain).toBe('main');
      const missing = new EvrmoreRpc({ url: new URL(cookieNode.url), auth: { cookieFile: join(dir, 'absent') }, timeoutMs: 2000 });
      await expect(missing.getBlockchainInfo()).rejects.toMatchObject({ reason: 'cookie', message: expect.stringContaining('ENOENT') });
    } finally {
      await cookieNode.stop();
    }
  });

  it('gives up after the timeout, and reports a node that is not listening', async () => {
    node.delayMs = 1500;
    try {
      const impatient = new EvrmoreRpc({ url: new URL(node.url), auth: { user: 'evr', password: PASSWORD }, timeoutMs: 300 });
      const started = Date.now();
      await expect(impatient.getBlockchainInfo()).rejects.toMatchObject({ reason: 'timeout' });
      expect(Date.now() - started).toBeLessThan(1400);
    } finally {
      node.delayMs = 0;
    }
    const nowhere = new EvrmoreRpc({
      url: new URL(`http://127.0.0.1:${await freePort()}`),
      auth: { user: 'evr', password: PASSWORD },
      timeoutMs: 2000,
    });
    const error = (await nowhere.getBlockchainInfo().catch((e: unknown) => e)) as NodeUnavailableError;
    expect(error.reason).toBe('unreachable');
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).not.toContain(PASSWORD);
  });
});
