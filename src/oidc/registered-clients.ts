/**
 * Rules for clients that register themselves (RFC 7591) and manage their registration
 * (RFC 7592), checked on the whole metadata once per registration or update.
 *
 * An update must not change what the grants people already gave release: a pairwise client
 * (OIDC Core §8.1) that turned public, or moved to another sector, would receive with its next
 * refresh, or at userinfo with an old access token, identifiers nobody agreed to give it (the
 * address itself, or another sector's pairwise identifiers). Such a change is refused; a
 * client that needs it registers anew, and people consent again.
 */

/** Longest client_name a client may register: enough for a product name, too short for a story. */
export const CLIENT_NAME_MAX = 60;

/** Letters, marks, digits, spaces and a little punctuation: no quotes, slashes, colons or symbols. */
const NAME_CHARACTERS = /^[\p{L}\p{M}\p{N} .,&()+_-]+$/u;
/** Something that reads as a host name: a label, a dot, and letters (grafana.com, evil.example). */
const LOOKS_LIKE_HOST = /[\p{L}\p{N}-]\.\p{L}{2,}/u;

/** How names are compared: case, width and spacing do not make a name different. */
export function comparableName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Why a self-registered client cannot use this client_name, or undefined. Its pages and the
 * text to sign show its redirect host beside the name (src/oidc/client-identity.ts); these rules
 * keep the name itself from posing as another application or site.
 */
export function clientNameProblem(name: unknown, configuredNames: ReadonlySet<string>): string | undefined {
  if (name === undefined) return undefined;
  if (typeof name !== 'string' || name.trim() === '') return 'client_name must be a non-empty string';
  if ([...name].length > CLIENT_NAME_MAX) return `client_name must be at most ${CLIENT_NAME_MAX} characters`;
  if (!NAME_CHARACTERS.test(name)) return 'client_name may contain letters, digits, spaces and . , & ( ) + _ - only';
  if (LOOKS_LIKE_HOST.test(name))
    return 'client_name must not contain a host name: the sign-in pages show the host of your redirect_uris beside the name';
  if (configuredNames.has(comparableName(name)))
    return "client_name is the name of an application configured by this provider's operator; choose another";
  return undefined;
}

/**
 * OIDC Back-Channel Logout 1.0 §2.2: "The domain, port, and scheme of this URL MUST be the same
 * as that of a registered Redirection URI value", so a registered client cannot point the
 * provider's logout requests at someone else's server.
 */
export function backchannelLogoutProblem(metadata: Record<string, unknown>): string | undefined {
  const uri = metadata.backchannel_logout_uri;
  if (uri === undefined) return undefined;
  const origin = (value: unknown) => {
    try {
      return typeof value === 'string' ? new URL(value).origin : undefined;
    } catch {
      return undefined;
    }
  };
  const target = origin(uri);
  const redirects = Array.isArray(metadata.redirect_uris) ? metadata.redirect_uris.map(origin) : [];
  if (target === undefined || !redirects.includes(target)) {
    return 'backchannel_logout_uri must have the scheme, host and port of one of the redirect_uris (OIDC Back-Channel Logout 1.0 §2.2)';
  }
  return undefined;
}

/** What an existing registered client releases that an update must keep. */
export interface ReleasingIdentity {
  subjectType: string;
  /** The pairwise sector (oidc-provider's Client#sectorIdentifier). */
  sectorIdentifier?: string;
}

/** The pairwise sector of new metadata, as oidc-provider works it out (OIDC Core §8.1). */
export function sectorOf(metadata: Record<string, unknown>): string | undefined {
  const from = (uri: unknown) => {
    try {
      return typeof uri === 'string' ? new URL(uri).host : undefined;
    } catch {
      return undefined;
    }
  };
  if (metadata.sector_identifier_uri !== undefined) return from(metadata.sector_identifier_uri);
  return Array.isArray(metadata.redirect_uris) ? from(metadata.redirect_uris[0]) : undefined;
}

/** Why this update of a registered client cannot be accepted, or undefined. */
export function registrationUpdateProblem(existing: ReleasingIdentity, metadata: Record<string, unknown>): string | undefined {
  const subjectType = typeof metadata.subject_type === 'string' ? metadata.subject_type : 'public';
  if (subjectType !== existing.subjectType) {
    return `subject_type cannot change from ${existing.subjectType} to ${subjectType}: people consented to this client under ${existing.subjectType} identifiers; register a new client instead`;
  }
  if (subjectType === 'pairwise' && sectorOf(metadata) !== existing.sectorIdentifier) {
    return `the sector of a pairwise client (the host of its first redirect_uri, or its sector_identifier_uri) cannot change from ${existing.sectorIdentifier} to ${sectorOf(metadata) ?? 'none'}: it would change the identifiers people were given; register a new client instead`;
  }
  return undefined;
}
