/**
 * Chain claims and per-client access rules (docs/chain-claims.md), composed from the
 * configuration: the Evrmore node, the rules, the provider hooks that add the claims, the
 * consent page's details and the access policy of the sign-in routes.
 * Without EVRMORE_RPC_URL no chain object exists: the provider is configured without chain
 * scopes, the views and the sign-in routes are left as they are.
 */
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Views } from '../http/views.js';
import type { AccessPolicy } from '../interaction/access-policy.js';
import { chainAccessPolicy } from './access.js';
import { withConsentDetails } from './consent.js';
import { HoldingsReader, type HoldingsCache } from './holdings.js';
import type { ClientMetadataExtension } from '../oidc/client-metadata.js';
import type { ProviderExtension } from '../oidc/provider.js';
import { chainClientMetadata, chainProviderHooks } from './oidc.js';
import { EvrmoreRpc } from './rpc.js';
import { ChainService } from './service.js';

export interface ChainClaimsFeature {
  /** The node and the rules; absent without EVRMORE_RPC_URL. */
  service?: ChainService;
  /** The provider's chain scopes, claims and token checks. */
  providerHooks?: ProviderExtension;
  /** The clients' access-rule properties (evrmore_required_groups, evrmore_required_tags). */
  clientMetadata: ClientMetadataExtension;
  /** The views with the consent page's chain details. */
  decorateViews(views: Views): Views;
  /** The access rules the sign-in routes apply once the wallet proved its address. */
  accessPolicy(provider: Provider): AccessPolicy | undefined;
  attach(): { ready(): Promise<void> };
}

export async function chainClaimsFeature(
  config: Pick<Config, 'chain' | 'network'>,
  deps: { holdingsCache: HoldingsCache; logger: Logger },
): Promise<ChainClaimsFeature> {
  const { logger } = deps;
  const chain = config.chain ? await connectNode(config.chain, config.network, deps) : undefined;
  if (!chain) {
    logger.info(
      { event: 'chain.node', node: null },
      'Evrmore node not configured (EVRMORE_RPC_URL): asset and tag claims, groups and per-client access rules are off',
    );
  }
  return {
    service: chain,
    providerHooks: chain ? chainProviderHooks(chain) : undefined,
    clientMetadata: chainClientMetadata(config.chain?.rules),
    decorateViews: (views) => (chain ? withConsentDetails(views, chain) : views),
    accessPolicy: (provider) => (chain ? chainAccessPolicy({ provider, chain, logger }) : undefined),
    attach: () => ({
      async ready() {
        if (chain) await chain.ready();
      },
    }),
  };
}

/** The chain service on the configured node, with the node's state in the log. */
async function connectNode(
  settings: NonNullable<Config['chain']>,
  network: Config['network'],
  deps: { holdingsCache: HoldingsCache; logger: Logger },
): Promise<ChainService> {
  const { logger } = deps;
  const rpc = new EvrmoreRpc({ url: settings.rpcUrl, auth: settings.rpcAuth, timeoutMs: settings.rpcTimeoutMs });
  const reader = new HoldingsReader({ rpc, cache: deps.holdingsCache, ttlSeconds: settings.cacheTtl });
  const chain = new ChainService({ rpc, reader, rules: settings.rules, network, logger });
  const groups = [...settings.rules.groups].map(([name, group]) => (group.required ? `${name} (required)` : name));
  const health = await chain.checkNode();
  const summary = { event: 'chain.node', node: rpc.endpoint, rules_file: settings.rulesFile ?? null, groups, cache_ttl: settings.cacheTtl };
  if (health.ok) {
    logger.info(
      { ...summary, chain: health.chain, blocks: health.blocks },
      'Evrmore node connected: asset and tag claims, groups and access rules are on',
    );
  } else if (health.problem === 'unreachable') {
    logger.warn(
      { ...summary, problem: health.problem, error: health.message },
      'Evrmore node not reachable now: chain claims are left out and required rules refuse sign-ins until it answers',
    );
  } else {
    logger.error({ ...summary, problem: health.problem, error: health.message }, `Evrmore node misconfigured: ${health.message}`);
  }
  return chain;
}
