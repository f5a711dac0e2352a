/**
 * The chain and account-page variables: off and unchanged without a node; every mistake named
 * with its variable; a rules file with an error refused at start with its message.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { configProblems } from '../support/config.js';

const dir = mkdtempSync(join(tmpdir(), 'evr-chain-config-'));
const node = { EVRMORE_RPC_URL: 'http://127.0.0.1:8819', EVRMORE_RPC_USER: 'evr', EVRMORE_RPC_PASSWORD: 'the-rpc-password-1234' };

function problems(env: Record<string, string>, cwd = dir): string[] {
  return configProblems(env, cwd);
}

function rulesFile(content: unknown): string {
  const file = join(dir, `rules-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('chain configuration', () => {
  it('is off without EVRMORE_RPC_URL; the account page is on unless turned off', () => {
    const config = loadConfig({}, dir);
    expect(config.chain).toBeUndefined();
    expect(config.accountPage).toBe(true);
    expect(loadConfig({ ACCOUNT_PAGE: 'false' }, dir).accountPage).toBe(false);
    // A default rules file is not read without a node: nothing changes for such a deployment.
    const withDefault = mkdtempSync(join(tmpdir(), 'evr-chain-default-'));
    mkdirSync(join(withDefault, 'config'));
    writeFileSync(join(withDefault, 'config', 'chain-rules.json'), '{ broken');
    expect(loadConfig({}, withDefault).chain).toBeUndefined();
  });

  it('reads the node, its credentials, timeout, cache lifetime and rules', () => {
    const file = rulesFile({ groups: { admins: { rule: { asset: 'MYORG/ADMIN' }, required: true } } });
    const config = loadConfig({ ...node, EVRMORE_RPC_TIMEOUT: '3s', CHAIN_CACHE_TTL: '30s', CHAIN_RULES_FILE: file }, dir);
    expect(config.chain).toMatchObject({
      rpcTimeoutMs: 3000,
      cacheTtl: 30,
      rulesFile: file,
      rpcAuth: { user: 'evr', password: 'the-rpc-password-1234' },
    });
    expect(config.chain!.rpcUrl.href).toBe('http://127.0.0.1:8819/');
    expect([...config.chain!.rules.groups.keys()]).toEqual(['admins']);
    expect(loadConfig({ ...node, CHAIN_CACHE_TTL: '0' }, dir).chain!.cacheTtl).toBe(0);
    const cookie = loadConfig({ EVRMORE_RPC_URL: 'https://node.internal:8819', EVRMORE_RPC_COOKIE_FILE: '/var/lib/evrmore/.cookie' }, dir);
    expect(cookie.chain!.rpcAuth).toEqual({ cookieFile: '/var/lib/evrmore/.cookie' });
  });

  it('refuses a rules file with an error, quoting where and what', () => {
    const file = rulesFile({ groups: { admins: { rule: { asset: 'myorg/admin' } } } });
    expect(problems({ ...node, CHAIN_RULES_FILE: file })).toEqual([
      `CHAIN_RULES_FILE (${file}) at groups.admins.rule.asset: "myorg/admin" is not an asset name: Evrmore asset names are upper case (did you mean "MYORG/ADMIN"?)`,
    ]);
    const broken = rulesFile('{ "groups": ');
    expect(problems({ ...node, CHAIN_RULES_FILE: broken })[0]).toMatch(new RegExp(`^CHAIN_RULES_FILE \\(${broken}\\) is not valid JSON`));
    expect(problems({ ...node, CHAIN_RULES_FILE: join(dir, 'absent.json') })[0]).toMatch(
      /^CHAIN_RULES_FILE: cannot read .*absent\.json \(ENOENT\)/,
    );
  });

  it('names each mistake in the node settings, and never repeats the password', () => {
    expect(problems({ EVRMORE_RPC_URL: 'http://127.0.0.1:8819' })).toEqual([
      expect.stringMatching(/^EVRMORE_RPC_URL needs credentials: EVRMORE_RPC_USER and EVRMORE_RPC_PASSWORD .* or EVRMORE_RPC_COOKIE_FILE/),
    ]);
    expect(problems({ ...node, EVRMORE_RPC_URL: 'http://evr:secretpw@127.0.0.1:8819' })).toEqual([
      'EVRMORE_RPC_URL must not hold credentials: set EVRMORE_RPC_USER and EVRMORE_RPC_PASSWORD, or EVRMORE_RPC_COOKIE_FILE',
    ]);
    expect(problems({ ...node, EVRMORE_RPC_URL: 'ftp://node' })[0]).toMatch(/^EVRMORE_RPC_URL must be http:\/\/ or https:\/\//);
    expect(problems({ ...node, EVRMORE_RPC_URL: '127.0.0.1 8819' })[0]).toMatch(/^EVRMORE_RPC_URL is not a URL/);
    expect(problems({ EVRMORE_RPC_URL: 'http://n:8819', EVRMORE_RPC_USER: 'evr' })).toEqual([
      expect.stringMatching(/^EVRMORE_RPC_PASSWORD is missing/),
    ]);
    expect(problems({ ...node, EVRMORE_RPC_COOKIE_FILE: '/x/.cookie' })[0]).toMatch(
      /^EVRMORE_RPC_COOKIE_FILE and EVRMORE_RPC_USER\/EVRMORE_RPC_PASSWORD are both set/,
    );
    expect(problems({ ...node, EVRMORE_RPC_TIMEOUT: '0' })[0]).toMatch(/^EVRMORE_RPC_TIMEOUT must be a duration from 1s to 60s/);
    expect(problems({ ...node, CHAIN_CACHE_TTL: 'soon' })[0]).toMatch(/^CHAIN_CACHE_TTL must be a duration from 0s to 3600s/);
    const all = problems({ ...node, EVRMORE_RPC_URL: 'http://evr:the-rpc-password-1234@h:1', EVRMORE_RPC_TIMEOUT: 'x' }).join('\n');
    expect(all).not.toContain('the-rpc-password-1234');
  });

  it('refuses node settings without a node, and a client named like the account page', () => {
    expect(problems({ EVRMORE_RPC_USER: 'evr', CHAIN_RULES_FILE: 'x.json' })).toEqual([
      expect.stringMatching(/^EVRMORE_RPC_USER is set but EVRMORE_RPC_URL is not/),
      expect.stringMatching(/^CHAIN_RULES_FILE is set but EVRMORE_RPC_URL is not/),
    ]);
    const clients = join(dir, 'clients-account.json');
    writeFileSync(clients, JSON.stringify([{ client_id: 'account', redirect_uris: ['https://a.example/cb'] }]));
    expect(problems({ CLIENTS_FILE: clients })).toEqual([
      expect.stringMatching(/client_id "account" is reserved for the account page .* or set ACCOUNT_PAGE=false/),
    ]);
    expect(problems({ CLIENTS_FILE: clients, ACCOUNT_PAGE: 'false' })).toEqual([]);
    expect(problems({ ACCOUNT_PAGE: 'maybe' })).toEqual(['ACCOUNT_PAGE must be true or false (got "maybe")']);
  });

  it('checks the access rules of the clients file against the rules, and refuses them without a node', () => {
    const clients = join(dir, 'clients-rules.json');
    writeFileSync(
      clients,
      JSON.stringify([
        { client_id: 'admin', redirect_uris: ['https://a.example/cb'], evrmore_required_groups: ['admins'] },
        { client_id: 'typo', redirect_uris: ['https://b.example/cb'], evrmore_required_groups: ['admin'], evrmore_required_tags: ['kyc'] },
      ]),
    );
    const rules = rulesFile({ groups: { admins: { rule: { asset: 'MYORG/ADMIN' } } } });
    expect(problems({ ...node, CLIENTS_FILE: clients, CHAIN_RULES_FILE: rules })).toEqual([
      'CLIENTS_FILE: client "typo": evrmore_required_groups: "admin" is not a group of the chain rules (known: admins)',
      'CLIENTS_FILE: client "typo": evrmore_required_tags: "kyc" is not a qualifier tag: tags start with "#", e.g. "#KYC"',
    ]);
    expect(problems({ CLIENTS_FILE: clients })).toEqual([
      'CLIENTS_FILE: client "admin": evrmore_required_groups needs the Evrmore node, and this provider has none configured (EVRMORE_RPC_URL)',
      'CLIENTS_FILE: client "typo": evrmore_required_groups needs the Evrmore node, and this provider has none configured (EVRMORE_RPC_URL)',
      'CLIENTS_FILE: client "typo": evrmore_required_tags needs the Evrmore node, and this provider has none configured (EVRMORE_RPC_URL)',
    ]);
  });
});
