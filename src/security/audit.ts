/**
 * The AuthHooks of the product (SECURITY.md, "Log successful and failed authentication attempts"): before an
 * attempt, the lock-out and the rate limits may refuse it with a 429; after it, every outcome
 * is written to the audit log and counted, and failures feed the failure monitor. Token
 * issuance and revocation are audited from oidc-provider's events.
 *
 * Audit lines are structured (pino JSON): time, event, ip, client_id, address, channel,
 * outcome, reason. They never hold a signature, token, code, cookie, challenge id or
 * interaction id (the last two are capabilities: the wallet URL and the interaction cookie's
 * value). A typed "address" is logged only when it has the shape of one, so a signature pasted
 * into the address field does not reach the log.
 */
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import { UserError } from '../errors.js';
import { loggablePath } from '../logger.js';
import { reasonLabel, type Metrics } from '../http/metrics.js';
import { LOCKED_OUT, type AuthAttemptInfo, type AuthHooks, type AuthOutcome } from '../interaction/auth-hooks.js';
import { clientIp, ipKey } from './client-ip.js';
import { REUSED_WITHIN_INTERVAL } from '../oidc/refresh-grant.js';
import type { FailureMonitor } from './failure-monitor.js';
import { tooManyRequests, type RateLimits } from './rate-limit.js';
import { requestLimiter } from './limited-requests.js';

const lockedOutError = (remainingMs: number): UserError => tooManyRequests(remainingMs, LOCKED_OUT);

/** The lock-out's 429 for this request's IP, or undefined: the sign-in page asks before showing a form. */
export function lockoutRefusal(monitor: FailureMonitor): (ctx: Context) => Promise<UserError | undefined> {
  return async (ctx) => {
    const remainingMs = await monitor.lockedOutFor(ipKey(clientIp(ctx)));
    return remainingMs > 0 ? lockedOutError(remainingMs) : undefined;
  };
}

/** Base58 (no 0, O, I, l) of an address's length: what an Evrmore address can look like. */
const ADDRESS_SHAPE = /^[1-9A-HJ-NP-Za-km-z]{25,36}$/;

/**
 * Failures that say nothing about an attacker: time ran out, the phone has not signed yet, the
 * signature already arrived from the other device, or our own fault. Everything else (wrong
 * signature, wrong address or network, malformed input, a dead or replayed challenge) counts.
 */
const NOT_COUNTED = new Set(['challenge_expired', 'challenge_not_signed', 'challenge_signed', 'server_error', 'temporarily_unavailable']);

export function loggableAddress(address: string | undefined): string | undefined {
  return address !== undefined && ADDRESS_SHAPE.test(address) ? address : undefined;
}

export interface SecurityHooksDeps {
  limits: RateLimits;
  monitor: FailureMonitor;
  logger: Logger;
  metrics: Metrics;
}

type Outcome = AuthOutcome['outcome'] | 'refused';

export function createSecurityHooks(deps: SecurityHooksDeps): AuthHooks {
  const { monitor, logger, metrics } = deps;
  const limit = requestLimiter(deps.limits);

  const audit = (ctx: Context, info: AuthAttemptInfo, outcome: Outcome, reason?: string) => {
    const address = loggableAddress(info.address);
    const line = {
      event: 'auth.attempt',
      ip: clientIp(ctx),
      client_id: info.clientId,
      ...(address ? { address } : info.address ? { address_malformed: true } : {}),
      channel: info.channel,
      outcome,
      ...(reason ? { reason } : {}),
    };
    // A success is routine: its event and outcome say it all, without a message (docs/monitoring.md, "Log volume").
    if (outcome === 'success') logger.info(line);
    else logger.warn(line, outcome === 'refused' ? 'sign-in attempt refused before checking' : 'sign-in failed');
    metrics.signinAttempts.inc({ channel: info.channel, outcome, reason: reasonLabel(reason) });
  };

  return {
    async admit(ctx) {
      const key = ipKey(clientIp(ctx));
      // Only the sender's IP is limited or locked out, never the address the attempt names:
      // an address is public, so anything keyed on it would let anyone keep its owner out
      // (SECURITY.md, "Rate limiting on authentication endpoints"). A signature cannot be guessed,
      // and the work an attacker causes is bounded per IP and per challenge's attempts; floods
      // naming one address raise the failure monitor's alert instead. The lock-out and the
      // limit are asked together (one round trip to Redis); an attempt during a lock-out still
      // counts against the IP's limit.
      const [locked, limited] = await Promise.allSettled([monitor.lockedOutFor(key), limit(ctx, 'signInAttempt')]);
      if (locked.status === 'rejected') throw locked.reason;
      if (locked.value > 0) {
        metrics.rateLimitRejections.inc({ limit: 'lockout' });
        return lockedOutError(locked.value);
      }
      if (limited.status === 'fulfilled') return undefined;
      if (limited.reason instanceof UserError && limited.reason.status === 429) return limited.reason;
      throw limited.reason;
    },

    refused(ctx, info, refusal) {
      audit(ctx, info, 'refused', refusal.publicCode);
    },

    async after(ctx, outcome) {
      audit(ctx, outcome, outcome.outcome, outcome.reason);
      if (outcome.outcome !== 'failure' || NOT_COUNTED.has(outcome.reason ?? '')) return;
      const ip = clientIp(ctx);
      try {
        await monitor.recordFailure({
          ip,
          ipKey: ipKey(ip),
          address: loggableAddress(outcome.address),
          clientId: outcome.clientId,
          channel: outcome.channel,
          reason: outcome.reason ?? 'unknown',
        });
      } catch (error) {
        // The person already has their answer; a counter that could not be written (Redis away)
        // must not turn it into another one.
        metrics.redisErrors.inc();
        logger.warn({ event: 'auth.monitor_failed', error: (error as Error).message }, 'could not count a failed sign-in');
      }
    },
  };
}

