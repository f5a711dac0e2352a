/**
 * Caps on the sign-in pages' event streams (HTML Living Standard §9.2). Each open stream holds a
 * connection, a subscription and a periodic check until its challenge ends: without a cap one
 * client can hold thousands (SECURITY.md, "Event streams and status polls bounded"). They are counted per client IP and in total, per
 * instance (what they cost is this process's sockets and memory); beyond a cap the answer is
 * 429 and the page polls /status instead, which has its own rate limit.
 */
import type { Context } from 'koa';
import type { Metrics } from '../http/metrics.js';
import { tooManyRequests } from './rate-limit.js';
import { clientIp, ipKey } from './client-ip.js';

export class StreamSlots {
  private readonly byKey = new Map<string, number>();
  private open = 0;

  constructor(private readonly limits: { perIp: number; total: number }) {}

  /** Takes a slot for `key`; returns its release (idempotent), or undefined when a cap is reached. */
  acquire(key: string): (() => void) | undefined {
    const held = this.byKey.get(key) ?? 0;
    if (held >= this.limits.perIp || this.open >= this.limits.total) return undefined;
    this.byKey.set(key, held + 1);
    this.open += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open -= 1;
      const left = (this.byKey.get(key) ?? 1) - 1;
      if (left > 0) this.byKey.set(key, left);
      else this.byKey.delete(key);
    };
  }

  get size(): number {
    return this.open;
  }
}

/** How long a refused page waits before it asks again (it polls meanwhile). */
const RETRY_AFTER_MS = 10_000;

/** A slot for the request's client IP, or the 429 (counted as the `event_streams` limit). */
export function eventStreamGate(slots: StreamSlots, metrics: Metrics): (ctx: Context) => () => void {
  return (ctx) => {
    const release = slots.acquire(ipKey(clientIp(ctx)));
    if (release) return release;
    metrics.rateLimitRejections.inc({ limit: 'event_streams' });
    throw tooManyRequests(RETRY_AFTER_MS, 'rate_limited_streams');
  };
}
