/**
 * Input checks shared by every route: bounded bodies, fields of the expected type and size,
 * and ids checked for shape before anything looks them up in storage.
 */
import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { UserError, type ErrorCode } from '../errors.js';

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

/** `value` if it has the shape of `pattern`; otherwise the 400 of `refusal`. */
export function requireShape(value: string | undefined, pattern: RegExp, refusal: Extract<ErrorCode, `${string}_id_malformed`>): string {
  if (value === undefined || !pattern.test(value)) throw new UserError(refusal);
  return value;
}

/** A text field: absent is "", a non-string (repeated key, object) or an over-long one is a 400. */
export function stringField(body: unknown, name: string, maxLength: number): string {
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new UserError('field_not_text', { field: name });
  const trimmed = value.trim();
  if (trimmed.length > maxLength) throw new UserError('field_too_long', { field: name, max: maxLength });
  return trimmed;
}

/** The largest body any endpoint takes: oidc-provider reads up to 56 KiB, our forms 8 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Refuses a body announced larger than any endpoint takes before anything reads it (OWASP
 * API4:2023, unrestricted resource consumption). Chunked bodies without a length are bounded
 * by each endpoint's own parser.
 */
export function maxBodySize(limit = MAX_BODY_BYTES): Middleware {
  return async (ctx, next) => {
    const length = ctx.request.length;
    if (length !== undefined && length > limit) {
      throw new UserError('body_too_large', { kib: Math.floor(limit / 1024) });
    }
    await next();
  };
}
