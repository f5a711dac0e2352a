/**
 * The rules engine, pure: the example file parses; mistakes are refused with where and what;
 * groups follow holdings and tags through any/all; the release list keeps a portfolio private;
 * refusal sentences name what is required.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseRules, type ChainRules } from '../../src/config/chain-rules.js';
import { describeCondition, evaluateGroups, hasRequiredGroups, meets, releasedAssets, releasedTags } from '../../src/chain/rules.js';
import { describeRequirement, refusalMessage, rulePhrases } from '../../src/chain/access.js';
import { translator } from '../../src/i18n/index.js';

function rules(raw: unknown): ChainRules {
  const parsed = parseRules(raw);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.rules;
}

function problems(raw: unknown): string[] {
  const parsed = parseRules(raw);
  return parsed.ok ? [] : parsed.problems;
}

const example = rules(JSON.parse(readFileSync('config/chain-rules.example.json', 'utf8')));

describe('chain rules', () => {
  it('parses the example file, keeping the file order of groups', () => {
    expect([...example.groups.keys()]).toEqual(['myorg-admins', 'myorg-members', 'verified', 'verified-holders']);
    expect(example.groups.get('myorg-admins')).toMatchObject({ required: true, rule: { asset: 'MYORG/ADMIN' } });
    expect(hasRequiredGroups(example)).toBe(true);
    expect(hasRequiredGroups(rules({ groups: { a: { rule: { tag: '#KYC' } } } }))).toBe(false);
  });

  it('evaluates asset minimums, tags, any and all', () => {
    const holder = { assets: { MYORG: 150, 'MYORG/ADMIN': 1 }, tags: [] };
    expect(evaluateGroups(example, holder)).toEqual(['myorg-admins', 'myorg-members']);
    const verified = { assets: { MYORG: 1000 }, tags: ['#KYC'] };
    expect(evaluateGroups(example, verified)).toEqual(['myorg-members', 'verified', 'verified-holders']);
    expect(evaluateGroups(example, { assets: { MYORG: 99.99999999 }, tags: [] })).toEqual([]);
    expect(evaluateGroups(example, { assets: { 'MYORG/MEMBER': 1 }, tags: [] })).toEqual(['myorg-members']);
    // "asset" without "min" means any quantity above zero, fractions included.
    expect(meets({ asset: 'DUST' }, { assets: { DUST: 0.00000001 }, tags: [] })).toBe(true);
    expect(meets({ asset: 'DUST' }, { assets: { DUST: 0 }, tags: [] })).toBe(false);
  });

  it('releases only the listed names and prefixes', () => {
    const assets = { MYORG: 1, 'MYORG/ADMIN': 1, MYORGX: 5, PRIVATE: 9 };
    expect(releasedAssets(example, assets)).toEqual({ MYORG: 1, 'MYORG/ADMIN': 1 });
    expect(releasedTags(example, ['#KYC', '#MYORG/#STAFF', '#OTHER'])).toEqual(['#KYC', '#MYORG/#STAFF']);
    const open = rules({});
    expect(releasedAssets(open, assets)).toEqual(assets);
    expect(evaluateGroups(open, { assets, tags: [] })).toEqual([]);
  });

  it('refuses mistakes with the place and a sentence that says what to do', () => {
    expect(problems({ groups: { admins: { rule: { asset: 'myorg/admin' } } } })).toEqual([
      'at groups.admins.rule.asset: "myorg/admin" is not an asset name: Evrmore asset names are upper case (did you mean "MYORG/ADMIN"?)',
    ]);
    expect(problems({ groups: { admins: { rule: { asset: 'MYORG', minimum: 5 } } } })[0]).toMatch(
      /^at groups\.admins\.rule: Unrecognized key: "minimum"/,
    );
    expect(problems({ groups: { admins: { rule: { asset: 'MYORG', tag: '#KYC' } } } })[0]).toMatch(
      /exactly one of "asset", "tag", "any" or "all" .*combine rules with "all" or "any"/,
    );
    expect(problems({ groups: { admins: { rule: { asset: 'MYORG', min: 0 } } } })).toEqual([
      'at groups.admins.rule.min: "min" must be more than 0',
    ]);
    expect(problems({ groups: { admins: { rule: { asset: 'MYORG', min: '5' } } } })).toEqual([
      'at groups.admins.rule.min: "min" must be a number',
    ]);
    expect(problems({ groups: { admins: { rule: { tag: 'KYC' } } } })[0]).toMatch(/tags start with "#"/);
    expect(problems({ groups: { admins: { rule: { any: [] } } } })[0]).toMatch(/"any" needs at least one rule/);
    expect(problems({ groups: { 'has space': { rule: { tag: '#KYC' } } } })[0]).toMatch(
      /^at groups\.has space: "has space" is not a group name/,
    );
    expect(problems({ groups: { admins: { rule: { tag: '#KYC' }, required: 'yes' } } })[0]).toMatch(/"required" must be true or false/);
    expect(problems({ release: { assets: ['myorg*'] } })[0]).toMatch(/^at release\.assets\.0: .*upper case/);
    expect(problems({ groups: [] })[0]).toMatch(/^at groups:/);
    expect(problems({ gropus: {} })[0]).toMatch(/Unrecognized key: "gropus"/);
  });

  it('describes rules in words for the refusal page', () => {
    const t = translator('en');
    const phrases = rulePhrases(t);
    expect(describeCondition({ asset: 'MYORG/ADMIN' }, phrases)).toBe('holding MYORG/ADMIN');
    expect(describeCondition({ all: [{ tag: '#KYC' }, { any: [{ asset: 'A', min: 5 }, { asset: 'B' }] }] }, phrases)).toBe(
      'the qualifier tag #KYC on your address and (holding at least 5 A or holding B)',
    );
    expect(describeRequirement({ group: 'x', rule: { asset: 'MYORG/ADMIN' } }, t)).toBe('holding MYORG/ADMIN');
    expect(
      refusalMessage({ ok: false, kind: 'missing', missing: [{ group: 'myorg-admins', rule: { asset: 'MYORG/ADMIN' } }] }, 'EAddr', t),
    ).toMatch(/^This application requires holding MYORG\/ADMIN\. The address EAddr does not meet this/);
    expect(refusalMessage({ ok: false, kind: 'unavailable', requirements: [{ tag: '#KYC' }], message: '' }, 'EAddr', t)).toMatch(
      /requires the qualifier tag #KYC on your address, and this cannot be checked right now/,
    );
  });
});
