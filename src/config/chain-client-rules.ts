/**
 * Per-client access rules as client metadata (extraClientMetadata): what a client requires of
 * every address that signs in to it. The definition and its check live in the configuration,
 * below the chain feature, because the clients file is checked here at start (and by `config
 * check`) as well as by oidc-provider's metadata validator for static and registered clients,
 * which src/chain/oidc.ts gives this same check: both say the same thing. Pure.
 */
import { tagNameProblem, type ChainRules } from './chain-rules.js';

export const REQUIRED_GROUPS = 'evrmore_required_groups';
export const REQUIRED_TAGS = 'evrmore_required_tags';
export const CHAIN_CLIENT_METADATA = [REQUIRED_GROUPS, REQUIRED_TAGS];

/**
 * Why this value of evrmore_required_groups / evrmore_required_tags cannot be accepted, or
 * undefined. `rules` undefined: no node is configured, and a client that requires chain data
 * must not be admitted as if it required nothing.
 */
export function clientRuleProblem(key: string, value: unknown, rules: ChainRules | undefined): string | undefined {
  if (key !== REQUIRED_GROUPS && key !== REQUIRED_TAGS) return undefined;
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return undefined;
  if (!rules) return `${key} needs the Evrmore node, and this provider has none configured (EVRMORE_RPC_URL)`;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string') || value.length > 20) {
    return `${key} must be an array of at most 20 strings`;
  }
  for (const item of value as string[]) {
    if (key === REQUIRED_GROUPS && !rules.groups.has(item)) {
      const known = [...rules.groups.keys()];
      return `${key}: "${item}" is not a group of the chain rules (${known.length ? `known: ${known.join(', ')}` : 'the rules define no groups'})`;
    }
    if (key === REQUIRED_TAGS) {
      const problem = tagNameProblem(item);
      if (problem) return `${key}: ${problem}`;
    }
  }
  return undefined;
}
