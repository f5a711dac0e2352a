/**
 * Grants for oidc-provider's loadExistingGrant: the grant the person consented to, or for a
 * first-party client (the operator's own apps, `first_party` in CLIENTS_FILE) one made without
 * a consent screen.
 */
import type { Configuration } from 'oidc-provider';

export const loadExistingOrFirstPartyGrant: NonNullable<Configuration['loadExistingGrant']> = async (ctx) => {
  const { oidc } = ctx;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(oidc.client!.clientId);
  if (grantId) {
    const existing = await oidc.provider.Grant.find(grantId);
    // A first-party client whose grant was revoked (account page) or expired gets a new one
    // below instead of a consent screen it never shows.
    if (existing || oidc.client?.first_party !== true) return existing;
  }
  // First-party clients (the operator's own apps) skip the consent screen: the grant is
  // whatever they asked for.
  if (oidc.client?.first_party === true && oidc.session?.accountId) {
    const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
    const requested = Object.keys({ ...oidc.claims?.id_token, ...oidc.claims?.userinfo });
    if (requested.length > 0) grant.addOIDCClaims(requested);
    for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
      const offered = new Set(String(server.scope).split(' '));
      const scopes = [...oidc.requestParamScopes].filter((scope) => offered.has(scope));
      if (scopes.length > 0) grant.addResourceScope(indicator, scopes.join(' '));
    }
    await grant.save();
    return grant;
  }
  return undefined;
};
