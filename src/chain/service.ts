/**
 * The chain side of identity (docs/chain-claims.md), in one object that the provider
 * configuration, the access policy, the consent page and the account page share: the node's
 * health, the claims an address carries, and whether an address meets a client's access rules.
 *
 * Fail-closed and fail-open are decided here, once:
 * - a client's access rules (evrmore_required_groups / evrmore_required_tags) cannot be checked
 *   without the node, so the sign-in or token is refused;
 * - a group rule marked `required` refuses a sign-in or token that would carry `groups`;
 * - otherwise the chain claims are left out (not sent as empty: that would claim "holds
 *   nothing") and a warning is logged.
 */
import type { Logger } from 'pino';
import { addressFromHash160 } from '../evrmore/address.js';
import { NETWORKS, type NetworkName } from '../evrmore/network.js';
import type { HoldingsReader, HoldingsResult } from './holdings.js';
import { AssetIndexDisabledError, NodeUnavailableError, RpcError, type EvrmoreRpc } from './rpc.js';
import type { ClientRules } from './client-rules.js';
import type { ChainRules, Condition } from '../config/chain-rules.js';
import { evaluateGroups, hasRequiredGroups, meets, releasedAssets, releasedTags } from './rules.js';

/** Scopes and the claims each releases (with the node configured only). */
export const CHAIN_SCOPES = {
  evrmore_assets: ['evrmore_assets', 'evrmore_tags'],
  groups: ['groups'],
} as const;

/** One thing an address lacks: a group of the rules file, or a tag. */
export type Requirement = { group: string; rule?: Condition; description?: string } | { tag: string };

export type ChainDecision =
  | { ok: true }
  /** The address does not meet these of the client's requirements. */
  | { ok: false; kind: 'missing'; missing: Requirement[] }
  /** The node could not be asked; `requirements` is what could not be checked (empty: required groups). */
  | { ok: false; kind: 'unavailable'; requirements: Requirement[]; message: string };

export type NodeHealth =
  | { ok: true; chain: string; blocks: number }
  | { ok: false; problem: 'unreachable' | 'unauthorized' | 'no_assetindex' | 'wrong_chain' | 'node_error'; message: string };

export interface ChainServiceOptions {
  rpc: EvrmoreRpc;
  reader: HoldingsReader;
  rules: ChainRules;
  network: NetworkName;
  logger: Logger;
  /** How long one health answer serves /readyz (load balancers probe often). */
  healthCacheMs?: number;
}

export class ChainService {
  readonly rules: ChainRules;
  readonly #options: ChainServiceOptions;
  #health: { at: number; value: Promise<NodeHealth> } | undefined;

  constructor(options: ChainServiceOptions) {
    this.#options = options;
    this.rules = options.rules;
  }

  get endpoint(): string {
    return this.#options.rpc.endpoint;
  }

  read(address: string, options: { fresh?: boolean } = {}): Promise<HoldingsResult> {
    return this.#options.reader.read(address, options);
  }

  /**
   * Asks the node what this product needs of it: that it answers, runs on EVRMORE_NETWORK's
   * chain, and has -assetindex (without it Core answers listassetbalancesbyaddress with a
   * sentence instead of an error).
   */
  async checkNode(): Promise<NodeHealth> {
    const { rpc, network } = this.#options;
    try {
      const info = await rpc.getBlockchainInfo();
      const expected = network === 'mainnet' ? ['main'] : ['test', 'regtest'];
      if (!expected.includes(info.chain)) {
        return {
          ok: false,
          problem: 'wrong_chain',
          message: `the Evrmore node at ${rpc.endpoint} follows the "${info.chain}" chain but EVRMORE_NETWORK is ${network}`,
        };
      }
      // Any valid address of the network will do: only the shape of the answer matters.
      await rpc.listAssetBalancesByAddress(addressFromHash160(new Uint8Array(20), NETWORKS[network]));
      return { ok: true, chain: info.chain, blocks: info.blocks };
    } catch (error) {
      if (error instanceof AssetIndexDisabledError)
        return { ok: false, problem: 'no_assetindex', message: `the Evrmore node at ${rpc.endpoint} ${error.message}` };
      if (error instanceof NodeUnavailableError) {
        const problem =
          error.reason === 'unauthorized' || error.reason === 'forbidden' || error.reason === 'cookie' ? 'unauthorized' : 'unreachable';
        return { ok: false, problem, message: `the Evrmore node cannot be used: ${error.message}` };
      }
      if (error instanceof RpcError)
        return {
          ok: false,
          problem: 'node_error',
          message: `the Evrmore node at ${rpc.endpoint} answered with an error: ${error.message}`,
        };
      throw error;
    }
  }

