/**
 * Revoking an application ends every grant this address gave it: its refresh tokens and
 * opaque access tokens stop working at once (introspection says inactive), and its next
 * sign-in asks for consent again. JWT access tokens for APIs cannot be recalled: they live
 * until they expire (JWT_ACCESS_TOKEN_TTL or the API's accessTokenTtl), which the page says.
 */
import type Provider from 'oidc-provider';
import type { AccountStore, GrantRef } from './store.js';

export async function revokeGrant(provider: Provider, store: AccountStore, address: string, ref: GrantRef): Promise<void> {
  const grant = await provider.Grant.find(ref.grantId);
  // The index is ours; the grant is the provider's: only a grant of this very address goes.
  if (grant && grant.accountId !== address) return;
  await Promise.all([
    provider.AccessToken.revokeByGrantId(ref.grantId),
    provider.RefreshToken.revokeByGrantId(ref.grantId),
    provider.AuthorizationCode.revokeByGrantId(ref.grantId),
    provider.DeviceCode.revokeByGrantId(ref.grantId),
  ]);
  if (grant) await grant.destroy();
  await store.removeGrant(address, ref.grantId);
}
