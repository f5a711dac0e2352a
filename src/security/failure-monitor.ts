/**
 * Repeated failed sign-ins (SECURITY.md, "Alert on repeated failures from one IP"): failures are
 * counted per client IP and per address over a window; reaching the threshold raises one
 * `auth.alert` log event, a metric, an optional webhook POST, and (configurable) locks that IP
 * out of signing in for a while.
 *
 * Only IPs are locked out, never addresses: an address is public, so locking it would let
 * anyone keep its owner from signing in (SECURITY.md, "Rate limiting on authentication endpoints").
 * Nor is any rate limit keyed on an address: the per-address signal is an alert only.
 */
import type { Logger } from 'pino';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { SecurityConfig } from '../config/index.js';
import type { Metrics } from '../http/metrics.js';
import type { LimiterStorage } from './rate-limit.js';
import type { Lockouts } from './lockouts.js';

export interface FailedSignIn {
  ip: string;
  /** The rate-limit key of the IP (its /64 for IPv6). */
  ipKey: string;
  /** A well-formed address the attempt named, if any. */
  address?: string;
  clientId: string;
  channel: string;
  reason: string;
}

export interface AuthAlert {
  event: 'auth.alert';
  kind: 'ip' | 'address';
  ip: string;
  address?: string;
  client_id: string;
  failures: number;
  window_seconds: number;
  /** How long the IP is locked out; 0 when lock-out is off or the alert is about an address. */
  locked_out_seconds: number;
  last_reason: string;
  time: string;
}

export interface FailureMonitorOptions {
  /** Where the failure counts are kept. */
  limiters: LimiterStorage;
  /** Where lock-outs are kept; used when the settings lock out (lockoutSeconds > 0). */
  lockouts: Lockouts;
  settings: SecurityConfig['failures'];
  logger: Logger;
  metrics: Metrics;
  /** How long a webhook POST may take before it is abandoned. */
  webhookTimeoutMs?: number;
}

export class FailureMonitor {
  private readonly byIp: RateLimiterAbstract;
  private readonly byAddress: RateLimiterAbstract;
  private readonly lockouts?: Lockouts;
  private readonly deliveries = new Set<Promise<void>>();

  constructor(private readonly options: FailureMonitorOptions) {
    const { threshold, windowSeconds, lockoutSeconds } = options.settings;
    const window = { points: threshold, durationSeconds: windowSeconds };
    this.byIp = options.limiters('fail:ip', window);
    this.byAddress = options.limiters('fail:address', window);
    if (lockoutSeconds > 0) this.lockouts = options.lockouts;
  }

  /** Milliseconds until this IP may sign in again; 0 when it is not locked out. */
  async lockedOutFor(ipKey: string): Promise<number> {
    return this.lockouts ? this.lockouts.remainingMs(ipKey) : 0;
  }

  /** Counts a failed sign-in; the one that reaches the threshold raises the alert. */
  async recordFailure(failure: FailedSignIn): Promise<void> {
    const { threshold } = this.options.settings;
    const ipCount = (await this.byIp.penalty(failure.ipKey, 1)).consumedPoints;
    if (ipCount >= threshold && this.lockouts) {
      // Every failure past the threshold within the window locks again: after a lock-out ends,
      // one more failure is enough to be locked out once more.
      await this.lockouts.lock(failure.ipKey, this.options.settings.lockoutSeconds);
      this.options.metrics.lockouts.inc();
    }
    if (ipCount === threshold) this.alert('ip', failure, ipCount, this.lockouts ? this.options.settings.lockoutSeconds : 0);
    if (failure.address) {
      const addressCount = (await this.byAddress.penalty(failure.address, 1)).consumedPoints;
      if (addressCount === threshold) this.alert('address', failure, addressCount, 0);
    }
  }

  /** Resolves when every webhook POST in flight has finished (tests, graceful shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.deliveries]);
  }

  private alert(kind: AuthAlert['kind'], failure: FailedSignIn, failures: number, lockedOutSeconds: number): void {
    const alert: AuthAlert = {
      event: 'auth.alert',
      kind,
      ip: failure.ip,
      ...(failure.address ? { address: failure.address } : {}),
      client_id: failure.clientId,
      failures,
      window_seconds: this.options.settings.windowSeconds,
      locked_out_seconds: lockedOutSeconds,
      last_reason: failure.reason,
      time: new Date().toISOString(),
    };
    this.options.metrics.authAlerts.inc({ kind });
    const about = kind === 'ip' ? 'from one IP' : 'against one address';
    this.options.logger.warn(
      alert,
      `repeated failed sign-ins ${about}${lockedOutSeconds ? `; IP locked out for ${lockedOutSeconds}s` : ''}`,
    );
    this.deliver(alert);
  }

  /**
   * POSTs the alert as JSON without making the request wait for it: a slow or dead receiver
   * costs at most the timeout, in the background. The URL is never logged (chat webhooks
   * carry their secret in it).
   */
  private deliver(alert: AuthAlert): void {
    const url = this.options.settings.webhookUrl;
    if (!url) return;
    const { logger } = this.options;
    const delivery = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'evrmore-accounts-alert' },
      body: JSON.stringify(alert),
      redirect: 'error',
      signal: AbortSignal.timeout(this.options.webhookTimeoutMs ?? 5000),
    })
      .then(async (response) => {
        await response.body?.cancel();
        if (!response.ok)
          logger.warn({ event: 'auth.alert.webhook_failed', status: response.status }, 'the alert webhook refused the alert');
      })
      .catch((error: unknown) => {
        logger.warn({ event: 'auth.alert.webhook_failed', error: (error as Error).name }, 'the alert webhook could not be reached');
      })
      .finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
  }
}
