import { createRequire } from 'node:module';
import type * as Tldts from 'tldts';
import { isLogoDataUri } from '../config/client-logo.js';
import { LOGO_METADATA } from './client-logo.js';

/**
 * What a page shows of the relying party that asks a person to sign in. A client the operator
 * configured (clients file, built-in) is marked verified; one that registered itself (RFC 7591)
 * could have chosen any name, so its pages and the text to sign also show where it sends the
 * person: the registrable domain of its redirect URI (docs/oidc-features.md, "Who is asking").
 */
export interface ClientDisplay {
  id: string;
  name: string;
  logoUri?: string;
  uri?: string;
  /** Configured by the operator, not registered by itself. */
  verified: boolean;
  /** A registered client's redirect host (registrable domain); absent for verified clients. */
  host?: string;
  /** The name for running text: "Name (host)" for a registered client, the name otherwise. */
  label: string;
  /** Gets a per-application identifier instead of the address as `sub` (OIDC Core §8.1). */
  pairwise: boolean;
}

/**
 * tldts and its copy of the Public Suffix List (about 1.5 MB of heap) are loaded the first time a
 * registered client is shown, not at start: many providers serve configured clients only
 * (docs/performance.md, "Memory").
 */
let tldts: typeof Tldts | undefined;
function publicSuffixList(): typeof Tldts {
  tldts ??= createRequire(import.meta.url)('tldts') as typeof Tldts;
  return tldts;
}

/**
 * The registrable domain of a URI's host (the Public Suffix List's "eTLD+1", private suffixes
 * such as github.io included), so that grafana.com.evil.example shows as evil.example; the host
 * itself for an IP address or a single-label name.
 */
export function registrableHost(uri: unknown): string | undefined {
  if (typeof uri !== 'string') return undefined;
  const { getDomain, getHostname } = publicSuffixList();
  const hostname = getHostname(uri);
  if (!hostname) return undefined;
  return getDomain(hostname, { allowPrivateDomains: true }) ?? hostname;
}

export interface ClientLike {
  clientId: string;
  clientName?: string;
  /** An embedded logo (src/oidc/client-logo.ts). */
  [LOGO_METADATA]?: unknown;
  clientUri?: string;
  clientIdIssuedAt?: number;
  redirectUris?: string[];
  subjectType?: string;
}

/** oidc-provider sets client_id_issued_at on every registration (RFC 7591 §3.2.1), never on a configured client. */
export function isRegistered(client: ClientLike): boolean {
  return client.clientIdIssuedAt !== undefined;
}

export function describeClient(client: ClientLike): ClientDisplay {
  const name = client.clientName ?? client.clientId;
  const verified = !isRegistered(client);
  const host = verified ? undefined : (registrableHost(client.redirectUris?.[0]) ?? 'unverified');
  return {
    id: client.clientId,
    name,
    // The Content-Security-Policy loads images from this origin and data: only (no third party
    // learns who signs in where): a logo is shown when the operator embedded it.
    logoUri: isLogoDataUri(client[LOGO_METADATA]) ? client[LOGO_METADATA] : undefined,
    uri: client.clientUri,
    verified,
    host,
    label: host ? `${name} (${host})` : name,
    pairwise: client.subjectType === 'pairwise',
  };
}

/** The words for what a scope shares with this client: `openid` shares the address unless pairwise. */
export function scopeLabelKey(scope: string, client: Pick<ClientDisplay, 'pairwise'>): string {
  return scope === 'openid' && client.pairwise ? 'scope.openid.pairwise' : `scope.${scope}`;
}
