/**
 * Wrong device-flow user codes (RFC 8628 §5.1: a user code is short enough to guess). Each one
 * counts toward the service-wide limit of user-code entry (src/security/limited-requests.ts),
 * and toward the repeated-failure alert and lock-out of its IP, like a wrong signature.
 */
import type { Context } from 'koa';
import { clientIp, ipKey } from './client-ip.js';
import type { FailureMonitor } from './failure-monitor.js';
import type { RateLimits } from './rate-limit.js';
import { countFailure } from './limited-requests.js';

/** What to do with each wrong user code (oidc-provider re-renders the code page for it). */
export function wrongUserCodeCounter(deps: { limits: RateLimits; monitor: FailureMonitor }): (ctx: Context) => Promise<void> {
  return async (ctx) => {
    const ip = clientIp(ctx);
    await Promise.all([
      countFailure(deps.limits, ctx, 'userCodeEntry'),
      deps.monitor.recordFailure({ ip, ipKey: ipKey(ip), clientId: 'device', channel: 'device', reason: 'user_code_not_found' }),
    ]);
  };
}
