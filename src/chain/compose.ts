/**
 * The chain feature's part of the product assembly, so that createProduct only calls it at three points:
 * before the provider (the node, the rules, the provider hooks, the built-in account client),
 * after it (access policy, consent details, account page, activity recording), and at close.
 * Without EVRMORE_RPC_URL no chain object exists and the provider is configured exactly as
 * before; the account page is there unless ACCOUNT_PAGE=false.
 */
import type { RequestListener } from 'node:http';
import type Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { ClientMetadata, Config } from '../config/index.js';
import type { Views } from '../http/views.js';
import type { AccessPolicy } from '../interaction/access-policy.js';
import { recordAccountActivity, type AccountActivity } from '../account/activity.js';
import { createBackchannel, type Backchannel } from '../account/backchannel.js';
import { accountClient, accountRoutes } from '../account/routes.js';
import type { AccountStore } from '../account/store.js';
import { longestJwtAccessTokenTtl } from '../oidc/resource-servers.js';
import { chainAccessPolicy } from './access.js';
import { withConsentDetails } from './consent.js';
import { HoldingsReader, type HoldingsCache } from './holdings.js';
import { chainProviderHooks } from './oidc.js';
import type { ProviderExtension } from '../oidc/provider.js';
import { EvrmoreRpc } from './rpc.js';
import { ChainService } from './service.js';

export interface ChainAndAccount {
  chain?: ChainService;
  providerHooks?: ProviderExtension;
  /** Built-in clients to add to the provider's static ones (the account page's). */
  clients: ClientMetadata[];
  attach(provider: Provider, views: Views, app: () => { callback(): RequestListener }): AttachedFeatures;
}

export interface AttachedFeatures {
  views: Views;
  accessPolicy?: AccessPolicy;
  routers: Router[];
  activity?: AccountActivity;
  ready(): Promise<void>;
  close(): Promise<void>;
}

export async function composeChainAndAccount(config: Config, deps: { holdingsCache: HoldingsCache; accountStore: AccountStore; logger: Logger }): Promise<ChainAndAccount> {
  const { logger } = deps;
  let chain: ChainService | undefined;
  if (config.chain) {
    const settings = config.chain;
    const rpc = new EvrmoreRpc({ url: settings.rpcUrl, auth: settings.rpcAuth, timeoutMs: settings.rpcTimeoutMs });
    const reader = new HoldingsReader({ rpc, cache: deps.holdingsCache, ttlSeconds: settings.cacheTtl });
    chain = new ChainService({ rpc, reader, rules: settings.rules, network: config.network, logger });
    const groups = [...settings.rules.groups].map(([name, group]) => (group.required ? `${name} (required)` : name));
    const health = await chain.checkNode();
    const summary = { event: 'chain.node', node: rpc.endpoint, rules_file: settings.rulesFile ?? null, groups, cache_ttl: settings.cacheTtl };
    if (health.ok) {
      logger.info({ ...summary, chain: health.chain, blocks: health.blocks }, 'Evrmore node connected: asset and tag claims, groups and access rules are on');
    } else if (health.problem === 'unreachable') {
      logger.warn({ ...summary, problem: health.problem, error: health.message }, 'Evrmore node not reachable now: chain claims are left out and required rules refuse sign-ins until it answers');
    } else {
      logger.error({ ...summary, problem: health.problem, error: health.message }, `Evrmore node misconfigured: ${health.message}`);
    }
  } else {
    logger.info({ event: 'chain.node', node: null }, 'Evrmore node not configured (EVRMORE_RPC_URL): asset and tag claims, groups and per-client access rules are off');
  }

  return {
    chain,
    providerHooks: chain ? chainProviderHooks(chain) : undefined,
    clients: config.accountPage ? [accountClient(config.issuer)] : [],
    attach(provider, views, app) {
      const routers: Router[] = [];
      let backchannel: Backchannel | undefined;
      let activity: AccountActivity | undefined;
      if (config.accountPage) {
        const store = deps.accountStore;
        activity = recordAccountActivity(provider, store, logger, { grantTtlSeconds: config.ttl.grant });
        let listener: RequestListener | undefined;
        backchannel = createBackchannel(config.issuer, () => (listener ??= app().callback()));
        const jwtAccessTokenSeconds = longestJwtAccessTokenTtl(config.protocol.resourceServers, config.protocol.jwtAccessTokenTtl);
        routers.push(accountRoutes({ issuer: config.issuer, network: config.network, provider, views, store, backchannel, logger, chain, jwtAccessTokenSeconds }));
      }
      return {
        views: chain ? withConsentDetails(views, chain) : views,
        accessPolicy: chain ? chainAccessPolicy({ provider, chain, logger }) : undefined,
        routers,
        activity,
        async ready() {
          if (chain) await chain.ready();
        },
        async close() {
          await activity?.settle();
          await backchannel?.close();
        },
      };
    },
  };
}
