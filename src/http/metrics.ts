/**
 * Prometheus metrics (SECURITY.md, "Monitor unusual patterns"; docs/monitoring.md): sign-in attempts by outcome, challenge
 * latency, token issuance, rate-limit rejections, alerts and Redis errors, at GET /metrics,
 * optionally behind a bearer token (RFC 6750). Each product has its own registry, so tests
 * that run several products in one process count apart; process metrics are collected once.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  signinAttempts: Counter<'channel' | 'outcome' | 'reason'>;
  challengeIssueSeconds: Histogram;
  tokensIssued: Counter<'type'>;
  tokensRevoked: Counter<'type'>;
  rateLimitRejections: Counter<'limit'>;
  authAlerts: Counter<'kind'>;
  lockouts: Counter;
  redisErrors: Counter;
  redisUp: Gauge;
  backchannelLogoutFailures: Counter<'client_id'>;
}

let processRegistry: Registry | undefined;

/** CPU, memory, event loop and GC of this process: one collector however many products run. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    signinAttempts: new Counter({
      name: 'evrmore_signin_attempts_total',
      help: 'Sign-in attempts by channel (form, wallet, continue), outcome (success, failure, refused) and reason code',
      labelNames: ['channel', 'outcome', 'reason'],
      registers,
    }),
    challengeIssueSeconds: new Histogram({
      name: 'evrmore_challenge_issue_seconds',
      help: 'Time to create and store a sign-in challenge',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    tokensIssued: new Counter({
      name: 'evrmore_tokens_issued_total',
      help: 'Tokens and codes issued, by type',
      labelNames: ['type'],
      registers,
    }),
    tokensRevoked: new Counter({
      name: 'evrmore_tokens_revoked_total',
      help: 'Tokens destroyed before expiry and grants revoked, by type',
      labelNames: ['type'],
      registers,
    }),
    rateLimitRejections: new Counter({
      name: 'evrmore_rate_limit_rejections_total',
      help: 'Requests refused with 429 by a rate limit or a lock-out, by limit',
      labelNames: ['limit'],
      registers,
    }),
    authAlerts: new Counter({
      name: 'evrmore_auth_alerts_total',
      help: 'auth.alert events: repeated failed sign-ins from one IP or against one address',
      labelNames: ['kind'],
      registers,
    }),
    lockouts: new Counter({
      name: 'evrmore_lockouts_total',
      help: 'Lock-outs of a client IP after repeated failed sign-ins (each renewal counts)',
      registers,
    }),
    redisErrors: new Counter({ name: 'evrmore_redis_errors_total', help: 'Redis connection and command errors', registers }),
    backchannelLogoutFailures: new Counter({
      name: 'evrmore_backchannel_logout_failures_total',
      help: 'Back-channel logout requests (OIDC Back-Channel Logout 1.0) that failed, by client',
      labelNames: ['client_id'],
      registers,
    }),
    redisUp: new Gauge({
      name: 'evrmore_redis_up',
      help: '1 when the Redis connection is ready, 0 otherwise (absent on the in-memory store)',
      registers,
    }),
  };
}

/** A label value from our own error codes; anything else is "other", so labels stay bounded. */
export function reasonLabel(reason: string | undefined): string {
  if (reason === undefined) return '';
  return /^[a-z][a-z_]{0,39}$/.test(reason) ? reason : 'other';
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** GET /metrics in the Prometheus text format; with a token, only for `Authorization: Bearer <token>`. */
export function metricsRoutes(metrics: Metrics, token?: string): Router {
  const router = new Router();
  const expected = token === undefined ? undefined : digest(token);
  router.get('/metrics', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    if (expected) {
      const presented = /^Bearer (\S+)$/i.exec(ctx.get('Authorization'))?.[1];
      // Compared as digests in constant time, so the comparison leaks neither length nor prefix.
      if (!presented || !timingSafeEqual(digest(presented), expected)) {
        ctx.status = 401;
        ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
        ctx.body = { error: 'invalid_token', error_description: 'GET /metrics needs the bearer token configured in METRICS_TOKEN.' };
        return;
      }
    }
    const merged = Registry.merge([processMetrics(), metrics.registry]);
    ctx.type = merged.contentType;
    ctx.body = await merged.metrics();
  });
  return router;
}
