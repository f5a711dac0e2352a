/**
 * What the account page shows of an address: the applications it granted (with their scopes),
 * its last sign-ins, and the groups, tags and assets this provider sees for it on the chain.
 */
import type Provider from 'oidc-provider';
import { ACCOUNT_CLIENT_ID } from '../config/index.js';
import { evaluateGroups, releasedAssets, releasedTags } from '../chain/rules.js';
import type { ChainService } from '../chain/service.js';
import { en, type MessageKey } from '../i18n/en.js';
import type { Translate } from '../i18n/index.js';
import { describeClient, scopeLabelKey, type ClientLike } from '../oidc/client-identity.js';
import type { AccountStore } from './store.js';

/** The applications `address` granted, by name, each with the scopes of all its grants. */
export async function applications(provider: Provider, store: AccountStore, address: string, tr: Translate) {
  const byClient = new Map<string, { clientId: string; name: string; pairwise: boolean; scopes: Set<string>; since: number }>();
  for (const ref of await store.grants(address)) {
    if (ref.clientId === ACCOUNT_CLIENT_ID) continue;
    const grant = await provider.Grant.find(ref.grantId);
    if (!grant || grant.accountId !== address) {
      await store.removeGrant(address, ref.grantId);
      continue;
    }
    const entry = byClient.get(ref.clientId) ?? {
      clientId: ref.clientId,
      ...(await clientFacts(provider, ref.clientId)),
      scopes: new Set<string>(),
      since: grant.iat,
    };
    for (const s of grant.getOIDCScope().split(' ')) if (s) entry.scopes.add(s);
    entry.since = Math.min(entry.since, grant.iat);
    byClient.set(ref.clientId, entry);
  }
  return [...byClient.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((app) => ({ ...app, since: formatTime(app.since), scopes: [...app.scopes].map((s) => scopeLabel(tr, scopeLabelKey(s, app))) }));
}

export async function signIns(provider: Provider, store: AccountStore, address: string) {
  const names = new Map<string, string>();
  const records = await store.signIns(address);
  for (const { clientId } of records) if (!names.has(clientId)) names.set(clientId, await clientName(provider, clientId));
  return records.map((r) => ({ time: formatTime(r.at), application: names.get(r.clientId)!, ip: r.ip }));
}

/** Absent chain: no Evrmore node, and the page says so. */
export async function chainView(chain: ChainService | undefined, address: string) {
  if (!chain) return { state: 'off' as const };
  const result = await chain.read(address);
  if (!result.ok) return { state: 'unavailable' as const };
  const { holdings } = result;
  const assets = releasedAssets(chain.rules, holdings.assets);
  return {
    state: 'ok' as const,
    groups: evaluateGroups(chain.rules, holdings),
    tags: releasedTags(chain.rules, holdings.tags),
    assets: Object.entries(assets).sort(([a], [b]) => a.localeCompare(b)),
    unreleased: Object.keys(holdings.assets).length - Object.keys(assets).length,
    readAt: formatTime(holdings.readAt),
  };
}

/** The label and subject type of a client, for the list of applications. */
async function clientFacts(provider: Provider, clientId: string): Promise<{ name: string; pairwise: boolean }> {
  try {
    const client = await provider.Client.find(clientId);
    if (client) {
      const display = describeClient(client as unknown as ClientLike);
      return { name: display.label, pairwise: display.pairwise };
    }
  } catch {
    // As clientName: a client whose metadata no longer validates is still listed.
  }
  return { name: clientId, pairwise: false };
}

export async function clientName(provider: Provider, clientId: string): Promise<string> {
  try {
    const client = await provider.Client.find(clientId);
    // A registered client is named with its redirect host, so that it cannot pass for another.
    return client ? describeClient(client as unknown as ClientLike).label : clientId;
  } catch {
    // A client whose metadata no longer validates is still named in the history.
    return clientId;
  }
}

/** `key`: scope.<scope> (or scope.openid.pairwise); an API's own scope is shown as it is. */
function scopeLabel(t: Translate, key: string): string {
  return key in en ? t(key as MessageKey) : key.replace(/^scope\./, '');
}

function formatTime(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
