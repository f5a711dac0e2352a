import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { defaultClients, startProduct, TEST_CLIENT_SECRET, type RunningProduct } from '../../support/product.js';
import type { FakeEvrmoreNode } from './fake-node.js';

export const RULES = {
  release: { assets: ['MYORG', 'MYORG/*'] },
  groups: {
    'myorg-admins': { rule: { asset: 'MYORG/ADMIN' } },
    members: { rule: { any: [{ asset: 'MYORG', min: 100 }, { tag: '#MEMBER' }] } },
    kyc: { rule: { tag: '#KYC' } },
  },
};

/** The default test clients plus two with access rules (client metadata). */
export function chainClients(redirectUri: string): Array<Record<string, unknown>> {
  return [
    ...defaultClients(redirectUri),
    {
      client_id: 'admin-app',
      client_secret: TEST_CLIENT_SECRET,
      client_name: 'Admin console',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      evrmore_required_groups: ['myorg-admins'],
    },
    {
      client_id: 'kyc-app',
      client_secret: TEST_CLIENT_SECRET,
      client_name: 'KYC app',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      evrmore_required_tags: ['#KYC'],
    },
  ];
}

export function writeRules(rules: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'evr-rules-')), 'chain-rules.json');
  writeFileSync(file, JSON.stringify(rules));
  return file;
}

export function nodeEnv(node: FakeEvrmoreNode, rules: unknown = RULES, extra: Record<string, string> = {}): Record<string, string> {
  const [user, password] = node.credentials.split(':') as [string, string];
  return {
    EVRMORE_RPC_URL: node.url,
    EVRMORE_RPC_USER: user,
    EVRMORE_RPC_PASSWORD: password,
    EVRMORE_RPC_TIMEOUT: '2s',
    CHAIN_RULES_FILE: writeRules(rules),
    CHAIN_CACHE_TTL: '1s',
    ...extra,
  };
}

export async function startChainProduct(
  store: 'redis' | 'memory',
  node: FakeEvrmoreNode,
  options: { rules?: unknown; env?: Record<string, string> } = {},
): Promise<RunningProduct> {
  return startProduct({ store, env: nodeEnv(node, options.rules ?? RULES, options.env), clients: chainClients });
}

export async function discoverClient(baseUrl: string, clientId: string): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(baseUrl), clientId, TEST_CLIENT_SECRET, oidc.ClientSecretBasic(TEST_CLIENT_SECRET), {
    execute: [oidc.allowInsecureRequests],
  });
}

/** Lets the holdings cache (CHAIN_CACHE_TTL=1s) expire. */
export const cacheExpiry = () => new Promise((resolve) => setTimeout(resolve, 1100));
