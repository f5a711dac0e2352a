/**
 * The wallet URL that the sign-in page's QR code holds (docs/wallet-protocol.md): the page a
 * phone opens, and the JSON a wallet app reads and posts its signature to.
 */
import type Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { ChallengeService } from '../challenge/service.js';
import type { AuthHooks } from './auth-hooks.js';
import type { LoginPresenter } from './login-presenter.js';
import { walletRoutes } from './wallet-routes.js';

export interface WalletUrlFeature {
  attach(context: { provider: Provider }): { routers: Router[] };
}

export function walletUrlFeature(deps: { challenges: ChallengeService; presenter: LoginPresenter; hooks?: AuthHooks }): WalletUrlFeature {
  return {
    attach: ({ provider }) => ({ routers: [walletRoutes({ provider, ...deps })] }),
  };
}
