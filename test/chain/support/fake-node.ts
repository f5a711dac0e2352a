/**
 * A stand-in for evrmored's JSON-RPC server, speaking what Evrmore Core's httprpc.cpp,
 * rpc/server.cpp and rpc/assets.cpp speak, with holdings the test controls:
 * - POST only (else 405 "JSONRPC server handles only POST requests"); HTTP Basic auth, a bare
 *   401 with `WWW-Authenticate: Basic realm="jsonrpc"` without or with wrong credentials;
 * - replies `{"result":…,"error":null,"id":…}`; errors `{"result":null,"error":{"code","message"},"id"}`
 *   with HTTP 500, or 400 for RPC_INVALID_REQUEST and 404 for RPC_METHOD_NOT_FOUND;
 * - `listassetbalancesbyaddress "address"`: without -assetindex the string "_This rpc call is
 *   not functional unless -assetindex is enabled…" as a result; an invalid address is
 *   RPC_INVALID_ADDRESS_OR_KEY (-5) "Invalid Evrmore address: …"; quantities as JSON numbers
 *   printed with the asset's units (UnitValueFromAmount), e.g. 100.00000000;
 * - `listtagsforaddress "address"`: an array of tag names; an invalid address is
 *   RPC_INVALID_PARAMETER (-8) "Not valid EVR address: …";
 * - `getblockchaininfo`; RPC_IN_WARMUP (-28) while "loading"; -32601 "Method not found".
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { decodeBase58Check } from '../../../src/evrmore/base58check.js';
import { freePort } from '../../support/redis-server.js';

export const NO_ASSET_INDEX =
  '_This rpc call is not functional unless -assetindex is enabled. To enable, please run the wallet with -assetindex, this will require a reindex to occur';

const VERSIONS = { main: [0x21, 0x5c], test: [0x6f, 0xc4], regtest: [0x6f, 0xc4] } as const;

class RpcFailure {
  constructor(
    readonly code: number,
    readonly message: string,
  ) {}
}

export interface FakeNodeOptions {
  user?: string;
  password?: string;
  /** Authenticate with this cookie line ("__cookie__:hex") instead of user/password. */
  cookie?: string;
  chain?: 'main' | 'test' | 'regtest';
}

export class FakeEvrmoreNode {
  readonly calls: Array<{ method: string; params: unknown[] }> = [];
  assetIndex = true;
  warmup = false;
  /** Milliseconds to wait before answering (timeouts). */
  delayMs = 0;
  chain: 'main' | 'test' | 'regtest';
  credentials: string;
  blocks = 1_234_567;
  readonly #assets = new Map<string, Record<string, number>>();
  readonly #tags = new Map<string, string[]>();
  readonly #units = new Map<string, number>();
  #server: Server | undefined;
  #port = 0;

