/**
 * How the chain plugs into oidc-provider, through its public configuration only:
 * - `claims`: the evrmore_assets and groups scopes (with the node configured);
 * - `findAccount`: adds the chain claims, read (through the short cache) every time
 *   oidc-provider asks, i.e. at code exchange, at every refresh and at every userinfo call,
 *   which is what keeps them fresh; and refuses a token or userinfo call to an address that no
 *   longer meets its client's access rules;
 * - `interactions.policy`: an extra check on the login prompt, so that a browser already signed
 *   in (for another application) is sent to the sign-in page when it does not meet this
 *   client's rules, where the access policy refuses it with a page;
 * - `extraClientMetadata`: validation of evrmore_required_groups and evrmore_required_tags.
 */
import { errors, interactionPolicy, type Account, type KoaContextWithOIDC } from 'oidc-provider';
import { CHAIN_SCOPES, ChainUnavailableError, type ChainService } from './service.js';
import { CHAIN_CLIENT_METADATA, clientRuleProblem } from '../config/chain-client-rules.js';
import type { ChainRules } from '../config/chain-rules.js';
import { clientRules } from './client-rules.js';
import type { ProviderExtension } from '../oidc/provider.js';
import type { ClientMetadataExtension } from '../oidc/client-metadata.js';

const unavailable = (what: string) => new errors.TemporarilyUnavailable(`${what}: the Evrmore node cannot be reached; try again later`);

type Claims = Awaited<ReturnType<Account['claims']>>;

/** The chain's part of the provider configuration (oidc/provider.ts ProviderExtension). */
export function chainProviderHooks(chain: ChainService): ProviderExtension {
  return {
    claimsByScope: Object.fromEntries(Object.entries(CHAIN_SCOPES).map(([scope, names]) => [scope, [...names]])),

    findAccount(base) {
      return async (ctx, sub, token) => {
        const account = await base(ctx, sub, token);
        if (!account) return undefined;
        // With a token (code exchange, refresh, userinfo) the client's rules are checked against
        // the chain as the cache sees it now; without one (the authorization endpoint) the login
        // check below and the access policy do it.
        const client = ctx.oidc?.client;
        if (token && client) {
          const scopes = new Set(
            String((token as { scope?: unknown }).scope ?? '')
              .split(' ')
              .filter(Boolean),
          );
          const decision = await chain.decide(account.accountId, clientRules(client as unknown as Record<string, unknown>), scopes);
          if (!decision.ok) {
            if (decision.kind === 'unavailable') throw unavailable('the access rules of this client cannot be checked');
            // oidc-provider answers invalid_grant (token endpoint) or invalid_token (userinfo).
            return undefined;
          }
        }
        const claims: Account['claims'] = async (use, scope, requested, rejected) => {
          const own = await account.claims(use, scope, requested, rejected);
          let extra: Record<string, unknown>;
          try {
            extra = await chain.claims(account.accountId, new Set(scope.split(' ').filter(Boolean)));
          } catch (error) {
            if (error instanceof ChainUnavailableError) throw unavailable('the groups claim cannot be worked out');
            throw error;
          }
          return { ...own, ...extra } as Claims;
        };
        return { ...account, claims };
      };
    },

    // Fails closed when the node cannot be asked.
    async tokenMeetsRules(client, token) {
      if (!token.accountId) return true;
      const scopes = new Set(
        String(token.scope ?? '')
          .split(' ')
          .filter(Boolean),
      );
      const decision = await chain.decide(token.accountId, clientRules(client as Record<string, unknown>), scopes);
      return decision.ok;
    },

    policy() {
      const policy = interactionPolicy.base();
      policy.get('login')!.checks.add(
        new interactionPolicy.Check(
          'evrmore_access_rules',
          'the signed-in address does not meet the access rules of this client',
          'login_required',
          async (ctx: KoaContextWithOIDC) => {
            const accountId = ctx.oidc.session?.accountId;
            if (!accountId || !ctx.oidc.client) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
            const decision = await chain.decide(
              accountId,
              clientRules(ctx.oidc.client as unknown as Record<string, unknown>),
              ctx.oidc.requestParamOIDCScopes,
            );
            return decision.ok ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
          },
        ),
      );
      return policy;
    },
  };
}

/**
 * The access-rule properties of a client (docs/chain-claims.md §6: evrmore_required_groups,
 * evrmore_required_tags), checked against the chain rules; refused without a node (no rules).
 */
export function chainClientMetadata(rules: ChainRules | undefined): ClientMetadataExtension {
  return { properties: CHAIN_CLIENT_METADATA, problem: (key, value) => clientRuleProblem(key, value, rules) };
}
