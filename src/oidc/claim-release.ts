/**
 * What a relying party may receive is decided by scopes alone (docs/oidc-features.md, "What a
 * relying party can learn"): the consent page and the account page list scopes, so a claim
 * that no granted scope releases must never reach a token or userinfo, whatever the `claims`
 * request parameter (OIDC Core §5.5) asks for.
 *
 * Two guards, pure and apart from HTTP:
 * - at the authorization endpoint, the claims parameter is cut to the claims of the requested
 *   scopes before anything else reads it, so the consent prompt, the grant and the code never
 *   hold a claim the page cannot show. OIDC Core §5.5 lets the provider leave requested claims
 *   out ("MUST NOT generate an error when Claims are not returned"), so relying parties that
 *   ask for more still sign in, and simply do not receive it;
 * - at release, an account's claims are cut to those of the token's scopes (also for grants
 *   made before this rule, and for the operator's first-party clients that skip consent).
 */
import type { ClaimsParameter, FindAccount } from 'oidc-provider';

/** Claims every ID token may carry about the authentication itself (OIDC Core §2). */
const AUTHENTICATION_CLAIMS = ['sub', 'sid', 'auth_time', 'acr', 'amr', 'iss'];

export type ClaimsByScope = Record<string, readonly string[]>;

type ClaimsRequest = ClaimsParameter;

/** The claims that these scopes release. */
export function claimsOfScopes(claimsByScope: ClaimsByScope, scopes: Iterable<string>): Set<string> {
  const released = new Set<string>();
  for (const scope of scopes) for (const claim of claimsByScope[scope] ?? []) released.add(claim);
  return released;
}

/**
 * The claims request without the claims this provider releases only through a scope that was
 * not requested. Claims it does not know are left alone (oidc-provider ignores them).
 */
export function claimsRequestWithinScopes(claimsByScope: ClaimsByScope, scope: string, request: ClaimsRequest): ClaimsRequest {
  const known = claimsOfScopes(claimsByScope, Object.keys(claimsByScope));
  const released = claimsOfScopes(claimsByScope, scope.split(' ').filter(Boolean));
  const keep = (claim: string) => !known.has(claim) || released.has(claim) || AUTHENTICATION_CLAIMS.includes(claim);
  const cut = { ...request };
  for (const container of ['id_token', 'userinfo'] as const) {
    const asked = request[container];
    if (asked) cut[container] = Object.fromEntries(Object.entries(asked).filter(([claim]) => keep(claim)));
  }
  return cut;
}

/**
 * oidc-provider's claimsParameter.assertClaimsParameter: replaces the claims parameter by its
 * part within the requested scopes (oidc-provider reads ctx.oidc.params.claims afterwards).
 */
export function cutClaimsParameterToScopes(claimsByScope: ClaimsByScope) {
  return async (ctx: { oidc: { params?: Record<string, unknown> } }, claims: ClaimsRequest): Promise<void> => {
    const params = ctx.oidc.params;
    if (!params) return;
    params.claims = JSON.stringify(claimsRequestWithinScopes(claimsByScope, String(params.scope ?? ''), claims));
  };
}

/** Keeps only the claims that `scope` releases (the authentication claims always). */
export function limitToScope<T extends Record<string, unknown>>(claimsByScope: ClaimsByScope, scope: string, claims: T): T {
  const released = claimsOfScopes(claimsByScope, ['openid', ...scope.split(' ').filter(Boolean)]);
  return Object.fromEntries(Object.entries(claims).filter(([name]) => released.has(name) || AUTHENTICATION_CLAIMS.includes(name))) as T;
}

/** Wraps findAccount so that every account's claims are cut to the token's scopes. */
export function releasingScopeClaimsOnly(findAccount: FindAccount, claimsByScope: ClaimsByScope): FindAccount {
  return async (ctx, sub, token) => {
    const account = await findAccount(ctx, sub, token);
    if (!account) return account;
    return {
      ...account,
      claims: async (use, scope, requested, rejected) =>
        limitToScope(claimsByScope, scope, await account.claims(use, scope, requested, rejected)),
    };
  };
}
