/**
 * Per-client access rules (docs/chain-claims.md §6) as the login routes' AccessPolicy: once the wallet has
 * proved an address, the chain is read as it is now and the client's evrmore_required_groups
 * and evrmore_required_tags are checked. A refusal renders the denied page, whose button sends
 * the relying party access_denied; it never gets a code.
 *
 * The rules live in each client's metadata (clients file or registration), next to the rest of
 * what the operator says about that client; the groups they name are defined once, in the
 * chain rules file.
 */
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Translate } from '../i18n/index.js';
import { translator } from '../i18n/index.js';
import type { AccessPolicy } from '../interaction/access-policy.js';
import { describeCondition, type RulePhrases } from './rules.js';
import { clientRules } from './client-rules.js';
import type { ChainDecision, ChainService, Requirement } from './service.js';

export function rulePhrases(t: Translate): RulePhrases {
  return {
    asset: (asset) => t('chain.rule.asset', { asset }),
    assetMin: (asset, min) => t('chain.rule.assetMin', { asset, min }),
    tag: (tag) => t('chain.rule.tag', { tag }),
    and: (parts) => parts.join(t('chain.rule.and')),
    or: (parts) => parts.join(t('chain.rule.or')),
  };
}

/** "holding MYORG/ADMIN", "the qualifier tag #KYC on your address", a group's own description. */
export function describeRequirement(requirement: Requirement, t: Translate): string {
  if ('tag' in requirement) return t('chain.rule.tag', { tag: requirement.tag });
  if (requirement.description) return requirement.description;
  if (requirement.rule) return describeCondition(requirement.rule, rulePhrases(t));
  return t('chain.rule.group', { group: requirement.group });
}

/** The sentence a refused person reads. */
export function refusalMessage(decision: Exclude<ChainDecision, { ok: true }>, address: string, t: Translate): string {
  const list = (requirements: Requirement[]) => requirements.map((r) => describeRequirement(r, t)).join(t('chain.rule.and'));
  if (decision.kind === 'missing') return t('chain.denied.requires', { requirement: list(decision.missing), address });
  if (decision.requirements.length > 0) return t('chain.denied.unavailable', { requirement: list(decision.requirements) });
  return t('chain.denied.groupsUnavailable');
}

export function chainAccessPolicy(options: { provider: Provider; chain: ChainService; logger: Logger }): AccessPolicy {
  const { provider, chain, logger } = options;
  return {
    async check(ctx: Context, { address, clientId }) {
      const client = await provider.Client.find(clientId);
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      const scopes = new Set(
        String(details.params.scope ?? '')
          .split(' ')
          .filter(Boolean),
      );
      const decision = await chain.decide(address, clientRules(client as unknown as Record<string, unknown> | undefined), scopes, {
        fresh: true,
      });
      if (decision.ok) return { ok: true };
      logger.info(
        {
          event: 'chain.access_denied',
          client_id: clientId,
          address,
          reason: decision.kind,
          ...(decision.kind === 'missing' ? { missing: decision.missing.map((r) => ('tag' in r ? r.tag : r.group)) } : {}),
        },
        'sign-in refused by the access rules of the client',
      );
      const t = (ctx.state.t as Translate | undefined) ?? translator();
      return { ok: false, message: refusalMessage(decision, address, t) };
    },
  };
}