  /** checkNode, answered from a short cache so that frequent probes do not load the node. */
  health(): Promise<NodeHealth> {
    const now = Date.now();
    if (!this.#health || now - this.#health.at > (this.#options.healthCacheMs ?? 5000)) {
      this.#health = { at: now, value: this.checkNode() };
    }
    return this.#health.value;
  }

  /**
   * For /readyz: rejects when the node is set up so that chain claims can never work (no
   * -assetindex, wrong chain, refused credentials). An unreachable node does not: sign-ins that
   * need no chain data keep working, and those that do fail closed on their own.
   */
  async ready(): Promise<void> {
    const health = await this.health();
    if (!health.ok && health.problem !== 'unreachable') throw new Error(health.message);
  }

  /**
   * The chain claims of `address` for the granted scopes. Scopes only: a claim asked for through
   * the claims parameter is released only when its scope was granted (src/oidc/claim-release.ts).
   */
  async claims(address: string, scopes: ReadonlySet<string>): Promise<Record<string, unknown>> {
    const wanted = new Set<string>();
    for (const [scope, names] of Object.entries(CHAIN_SCOPES)) if (scopes.has(scope)) for (const n of names) wanted.add(n);
    if (wanted.size === 0) return {};

    const result = await this.read(address);
    if (!result.ok) {
      if (wanted.has('groups') && hasRequiredGroups(this.rules)) throw new ChainUnavailableError(result.message);
      this.#options.logger.warn(
        { event: 'chain.claims_omitted', address, reason: result.reason, error: result.message },
        'Evrmore claims left out: the node could not be asked',
      );
      return {};
    }
    const { holdings } = result;
    return {
      ...(wanted.has('evrmore_assets') ? { evrmore_assets: releasedAssets(this.rules, holdings.assets) } : {}),
      ...(wanted.has('evrmore_tags') ? { evrmore_tags: releasedTags(this.rules, holdings.tags) } : {}),
      ...(wanted.has('groups') ? { groups: evaluateGroups(this.rules, holdings) } : {}),
    };
  }

  /**
   * Whether `address` may sign in to (or get tokens for) a client with these rules, asking for
   * these scopes. `fresh` reads the chain as it is now (at sign-in); otherwise the cache serves.
   */
  async decide(
    address: string,
    rules: ClientRules,
    scopes: ReadonlySet<string>,
    options: { fresh?: boolean } = {},
  ): Promise<ChainDecision> {
    const requirements: Requirement[] = [
      ...rules.groups.map((group) => {
        const rule = this.rules.groups.get(group);
        return { group, ...(rule ? { rule: rule.rule, ...(rule.description ? { description: rule.description } : {}) } : {}) };
      }),
      ...rules.tags.map((tag) => ({ tag })),
    ];
    const requiredGroups = scopes.has('groups') && hasRequiredGroups(this.rules);
    if (requirements.length === 0 && !requiredGroups) return { ok: true };

    const result = await this.read(address, options);
    if (!result.ok) {
      this.#options.logger.warn(
        { event: 'chain.access_unavailable', address, reason: result.reason, error: result.message },
        'access rules could not be checked: the Evrmore node could not be asked',
      );
      return { ok: false, kind: 'unavailable', requirements, message: result.message };
    }
    const missing = requirements.filter((r) =>
      'tag' in r ? !result.holdings.tags.includes(r.tag) : !(r.rule && meets(r.rule, result.holdings)),
    );
    return missing.length === 0 ? { ok: true } : { ok: false, kind: 'missing', missing };
  }
}

/** The node is needed for a claim that must not be left out (a `required` group rule). */
export class ChainUnavailableError extends Error {
  constructor(readonly nodeMessage: string) {
    super('the groups claim cannot be worked out: the Evrmore node cannot be reached');
    this.name = 'ChainUnavailableError';
  }
}
