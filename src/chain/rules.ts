/**
 * The operator's chain rules at work (docs/chain-claims.md): which assets and tags a sign-in
 * may release, and the groups an address belongs to by what it holds. Pure: evaluation only;
 * the rules file is read and checked by the configuration (src/config/chain-rules.ts).
 */
import type { ChainRules, Condition } from '../config/chain-rules.js';

export interface Holdings {
  /** Asset name -> quantity, as the node returns it. */
  assets: Record<string, number>;
  tags: string[];
}

export function meets(condition: Condition, holdings: Holdings): boolean {
  if ('asset' in condition) {
    const quantity = holdings.assets[condition.asset] ?? 0;
    return condition.min === undefined ? quantity > 0 : quantity >= condition.min;
  }
  if ('tag' in condition) return holdings.tags.includes(condition.tag);
  if ('any' in condition) return condition.any.some((c) => meets(c, holdings));
  return condition.all.every((c) => meets(c, holdings));
}

/** The groups `holdings` qualify for, in the rules file's order. */
export function evaluateGroups(rules: ChainRules, holdings: Holdings): string[] {
  return [...rules.groups].filter(([, group]) => meets(group.rule, holdings)).map(([name]) => name);
}

function matches(patterns: string[] | undefined, name: string): boolean {
  if (patterns === undefined) return true;
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

/**
 * Released assets per token unless the rules file says otherwise (release.maxAssets): anyone
 * can send assets to an address, so without a cap a stranger could grow a person's tokens
 * without bound.
 */
export const DEFAULT_MAX_RELEASED_ASSETS = 100;

/**
 * The assets a sign-in may show: the operator's release list keeps a portfolio private, and at
 * most release.maxAssets of them, the first by name, so every page and token shows the same.
 */
export function releasedAssets(rules: ChainRules, assets: Record<string, number>): Record<string, number> {
  const released = Object.entries(assets).filter(([name]) => matches(rules.release.assets, name));
  const max = rules.release.maxAssets ?? DEFAULT_MAX_RELEASED_ASSETS;
  if (released.length > max) released.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).length = max;
  return Object.fromEntries(released);
}

export function releasedTags(rules: ChainRules, tags: string[]): string[] {
  return tags.filter((tag) => matches(rules.release.tags, tag));
}

export function hasRequiredGroups(rules: ChainRules): boolean {
  return [...rules.groups.values()].some((group) => group.required);
}

/** Words for a rule, built from the caller's phrases (so the page's language decides them). */
export interface RulePhrases {
  asset(asset: string): string;
  assetMin(asset: string, min: number): string;
  tag(tag: string): string;
  and(parts: string[]): string;
  or(parts: string[]): string;
}

export function describeCondition(condition: Condition, phrases: RulePhrases): string {
  if ('asset' in condition)
    return condition.min === undefined ? phrases.asset(condition.asset) : phrases.assetMin(condition.asset, condition.min);
  if ('tag' in condition) return phrases.tag(condition.tag);
  const children = 'any' in condition ? condition.any : condition.all;
  if (children.length === 1) return describeCondition(children[0]!, phrases);
  // A nested "any" inside an "all" (or the reverse) reads ambiguously without brackets.
  const parts = children.map((c) => {
    const text = describeCondition(c, phrases);
    const nested = ('any' in c && c.any.length > 1) || ('all' in c && c.all.length > 1);
    return nested ? `(${text})` : text;
  });
  return 'any' in condition ? phrases.or(parts) : phrases.and(parts);
}
