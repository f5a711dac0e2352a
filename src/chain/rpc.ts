/**
 * A JSON-RPC client for an Evrmore Core node (evrmored), speaking what Core's httprpc.cpp
 * speaks: HTTP POST with Basic authentication (rpcuser/rpcpassword, or the `__cookie__` user and
 * the password in the node's .cookie file), a JSON-RPC 1.0 body `{jsonrpc, id, method, params}`,
 * and a reply `{result, error, id}`. Core answers an error with HTTP 500 (400 for an invalid
 * request, 404 for an unknown method) and a JSON body that still carries `{code, message}`, and
 * answers bad credentials with a bare 401.
 *
 * Failures come in two kinds, because the product treats them differently: RpcError is the
 * node's own answer (an invalid address, a missing index) and is final; NodeUnavailableError
 * means we could not get an answer at all (refused connection, timeout, refused credentials,
 * still loading), which fail-closed rules treat as "cannot tell".
 *
 * Nothing here logs; errors carry the node's URL without credentials and never the password.
 */
import { readFile } from 'node:fs/promises';

/** Evrmore Core's RPC error codes that this product reacts to (src/rpc/protocol.h). */
export const RPC_CODES = {
  MISC_ERROR: -1,
  INVALID_ADDRESS_OR_KEY: -5,
  INVALID_PARAMETER: -8,
  IN_WARMUP: -28,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  PARSE_ERROR: -32700,
} as const;

/**
 * What `listassetbalancesbyaddress` returns, as a successful result and not as an error, when the
 * node runs without `-assetindex` (Evrmore Core src/rpc/assets.cpp). Matched by its start.
 */
export const NO_ASSET_INDEX_PREFIX = '_This rpc call is not functional unless -assetindex is enabled';

export const NO_ASSET_INDEX_ADVICE =
  "runs without -assetindex, so listassetbalancesbyaddress cannot list an address's assets: restart evrmored with -assetindex (it reindexes the chain once)";

export type RpcAuth = { user: string; password: string } | { cookieFile: string };

export interface RpcSettings {
  /** The node's RPC endpoint, without credentials (src/config/ refuses them in the URL). */
  url: URL;
  auth: RpcAuth;
  timeoutMs: number;
  /** Longest answer read (bytes); a longer one is refused as a bad answer. */
  maxAnswerBytes?: number;
  /** Injectable for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** The node answered with an error object. */
export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`${method}: ${message} (code ${code})`);
    this.name = 'RpcError';
  }
}

export type UnavailableReason = 'unreachable' | 'timeout' | 'unauthorized' | 'forbidden' | 'warmup' | 'bad_response' | 'cookie';

/** No usable answer from the node. */
export class NodeUnavailableError extends Error {
  constructor(
    readonly reason: UnavailableReason,
    message: string,
  ) {
    super(message);
    this.name = 'NodeUnavailableError';
  }
}

/** The node runs without -assetindex, so it cannot list an address's assets. */
export class AssetIndexDisabledError extends Error {
  constructor(readonly nodeMessage: string) {
    super(NO_ASSET_INDEX_ADVICE);
    this.name = 'AssetIndexDisabledError';
  }
}

export interface BlockchainInfo {
  /** "main", "test" or "regtest". */
  chain: string;
  blocks: number;
  headers: number;
  [key: string]: unknown;
}

export class EvrmoreRpc {
  readonly #settings: RpcSettings;
  readonly #fetch: typeof fetch;
  #cookie: string | undefined;
  #nextId = 1;

  constructor(settings: RpcSettings) {
    this.#settings = settings;
    this.#fetch = settings.fetch ?? fetch;
  }

  /** The endpoint as it may appear in logs and pages: no credentials, no path secrets. */
  get endpoint(): string {
    return this.#settings.url.origin;
  }

