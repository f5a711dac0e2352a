/**
 * Accounts are addresses: whoever proved an address owns the account named by it. There is
 * no user table; the claims are derived from the address (OIDC Core §5.1).
 */
import type { Account, FindAccount } from 'oidc-provider';
import { parseAddress } from '../evrmore/address.js';
import { NETWORKS, type NetworkName } from '../evrmore/network.js';

export interface AccountOptions {
  network: NetworkName;
  /** `<address>@<emailDomain>` for the email scope; absent: no email claim. */
  emailDomain?: string;
}

/** The scope that releases the address itself (to pairwise clients too). */
export const ADDRESS_SCOPE = 'evrmore';

export function accountClaims(address: string, options: AccountOptions): Record<string, string> {
  return {
    sub: address,
    // Keycloak usernames may not contain ':', so the bare address is the username.
    preferred_username: address,
    name: address,
    evrmore_address: address,
    evrmore_network: options.network,
    // No email_verified: nobody verified a mailbox (OIDC Core §5.1).
    ...(options.emailDomain ? { email: `${address}@${options.emailDomain}` } : {}),
  };
}

/** Addresses already checked, so that the ~8 look-ups of one sign-in decode base58 once. */
const CHECKED_LIMIT = 10_000;

export function createFindAccount(options: AccountOptions): FindAccount {
  const network = NETWORKS[options.network];
  const checked = new Map<string, string | undefined>();
  const checkedAddress = (sub: string): string | undefined => {
    if (checked.has(sub)) return checked.get(sub);
    const parsed = parseAddress(sub, network);
    const address = parsed.ok ? parsed.address : undefined;
    if (checked.size >= CHECKED_LIMIT) checked.delete(checked.keys().next().value!);
    checked.set(sub, address);
    return address;
  };
  return async (ctx, sub): Promise<Account | undefined> => {
    const address = checkedAddress(sub);
    if (address === undefined) return undefined;
    const claims = accountClaims(address, options);
    // A pairwise client gets a per-sector `sub` instead of the address (OIDC Core §8.1); every
    // claim that carries the address is then released only with the `evrmore` scope.
    const pairwise = ctx.oidc?.client?.subjectType === 'pairwise';
    return {
      accountId: address,
      // oidc-provider filters these by the granted scopes and claims (OIDC Core §5.4).
      claims: async (_use, scope) => {
        if (!pairwise || scope.split(' ').includes(ADDRESS_SCOPE)) return claims as { sub: string };
        return { sub: claims.sub! };
      },
    };
  };
}
