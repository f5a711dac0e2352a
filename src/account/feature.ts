/**
 * The account page at /account (docs/chain-claims.md §7), composed from the configuration: its
 * built-in client, its routes, the recording of grants and sign-ins it lists, and the
 * back-channel over which it, a relying party of this very provider, calls the token endpoint.
 * Off with ACCOUNT_PAGE=false.
 */
import type { RequestListener } from 'node:http';
import type Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { ClientMetadata, Config } from '../config/index.js';
import type { ChainService } from '../chain/service.js';
import type { Views } from '../http/views.js';
import { longestJwtAccessTokenTtl } from '../oidc/resource-servers.js';
import { recordAccountActivity } from './activity.js';
import { createBackchannel } from './backchannel.js';
import { accountClient } from './client.js';
import { accountRoutes } from './routes.js';
import type { AccountStore } from './store.js';

export interface AccountPageFeature {
  clients: ClientMetadata[];
  attach(context: { provider: Provider; views: Views }): {
    routers: Router[];
    /** The app's request handler, once the app is built: the back-channel serves it. */
    serve(listener: RequestListener): void;
    close(): Promise<void>;
  };
}

export interface AccountPageDeps {
  store: AccountStore;
  /** Absent without an Evrmore node: the page then says so. */
  chain?: ChainService;
  logger: Logger;
}

export function accountPageFeature(
  config: Pick<Config, 'accountPage' | 'issuer' | 'network' | 'ttl' | 'protocol'>,
  deps: AccountPageDeps,
): AccountPageFeature | undefined {
  if (!config.accountPage) return undefined;
  const { store, chain, logger } = deps;
  return {
    clients: [accountClient(config.issuer)],
    attach({ provider, views }) {
      const activity = recordAccountActivity(provider, store, logger, { grantTtlSeconds: config.ttl.grant });
      const backchannel = createBackchannel(config.issuer);
      const jwtAccessTokenSeconds = longestJwtAccessTokenTtl(config.protocol.resourceServers, config.protocol.jwtAccessTokenTtl);
      return {
        routers: [
          accountRoutes({
            issuer: config.issuer,
            network: config.network,
            provider,
            views,
            store,
            backchannel,
            logger,
            chain,
            jwtAccessTokenSeconds,
          }),
        ],
        serve: (listener) => backchannel.serve(listener),
        async close() {
          await activity.settle();
          await backchannel.close();
        },
      };
    },
  };
}
