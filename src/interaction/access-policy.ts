/**
 * Per-client access rules, checked once the wallet proved its address and before the
 * interaction finishes (OIDC Core §3.1.2.6: a refused sign-in reaches the relying party as
 * access_denied, never as a code).
 */
import type { Context } from 'koa';

export type AccessDecision = { ok: true } | { ok: false; message: string };

export interface AccessPolicy {
  check(ctx: Context, request: { address: string; clientId: string }): Promise<AccessDecision>;
}

export const ALLOW_ALL: AccessPolicy = {
  async check() {
    return { ok: true };
  },
};
