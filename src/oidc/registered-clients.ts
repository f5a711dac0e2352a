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