  constructor(options: FakeNodeOptions = {}) {
    this.chain = options.chain ?? 'main';
    this.credentials = options.cookie ?? `${options.user ?? 'evr'}:${options.password ?? 'rpc-secret-password-xyz'}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  setAssets(address: string, assets: Record<string, number>): void {
    this.#assets.set(address, assets);
  }

  setTags(address: string, tags: string[]): void {
    this.#tags.set(address, tags);
  }

  /** Decimal places the node prints for an asset (0 for a unique or admin token, up to 8). */
  setUnits(asset: string, units: number): void {
    this.#units.set(asset, units);
  }

  callsOf(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  async start(port?: number): Promise<void> {
    this.#port = port ?? this.#port ?? 0;
    if (!this.#port) this.#port = await freePort();
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.listen(this.#port, '127.0.0.1');
    await once(this.#server, 'listening');
  }

  /** The node goes away: connections are refused until start() again (same port). */
  async stop(): Promise<void> {
    if (!this.#server) return;
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
    this.#server = undefined;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (req.method !== 'POST') return this.#reply(res, 405, 'JSONRPC server handles only POST requests', 'text/html');
    const auth = req.headers.authorization ?? '';
    const given = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : undefined;
    if (given !== this.credentials) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jsonrpc"', 'Content-Length': '0' });
      return void res.end();
    }
    let request: unknown;
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return this.#error(res, new RpcFailure(-32700, 'Parse error'), null);
    }
    if (Array.isArray(request)) {
      const replies = request.map((one) => this.#execOne(one));
      return this.#reply(res, 200, `[${replies.join(',')}]`);
    }
    if (!request || typeof request !== 'object') return this.#error(res, new RpcFailure(-32700, 'Top-level object parse error'), null);
    const { id = null } = request as { id?: unknown };
    try {
      const result = this.#execute(request as { method?: unknown; params?: unknown });
      this.#reply(res, 200, `{"result":${result},"error":null,"id":${JSON.stringify(id)}}`);
    } catch (failure) {
      if (!(failure instanceof RpcFailure)) throw failure;
      this.#error(res, failure, id);
    }
  }

  #execOne(request: unknown): string {
    const id = (request as { id?: unknown })?.id ?? null;
    try {
      return `{"result":${this.#execute(request as { method?: unknown; params?: unknown })},"error":null,"id":${JSON.stringify(id)}}`;
    } catch (failure) {
      if (!(failure instanceof RpcFailure)) throw failure;
      return `{"result":null,"error":${JSON.stringify({ code: failure.code, message: failure.message })},"id":${JSON.stringify(id)}}`;
    }
  }

  /** Returns the result as JSON text (numbers as Core prints them). */
  #execute(request: { method?: unknown; params?: unknown }): string {
    if (typeof request.method !== 'string') throw new RpcFailure(-32600, 'Method must be a string');
    const params = request.params === undefined || request.params === null ? [] : request.params;
    if (!Array.isArray(params)) throw new RpcFailure(-32600, 'Params must be an array or object');
    this.calls.push({ method: request.method, params });
    if (this.warmup) throw new RpcFailure(-28, 'Loading block index...');
    switch (request.method) {
      case 'getblockchaininfo':
        if (params.length !== 0)
          throw new RpcFailure(-1, 'getblockchaininfo\nReturns an object containing various state info regarding blockchain processing.');
        return JSON.stringify({
          chain: this.chain,
          blocks: this.blocks,
          headers: this.blocks,
          bestblockhash: '00'.repeat(32),
          difficulty: 1,
          mediantime: 1_700_000_000,
          verificationprogress: 1,
          chainwork: '00'.repeat(32),
          size_on_disk: 1,
          pruned: false,
          warnings: '',
        });
      case 'listassetbalancesbyaddress': {
        // Core answers this before it even looks at the parameters.
        if (!this.assetIndex) return JSON.stringify(NO_ASSET_INDEX);
        if (params.length < 1) throw new RpcFailure(-1, 'listassetbalancesbyaddress "address" (onlytotal) (count) (start)\n');
        const address = this.#string(params[0]);
        if (!this.#valid(address)) throw new RpcFailure(-5, `Invalid Evrmore address: ${address}`);
        const assets = this.#assets.get(address) ?? {};
        if (params[1] === true) return String(Object.keys(assets).length);
        const entries = Object.entries(assets).map(
          ([name, quantity]) => `${JSON.stringify(name)}:${quantity.toFixed(this.#units.get(name) ?? 8)}`,
        );
        return `{${entries.join(',')}}`;
      }
      case 'listtagsforaddress': {
        if (params.length !== 1) throw new RpcFailure(-1, 'listtagsforaddress address\n');
        const address = this.#string(params[0]);
        if (!this.#valid(address)) throw new RpcFailure(-8, `Not valid EVR address: ${address}`);
        return JSON.stringify(this.#tags.get(address) ?? []);
      }
      default:
        throw new RpcFailure(-32601, 'Method not found');
    }
  }

  #string(value: unknown): string {
    if (typeof value !== 'string') throw new RpcFailure(-3, 'JSON value is not a string as expected');
    return value;
  }

  #valid(address: string): boolean {
    const decoded = decodeBase58Check(address);
    return decoded.ok && decoded.payload.length === 21 && (VERSIONS[this.chain] as readonly number[]).includes(decoded.payload[0]!);
  }

  #error(res: ServerResponse, failure: RpcFailure, id: unknown): void {
    const status = failure.code === -32600 ? 400 : failure.code === -32601 ? 404 : 500;
    this.#reply(
      res,
      status,
      `{"result":null,"error":${JSON.stringify({ code: failure.code, message: failure.message })},"id":${JSON.stringify(id)}}`,
    );
  }

  #reply(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }
}

export async function startFakeNode(options: FakeNodeOptions = {}): Promise<FakeEvrmoreNode> {
  const node = new FakeEvrmoreNode(options);
  await node.start();
  return node;
}
