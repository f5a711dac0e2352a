/**
 * The demo relying party at /demo (on by default outside production, DEMO=false turns it off):
 * its client, which replaces a configured client of the same id, and its pages.
 */
import type Router from '@koa/router';
import type { ClientMetadata, Config } from '../config/index.js';
import type { Views } from '../http/views.js';
import { demoClient, demoRoutes } from './routes.js';

export interface DemoRelyingPartyFeature {
  clients: ClientMetadata[];
  attach(context: { views: Views }): { routers: Router[] };
}

export function demoRelyingPartyFeature(config: Pick<Config, 'demo' | 'issuer'>): DemoRelyingPartyFeature | undefined {
  if (!config.demo) return undefined;
  return {
    clients: [demoClient(config.issuer)],
    attach: ({ views }) => ({ routers: [demoRoutes({ issuer: config.issuer, views })] }),
  };
}
