/**
 * Feeds the account page's store from oidc-provider's events (its docs/events.md), so that no
 * route of the sign-in needs to know about the account page:
 * - `grant.saved`: a consent (or a first-party client's implicit grant) now exists for an
 *   address and a client;
 * - `authorization.success`: an application received a code for an address — a sign-in, be it
 *   with a fresh signature or with the browser's existing session.
 * Event listeners cannot make the response wait, so writes run in the background; a failed one
 * is logged and costs one line of history, never a sign-in.
 */
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import { clientIp } from '../security/client-ip.js';
import type { AccountStore } from './store.js';

export interface AccountActivity {
  /** Resolves when the writes started so far are done (tests, shutdown). */
  settle(): Promise<void>;
}

export function recordAccountActivity(
  provider: Provider,
  store: AccountStore,
  logger: Logger,
  options: { grantTtlSeconds: number },
): AccountActivity {
  const pending = new Set<Promise<void>>();
  const track = (event: string, write: () => Promise<void>) => {
    const promise = write()
      .catch((error: unknown) =>
        logger.warn(
          { event: 'account.record_failed', source: event, error: (error as Error).message },
          'could not record account activity',
        ),
      )
      .finally(() => pending.delete(promise));
    pending.add(promise);
  };

  provider.on('grant.saved', (grant: { jti: string; accountId?: string; clientId?: string }) => {
    const { accountId, clientId, jti } = grant;
    if (!accountId || !clientId) return;
    track('grant.saved', () => store.addGrant(accountId, { grantId: jti, clientId }, options.grantTtlSeconds));
  });

  provider.on('authorization.success', (ctx: KoaContextWithOIDC) => {
    const accountId = ctx.oidc?.session?.accountId;
    const clientId = ctx.oidc?.client?.clientId;
    if (!accountId || !clientId) return;
    const ip = clientIp(ctx as unknown as Context);
    track('authorization.success', () => store.addSignIn(accountId, { at: Math.floor(Date.now() / 1000), clientId, ip }));
  });

  return {
    async settle() {
      await Promise.all([...pending]);
    },
  };
}
