import { createHmac } from 'node:crypto';

/**
 * Pairwise subject identifier (OIDC Core §8.1): the same address gets a different, stable
 * `sub` at each sector (the host of the client's redirect URIs, or its sector_identifier_uri),
 * so relying parties cannot link a person across sectors by `sub`. A keyed hash, so nobody
 * without the salt can compute or reverse it.
 */
export function pairwiseSubject(salt: string, sectorIdentifier: string, accountId: string): string {
  return createHmac('sha256', salt).update(`${sectorIdentifier}\n${accountId}`).digest('base64url');
}