interface TokenLike {
  clientId?: string;
  accountId?: string;
  grantId?: string;
  scope?: string;
  expiresIn?: number;
  gty?: string;
}

/**
 * Audit lines and metrics from oidc-provider's events (its docs/events.md): every token and
 * code issued, every token destroyed and grant revoked, token-endpoint and revocation errors,
 * logouts and provider-side server errors. The token objects' ids (jti) are the token values
 * for opaque tokens and codes, so they are never logged.
 */
export function auditProviderEvents(provider: Provider, logger: Logger, metrics: Metrics): void {
  const describe = (token: TokenLike) => ({
    client_id: token.clientId,
    ...(token.accountId ? { address: token.accountId } : {}),
    ...(token.grantId ? { grant_id: token.grantId } : {}),
    ...(token.scope ? { scope: token.scope } : {}),
    // The grant that issued it (oidc-provider's gty lists every grant since the code, e.g.
    // "authorization_code refresh_token"; the last is this one, as on the id_token line).
    ...(token.gty ? { grant_type: token.gty.slice(token.gty.lastIndexOf(' ') + 1) } : {}),
  });
  const issued = (type: string) => (token: TokenLike) => {
    metrics.tokensIssued.inc({ type });
    // Routine, several a sign-in: no message (event and type say it; docs/monitoring.md, "Log volume").
    logger.info({ event: 'token.issued', type, ...describe(token), expires_in: token.expiresIn });
  };
  const destroyed = (type: string) => (token: TokenLike) => {
    metrics.tokensRevoked.inc({ type });
    logger.info({ event: 'token.revoked', type, ...describe(token) }, `${type} revoked`);
  };
  const failed = (event: string) => (ctx: KoaContextWithOIDC, error: { error?: string; error_description?: string; message?: string }) => {
    logger.warn(
      {
        event,
        ip: clientIp(ctx as unknown as Context),
        client_id: ctx.oidc?.client?.clientId,
        error: error.error ?? 'server_error',
        error_description: error.error_description,
      },
      `${event.replace('.', ' ')}`,
    );
  };

  provider.on('authorization_code.saved', issued('authorization_code'));
  provider.on('access_token.saved', issued('access_token'));
  provider.on('access_token.issued', issued('access_token'));
  provider.on('refresh_token.saved', issued('refresh_token'));
  provider.on('client_credentials.saved', issued('client_credentials'));
  provider.on('client_credentials.issued', issued('client_credentials'));
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    // ID tokens are signed, not stored, so no model event announces them.
    const body = ctx.body as Record<string, unknown> | undefined;
    if (body && typeof body === 'object' && 'id_token' in body) {
      metrics.tokensIssued.inc({ type: 'id_token' });
      logger.info({
        event: 'token.issued',
        type: 'id_token',
        client_id: ctx.oidc.client?.clientId,
        grant_type: ctx.oidc.params?.grant_type,
      });
    }
  });

  provider.on('access_token.destroyed', destroyed('access_token'));
  provider.on('refresh_token.destroyed', destroyed('refresh_token'));
  // src/oidc/refresh-grant.ts: parallel refreshes, or a replay of a stolen token within the interval.
  // Our own event, so not in oidc-provider's typed event map.
  (provider as unknown as NodeJS.EventEmitter).on(REUSED_WITHIN_INTERVAL, (ctx: KoaContextWithOIDC, current: TokenLike) => {
    logger.info(
      { event: 'token.reused_within_interval', type: 'refresh_token', ip: clientIp(ctx as unknown as Context), ...describe(current) },
      'a rotated-out refresh token was presented again within REFRESH_TOKEN_REUSE_INTERVAL and answered with the current one',
    );
  });
  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    metrics.tokensRevoked.inc({ type: 'grant' });
    logger.info({ event: 'token.revoked', type: 'grant', grant_id: grantId, client_id: ctx.oidc?.client?.clientId }, 'grant revoked');
  });

  provider.on('grant.error', failed('token.error'));
  provider.on('revocation.error', failed('revocation.error'));
  provider.on('introspection.error', failed('introspection.error'));
  provider.on('userinfo.error', failed('userinfo.error'));

  // A relying party that did not hear of a sign-out keeps its session open: the operator must
  // know (oidc-provider otherwise drops the failure silently).
  provider.on(
    'backchannel.error',
    (_ctx: KoaContextWithOIDC, error: Error, client: { clientId: string; backchannelLogoutUri?: string }) => {
      metrics.backchannelLogoutFailures.inc({ client_id: client.clientId });
      logger.warn(
        { event: 'backchannel.error', client_id: client.clientId, uri: client.backchannelLogoutUri, error: error.message },
        'back-channel logout failed: the application did not hear of the sign-out',
      );
    },
  );
  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    logger.info({ event: 'session.ended', ip: clientIp(ctx as unknown as Context), client_id: ctx.oidc?.client?.clientId }, 'signed out');
  });
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: Error) => {
    // Name and message only: a storage error's own fields can hold the command and its
    // arguments, i.e. the stored token.
    logger.error(
      { event: 'server_error', method: ctx.method, path: loggablePath(ctx.path), error: { name: error.name, message: error.message } },
      'oidc-provider server error',
    );
  });
}
