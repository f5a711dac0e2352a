/**
 * The chain rules file (CHAIN_RULES_FILE, see config/chain-rules.example.json and
 * docs/chain-claims.md): its format, and the checks that name every mistake with where it is.
 * Pure: no I/O. The configuration reads the file with this, so that a mistake stops the start
 * and `config check` reports it; src/chain/rules.ts evaluates the rules.
 *
 * A rule is one of
 *   { "asset": "MYORG/ADMIN" }               holds more than zero of it
 *   { "asset": "MYORG", "min": 100 }          holds at least 100
 *   { "tag": "#KYC" }                         the qualifier tag is assigned to the address
 *   { "any": [rule, ...] }, { "all": [rule, ...] }
 */
import { z } from 'zod';

export type Condition = { asset: string; min?: number } | { tag: string } | { any: Condition[] } | { all: Condition[] };

export interface GroupRule {
  rule: Condition;
  /**
   * When the node cannot be reached, a sign-in or token that would carry `groups` is refused
   * rather than issued without this group (fail closed). Other groups are left out and logged.
   */
  required: boolean;
  /** What a person reads on the refusal page ("This application requires {description}"). */
  description?: string;
}

export interface ChainRules {
  release: {
    /** Exact names, or prefixes written with a trailing "*"; absent: every asset. */
    assets?: string[];
    tags?: string[];
    /** At most this many assets in one token (by name), however many the address holds. */
    maxAssets?: number;
  };
  /** In file order, which is the order of the `groups` claim. */
  groups: Map<string, GroupRule>;
}

export const EMPTY_RULES: ChainRules = { release: {}, groups: new Map() };

/** Evrmore Core's MAX_NAME_LENGTH (src/assets/assets.cpp). */
const MAX_ASSET_NAME = 31;
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,63}$/;
const MAX_DEPTH = 8;

/**
 * Why `name` cannot be an Evrmore asset name, or undefined. Core allows upper case, digits, "."
 * and "_" in names, "/" between a parent and a sub-asset, "#" before a unique tag or a
 * qualifier, "$" before a restricted asset, "!" after an owner token, "~" before a channel.
 * Unique tags may have lower case; nothing else may, which is the mistake most worth catching.
 */
export function assetNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_ASSET_NAME)
    return `"${name}" is not an asset name: Evrmore asset names have 1 to ${MAX_ASSET_NAME} characters`;
  const hash = name.indexOf('#', 1);
  const base = hash > 0 && !name.startsWith('#') ? name.slice(0, hash) : name;
  const uniqueTag = base === name ? '' : name.slice(hash + 1);
  if (/[a-z]/.test(base))
    return `"${name}" is not an asset name: Evrmore asset names are upper case (did you mean "${base.toUpperCase()}${uniqueTag ? `#${uniqueTag}` : ''}"?)`;
  if (!/^[#$]?[A-Z0-9._]+(\/#?[A-Z0-9._]+)*[!]?(~[A-Za-z0-9_]+)?$/.test(base))
    return `"${name}" is not an asset name: use upper-case letters, digits, "." and "_", with "/" before a sub-asset`;
  if (uniqueTag && !/^[-A-Za-z0-9@$%&*()[\]{}_.?:]+$/.test(uniqueTag))
    return `"${name}" is not an asset name: the unique tag after "#" has characters Evrmore does not allow`;
  return undefined;
}

export function tagNameProblem(name: string): string | undefined {
  if (!name.startsWith('#')) return `"${name}" is not a qualifier tag: tags start with "#", e.g. "#KYC"`;
  if (name.length > MAX_ASSET_NAME) return `"${name}" is not a qualifier tag: at most ${MAX_ASSET_NAME} characters`;
  if (/[a-z]/.test(name)) return `"${name}" is not a qualifier tag: tags are upper case (did you mean "${name.toUpperCase()}"?)`;
  if (!/^#[A-Z0-9._]+(\/#[A-Z0-9._]+)*$/.test(name))
    return `"${name}" is not a qualifier tag: use "#" and upper-case letters, digits, "." and "_" (a sub-qualifier is "#PARENT/#SUB")`;
  return undefined;
}

/** A release pattern: an exact name, or a prefix ending in "*" ("MYORG/*", "MYORG*", "*"). */
function patternSchema(problem: (name: string) => string | undefined, what: string) {
  return z.string().superRefine((pattern, ctx) => {
    if (pattern === '*') return;
    const name = pattern.endsWith('*') ? pattern.slice(0, -1).replace(/\/$/, '') : pattern;
    const found = name === '' ? `"${pattern}" is not a ${what} pattern` : problem(name);
    if (found) ctx.addIssue({ code: 'custom', message: found });
  });
}

type RawCondition = { asset?: string; min?: number; tag?: string; any?: RawCondition[]; all?: RawCondition[] };

const conditionSchema: z.ZodType<RawCondition> = z.lazy(() =>
  z
    .strictObject({
      asset: z.string().optional(),
      min: z.number({ error: '"min" must be a number' }).positive('"min" must be more than 0').optional(),
      tag: z.string().optional(),
      any: z.array(conditionSchema).min(1, '"any" needs at least one rule').optional(),
      all: z.array(conditionSchema).min(1, '"all" needs at least one rule').optional(),
    })
    .superRefine((rule, ctx) => {
      const kinds = (['asset', 'tag', 'any', 'all'] as const).filter((key) => rule[key] !== undefined);
      if (kinds.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message:
            kinds.length === 0
              ? 'a rule needs one of "asset", "tag", "any" or "all"'
              : `a rule has exactly one of "asset", "tag", "any" or "all" (this one has ${kinds.map((k) => `"${k}"`).join(' and ')}): combine rules with "all" or "any"`,
        });
      }
      if (rule.min !== undefined && rule.asset === undefined)
        ctx.addIssue({ code: 'custom', path: ['min'], message: '"min" goes with "asset"' });
      const assetProblem = rule.asset === undefined ? undefined : assetNameProblem(rule.asset);
      if (assetProblem) ctx.addIssue({ code: 'custom', path: ['asset'], message: assetProblem });
      const tagProblem = rule.tag === undefined ? undefined : tagNameProblem(rule.tag);
      if (tagProblem) ctx.addIssue({ code: 'custom', path: ['tag'], message: tagProblem });
    }),
);

const fileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    /** JSON has no comments; operators may explain their file here. */
    comment: z.string().optional(),
    release: z
      .strictObject({
        assets: z.array(patternSchema(assetNameProblem, 'asset')).optional(),
        tags: z.array(patternSchema(tagNameProblem, 'tag')).optional(),
        maxAssets: z.number({ error: '"maxAssets" must be a whole number from 1 to 1000' }).int().min(1).max(1000).optional(),
      })
      .optional(),
    groups: z
      .record(
        z.string(),
        z.strictObject({
          rule: conditionSchema,
          required: z.boolean({ error: '"required" must be true or false' }).optional(),
          description: z.string().min(1).max(200).optional(),
          comment: z.string().optional(),
        }),
      )
      .optional(),
  })
  .superRefine((file, ctx) => {
    for (const name of Object.keys(file.groups ?? {})) {
      if (!GROUP_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['groups', name],
          message: `"${name}" is not a group name: 1-64 letters, digits and . _ : @ / - (starting with a letter or digit)`,
        });
      }
    }
  });

export type RulesParse = { ok: true; rules: ChainRules } | { ok: false; problems: string[] };

/** Validates a parsed JSON rules file; every problem names where it is ("groups.admins.rule.min"). */
export function parseRules(raw: unknown): RulesParse {
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `at ${issue.path.map(String).join('.') || 'top level'}: ${issue.message}`),
    };
  }
  const groups = new Map<string, GroupRule>();
  const problems: string[] = [];
  for (const [name, group] of Object.entries(parsed.data.groups ?? {})) {
    if (depth(group.rule) > MAX_DEPTH) problems.push(`at groups.${name}.rule: rules nest at most ${MAX_DEPTH} levels deep`);
    groups.set(name, {
      rule: toCondition(group.rule),
      required: group.required ?? false,
      ...(group.description ? { description: group.description } : {}),
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  const release = parsed.data.release ?? {};
  return {
    ok: true,
    rules: {
      release: {
        ...(release.assets ? { assets: release.assets } : {}),
        ...(release.tags ? { tags: release.tags } : {}),
        ...(release.maxAssets ? { maxAssets: release.maxAssets } : {}),
      },
      groups,
    },
  };
}

function depth(rule: RawCondition): number {
  const children = rule.any ?? rule.all;
  return children ? 1 + Math.max(...children.map(depth)) : 1;
}

function toCondition(rule: RawCondition): Condition {
  if (rule.asset !== undefined) return rule.min === undefined ? { asset: rule.asset } : { asset: rule.asset, min: rule.min };
  if (rule.tag !== undefined) return { tag: rule.tag };
  if (rule.any) return { any: rule.any.map(toCondition) };
  return { all: rule.all!.map(toCondition) };
}
