/**
 * What the product does while its store (Redis) is away: answer 503 with a clear message and
 * Retry-After (RFC 9110 §15.6.4) instead of hanging, failing with a 500 or crashing, and serve
 * again by itself once ioredis has reconnected. Nothing is queued for later, so memory stays
 * flat however long the outage lasts, and nothing is half-done: every single-use transition is
 * one Lua script that either ran or did not.
 */
import type { Context, Middleware } from 'koa';
import { UserError } from '../errors.js';

export interface StoreStatus {
  /** True while the store answers commands. */
  available(): boolean;
}

export const ALWAYS_AVAILABLE: StoreStatus = { available: () => true };

const RETRY_AFTER_SECONDS = 5;

export function storeUnavailable(): UserError {
  return new UserError('temporarily_unavailable', {}, { retryAfterSeconds: RETRY_AFTER_SECONDS });
}

/**
 * ioredis's errors when a command could not reach Redis: the connection closed, the retries
 * per request ran out, a client refused to queue while disconnected, or Redis did not answer
 * within the command timeout (a hung server whose connection stays open).
 */
export function isStoreConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    error.message === 'Connection is closed.' ||
    error.message === 'Command timed out' ||
    /Redis connection is not ready|Stream isn't writeable|enableOfflineQueue/.test(error.message) ||
    (code !== undefined && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN', 'EHOSTUNREACH'].includes(code))
  );
}

/**
 * Refuses at once while the store is away (no request waits for a reconnect), and turns a
 * server error that happened because it went away mid-request — including oidc-provider's own
 * 500 pages, rendered before we see them — into the same 503. Paths that `needsNoStore` names
 * (discovery, the JWKS: configuration only) keep being served.
 */
export function availabilityGate(status: StoreStatus, needsNoStore: (path: string) => boolean = () => false): Middleware {
  return async (ctx, next) => {
    if (needsNoStore(ctx.path)) return next();
    if (!status.available()) throw storeUnavailable();
    await next();
    if (ctx.status >= 500 && ctx.status !== 503 && (!status.available() || (ctx.state as Record<symbol, unknown>)[STORE_FAILED] === true))
      throw storeUnavailable();
  };
}

const STORE_FAILED = Symbol('storeFailed');

/**
 * For a layer that catches its own errors and answers 500 itself (oidc-provider's
 * `server_error` event): when the error was the store's, the gate turns that 500 into the 503 —
 * the connection may look healthy while Redis hangs.
 */
export function noteStoreFailure(ctx: Context, error: unknown): void {
  if (isStoreConnectionError(error)) (ctx.state as Record<symbol, unknown>)[STORE_FAILED] = true;
}
