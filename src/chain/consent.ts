/**
 * The consent page names what the chain scopes will share (docs/chain-claims.md §2): the asset balances and
 * tags the operator releases, and the groups, as this provider reads them for the address now.
 * It decorates the Views that the interaction routes render with, adding a `chain` local to the
 * consent page only, so the login routes need not know about the chain.
 */
import type { Views } from '../http/views.js';
import { evaluateGroups, releasedAssets, releasedTags } from './rules.js';
import type { ChainService } from './service.js';

export interface ConsentChainDetails {
  unavailable: boolean;
  assets: string[];
  tags: string[];
  groups: string[];
}

export function withConsentDetails(views: Views, chain: ChainService): Views {
  return {
    html: views.html,
    async render(ctx, name, locals) {
      const scopes = Array.isArray(locals.scopes) ? (locals.scopes as string[]) : [];
      const address = typeof locals.address === 'string' ? locals.address : '';
      if (name !== 'consent' || !address || !(scopes.includes('evrmore_assets') || scopes.includes('groups'))) {
        return views.render(ctx, name, locals);
      }
      const result = await chain.read(address);
      const chainDetails: ConsentChainDetails = result.ok
        ? {
            unavailable: false,
            assets: Object.entries(releasedAssets(chain.rules, result.holdings.assets)).map(([asset, quantity]) => `${asset} ${quantity}`),
            tags: releasedTags(chain.rules, result.holdings.tags),
            groups: evaluateGroups(chain.rules, result.holdings),
          }
        : { unavailable: true, assets: [], tags: [], groups: [] };
      return views.render(ctx, name, { ...locals, chain: chainDetails });
    },
  };
}