  /** Calls `method`; retries once after re-reading a cookie file that the node replaced on restart. */
  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    try {
      return await this.#call<T>(method, params);
    } catch (error) {
      if (!(error instanceof NodeUnavailableError) || error.reason !== 'unauthorized' || !('cookieFile' in this.#settings.auth))
        throw error;
      this.#cookie = undefined;
      return this.#call<T>(method, params);
    }
  }

  async getBlockchainInfo(): Promise<BlockchainInfo> {
    const info = await this.call<BlockchainInfo>('getblockchaininfo');
    if (!info || typeof info !== 'object' || typeof info.chain !== 'string') {
      throw new NodeUnavailableError('bad_response', `${this.endpoint}: getblockchaininfo did not return an object with "chain"`);
    }
    return info;
  }

  /** Asset name -> quantity, as JSON numbers with the asset's decimals (Core's UnitValueFromAmount). */
  async listAssetBalancesByAddress(address: string): Promise<Record<string, number>> {
    const result = await this.call<unknown>('listassetbalancesbyaddress', [address]);
    if (typeof result === 'string') {
      if (result.startsWith(NO_ASSET_INDEX_PREFIX)) throw new AssetIndexDisabledError(result);
      // Core's other "results" that start with "_" are errors too.
      throw new RpcError('listassetbalancesbyaddress', RPC_CODES.MISC_ERROR, result);
    }
    if (!result || typeof result !== 'object' || Array.isArray(result)) {
      throw new NodeUnavailableError('bad_response', `${this.endpoint}: listassetbalancesbyaddress did not return an object`);
    }
    const balances: Record<string, number> = {};
    for (const [name, quantity] of Object.entries(result)) {
      if (typeof quantity !== 'number' || !Number.isFinite(quantity)) {
        throw new NodeUnavailableError('bad_response', `${this.endpoint}: listassetbalancesbyaddress returned a non-number quantity`);
      }
      balances[name] = quantity;
    }
    return balances;
  }

  /** The qualifier tags assigned to an address, e.g. ["#KYC"]. */
  async listTagsForAddress(address: string): Promise<string[]> {
    const result = await this.call<unknown>('listtagsforaddress', [address]);
    if (!Array.isArray(result) || result.some((tag) => typeof tag !== 'string')) {
      throw new NodeUnavailableError('bad_response', `${this.endpoint}: listtagsforaddress did not return a list of tag names`);
    }
    return result as string[];
  }

  async #authorization(): Promise<string> {
    const { auth } = this.#settings;
    let pair: string;
    if ('cookieFile' in auth) {
      if (this.#cookie === undefined) {
        try {
          this.#cookie = (await readFile(auth.cookieFile, 'utf8')).trim();
        } catch (error) {
          throw new NodeUnavailableError(
            'cookie',
            `cannot read the node's cookie file ${auth.cookieFile} (${(error as NodeJS.ErrnoException).code ?? 'error'}): is evrmored running, and may this process read its data directory?`,
          );
        }
      }
      pair = this.#cookie;
    } else {
      pair = `${auth.user}:${auth.password}`;
    }
    return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  }

  async #call<T>(method: string, params: unknown[]): Promise<T> {
    const id = this.#nextId++;
    const where = `${this.endpoint} (${method})`;
    let response: Response;
    try {
      response = await this.#fetch(this.#settings.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: await this.#authorization() },
        body: JSON.stringify({ jsonrpc: '1.0', id, method, params }),
        signal: AbortSignal.timeout(this.#settings.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      if (error instanceof NodeUnavailableError) throw error;
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new NodeUnavailableError('timeout', `${where}: no answer within ${this.#settings.timeoutMs} ms`);
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new NodeUnavailableError('unreachable', `${where}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }

    let text: string;
    try {
      text = await readCapped(response, this.#settings.maxAnswerBytes ?? MAX_ANSWER_BYTES);
    } catch (error) {
      if (error instanceof AnswerTooLargeError) {
        throw new NodeUnavailableError('bad_response', `${where}: the answer is longer than ${error.limit} bytes, so it was not read`);
      }
      const name = (error as Error).name;
      throw new NodeUnavailableError(
        name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'unreachable',
        `${where}: the answer was cut off`,
      );
    }
    if (response.status === 401)
      throw new NodeUnavailableError('unauthorized', `${where}: the node refused the RPC credentials (HTTP 401)`);
    if (response.status === 403)
      throw new NodeUnavailableError('forbidden', `${where}: the node refused this client's address (HTTP 403; see rpcallowip)`);

    let reply: { result?: unknown; error?: { code?: unknown; message?: unknown } | null; id?: unknown };
    try {
      reply = JSON.parse(text) as typeof reply;
    } catch {
      throw new NodeUnavailableError('bad_response', `${where}: HTTP ${response.status} without a JSON-RPC reply`);
    }
    if (reply === null || typeof reply !== 'object') {
      throw new NodeUnavailableError('bad_response', `${where}: HTTP ${response.status} without a JSON-RPC reply`);
    }
    if (reply.error) {
      const code = typeof reply.error.code === 'number' ? reply.error.code : RPC_CODES.MISC_ERROR;
      const message = typeof reply.error.message === 'string' ? reply.error.message : 'unknown error';
      if (code === RPC_CODES.IN_WARMUP) throw new NodeUnavailableError('warmup', `${where}: the node is still starting (${message})`);
      throw new RpcError(method, code, message);
    }
    if (!response.ok) throw new NodeUnavailableError('bad_response', `${where}: HTTP ${response.status}`);
    if (reply.id !== id)
      throw new NodeUnavailableError('bad_response', `${where}: the reply answers another request (id ${String(reply.id)})`);
    return reply.result as T;
  }
}

/**
 * The longest node answer read: an address that strangers sent tens of thousands of assets
 * (anyone can send assets to any address) must not make every sign-in read and hold megabytes.
 * 4 MiB is some 80 000 assets in listassetbalancesbyaddress's answer.
 */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

class AnswerTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`answer longer than ${limit} bytes`);
  }
}

/** The body as text, reading no more than `limit` bytes. */
async function readCapped(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > limit) {
    await response.body?.cancel();
    throw new AnswerTooLargeError(limit);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limit) {
      await reader.cancel();
      throw new AnswerTooLargeError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, length).toString('utf8');
}
