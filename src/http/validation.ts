/**
 * Bounded bodies: the parser of our routes' forms and JSON (guard.ts reads bodies with it) and
 * the size limit in front of every endpoint.
 */
import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { UserError } from '../errors.js';

/** Forms and JSON bodies of at most 8 KiB: an address and a signature are about 130 bytes. */
export const formBody: Middleware = bodyParser({
  enableTypes: ['form', 'json'],
  formLimit: '8kb',
  jsonLimit: '8kb',
  onError(error) {
    const status = (error as { status?: number }).status;
    if (status === 413) throw new UserError('body_too_large', { kib: 8 });
    if (status === 415) throw new UserError('body_type');
    throw new UserError('body_unreadable');
  },
}) as Middleware;

/** The largest body any endpoint takes: oidc-provider reads up to 56 KiB, our forms 8 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Refuses a body announced larger than any endpoint takes before anything reads it (SECURITY.md,
 * "Validate input"). Chunked bodies without a length are bounded
 * by each endpoint's own parser.
 */
export function maxBodySize(limit = MAX_BODY_BYTES): Middleware {
  // A plain function: it lets nearly every request through, and an async layer costs a promise
  // and microtask turns on each (docs/performance.md, change 10).
  return (ctx, next) => {
    const length = ctx.request.length;
    if (length !== undefined && length > limit) {
      throw new UserError('body_too_large', { kib: Math.floor(limit / 1024) });
    }
    return next();
  };
}
