/**
 * Chain claims and the account page (docs/chain-claims.md): the Evrmore node and its
 * credentials, the chain rules file, and the access rules clients require.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CHAIN_CLIENT_METADATA, clientRuleProblem } from './chain-client-rules.js';
import { EMPTY_RULES, parseRules, type ChainRules } from './chain-rules.js';
import type { ClientMetadata } from './clients.js';
import type { EnvReader } from './readers.js';

export interface ChainConfig {
  /** The node's JSON-RPC endpoint, without credentials. */
  rpcUrl: URL;
  rpcAuth: { user: string; password: string } | { cookieFile: string };
  rpcTimeoutMs: number;
  /** Seconds an address's holdings are reused; 0: every read asks the node. */
  cacheTtl: number;
  rules: ChainRules;
  rulesFile?: string;
}

/** The account page's own client id: reserved while the account page is on. */
export const ACCOUNT_CLIENT_ID = 'account';

export interface ChainSettings {
  /** Absent: no Evrmore node configured; asset and tag claims, groups and access rules are off. */
  chain?: ChainConfig;
  /** The account page at /account, signed in through its own first-party client "account". */
  accountPage: boolean;
}

export function readChain(read: EnvReader, clients: ClientMetadata[]): ChainSettings {
  const { problems } = read;
  const result = readChainSettings(read, clients);
  // Access rules in the clients file are checked here too, so that `config check` reports them
  // (the provider checks them again, for registered clients as well).
  for (const client of clients) {
    for (const key of CHAIN_CLIENT_METADATA) {
      const problem = clientRuleProblem(key, client[key], result.chain?.rules);
      if (problem) problems.push(`CLIENTS_FILE: client "${client.client_id}": ${problem}`);
    }
  }
  return result;
}

function readChainSettings(read: EnvReader, clients: ClientMetadata[]): ChainSettings {
  const { problems, cwd } = read;
  const get = read.text;
  const accountPage = read.boolean('ACCOUNT_PAGE', true);
  if (accountPage && clients.some((c) => c.client_id === ACCOUNT_CLIENT_ID)) {
    problems.push(
      `CLIENTS_FILE: client_id "${ACCOUNT_CLIENT_ID}" is reserved for the account page at /account; rename that client, or set ACCOUNT_PAGE=false`,
    );
  }

  const urlText = get('EVRMORE_RPC_URL');
  const dependents = [
    'EVRMORE_RPC_USER',
    'EVRMORE_RPC_PASSWORD',
    'EVRMORE_RPC_COOKIE_FILE',
    'EVRMORE_RPC_TIMEOUT',
    'CHAIN_CACHE_TTL',
    'CHAIN_RULES_FILE',
  ];
  if (!urlText) {
    // Without a node the chain features are off, and a setting that only makes sense with one
    // is a mistake worth hearing about rather than a silent no-op.
    for (const name of dependents)
      if (get(name) !== undefined)
        problems.push(
          `${name} is set but EVRMORE_RPC_URL is not: set EVRMORE_RPC_URL to the Evrmore node's JSON-RPC address, e.g. http://127.0.0.1:8819`,
        );
    return { accountPage };
  }

  let rpcUrl: URL | undefined;
  if (!URL.canParse(urlText)) {
    problems.push(`EVRMORE_RPC_URL is not a URL (expected e.g. http://127.0.0.1:8819)`);
  } else {
    rpcUrl = new URL(urlText);
    if (rpcUrl.protocol !== 'http:' && rpcUrl.protocol !== 'https:')
      problems.push(`EVRMORE_RPC_URL must be http:// or https:// (got ${rpcUrl.protocol.replace(':', '')})`);
    // Credentials in a URL end up in logs and process listings; they have their own variables.
    if (rpcUrl.username || rpcUrl.password)
      problems.push('EVRMORE_RPC_URL must not hold credentials: set EVRMORE_RPC_USER and EVRMORE_RPC_PASSWORD, or EVRMORE_RPC_COOKIE_FILE');
    if (rpcUrl.search || rpcUrl.hash) problems.push('EVRMORE_RPC_URL must not have a query or fragment');
  }

  const user = get('EVRMORE_RPC_USER');
  const password = get('EVRMORE_RPC_PASSWORD');
  const cookieFile = get('EVRMORE_RPC_COOKIE_FILE');
  let rpcAuth: ChainConfig['rpcAuth'] | undefined;
  if (cookieFile && (user || password)) {
    problems.push(
      'EVRMORE_RPC_COOKIE_FILE and EVRMORE_RPC_USER/EVRMORE_RPC_PASSWORD are both set: use one (the cookie file, or rpcuser and rpcpassword of evrmore.conf)',
    );
  } else if (cookieFile) {
    rpcAuth = { cookieFile: resolve(cwd, cookieFile) };
  } else if (user && password) {
    rpcAuth = { user, password };
  } else if (user || password) {
    problems.push(
      `${user ? 'EVRMORE_RPC_PASSWORD' : 'EVRMORE_RPC_USER'} is missing: EVRMORE_RPC_USER and EVRMORE_RPC_PASSWORD go together (rpcuser and rpcpassword of evrmore.conf)`,
    );
  } else {
    problems.push(
      "EVRMORE_RPC_URL needs credentials: EVRMORE_RPC_USER and EVRMORE_RPC_PASSWORD (rpcuser and rpcpassword of evrmore.conf), or EVRMORE_RPC_COOKIE_FILE (the node's .cookie file)",
    );
  }

  const rpcTimeoutMs = read.duration('EVRMORE_RPC_TIMEOUT', 5, { min: 1, max: 60 }) * 1000;
  const cacheTtl = read.duration('CHAIN_CACHE_TTL', 60, { min: 0, max: 3600 });

  const rulesFile =
    get('CHAIN_RULES_FILE') ?? (existsSync(resolve(cwd, 'config/chain-rules.json')) ? 'config/chain-rules.json' : undefined);
  let rules = EMPTY_RULES;
  if (rulesFile) {
    const raw = read.jsonFile('CHAIN_RULES_FILE', rulesFile);
    if (raw !== undefined) {
      const parsed = parseRules(raw);
      if (parsed.ok) rules = parsed.rules;
      else for (const problem of parsed.problems) problems.push(`CHAIN_RULES_FILE (${rulesFile}) ${problem}`);
    }
  }

  if (!rpcUrl || !rpcAuth) return { accountPage };
  return { accountPage, chain: { rpcUrl, rpcAuth, rpcTimeoutMs, cacheTtl, rules, ...(rulesFile ? { rulesFile } : {}) } };
}
