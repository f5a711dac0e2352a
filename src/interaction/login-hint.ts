/**
 * login_hint (OIDC Core §3.1.2.1): a relying party that knows which address it expects may
 * say so; the login page then names it and refuses a signature by another address. A hint
 * that is not an address of this network is only a hint, and ignored.
 */
import { parseAddress } from '../evrmore/address.js';
import type { EvrmoreNetwork } from '../evrmore/network.js';
import { UserError } from '../errors.js';

export function expectedAddress(params: Record<string, unknown>, network: EvrmoreNetwork): string | undefined {
  const hint = params.login_hint;
  if (typeof hint !== 'string') return undefined;
  const parsed = parseAddress(hint, network);
  return parsed.ok ? parsed.address : undefined;
}

export function assertExpectedAddress(expected: string | undefined, address: string | undefined): void {
  if (expected && address && address !== expected) {
    throw new UserError('login_hint_mismatch', { address: expected });
  }
}
