/**
 * Input declared on the route that takes it (SECURITY.md, "Validate input": an allow-list of
 * fields, each of one type and a bounded length, checked at the edge). `guard({ params, body })` sits before a route's handler: it
 * checks the path's parameters, then reads the body (bounded, see formBody) and holds it to
 * its schema, and hands the handler what passed as `ctx.guard`, typed by the schemas. The
 * handler reads nothing else of the request's body. Anything else is a 400 that names the
 * field; a malformed path id is the 400 its declaration names (src/errors.ts codes).
 *
 * oidc-provider's own endpoints (token, revocation, ...) parse and validate their bodies
 * themselves; parsing them here would make it warn and fall back, so none of them is guarded.
 */
import type { RouterMiddleware } from '@koa/router';
import type { Context, DefaultState } from 'koa';
import { z } from 'zod';
import { UserError, type ErrorCode } from '../errors.js';
import { formBody } from './validation.js';

/** What a guarded handler receives: the path's parameters and the body, as their declarations give them. */
export interface GuardedInput<P, B> {
  params: P;
  body: B;
}

export interface GuardContext<P, B> {
  guard: GuardedInput<P, B>;
}

/** The refusal of a malformed id in a path. */
export type MalformedId = Extract<ErrorCode, `${string}_id_malformed`>;

/** A path id: its shape, and the 400 when it has another. */
export interface PathId {
  pattern: RegExp;
  refusal: MalformedId;
}

export interface GuardSchemas<P extends Record<string, PathId>, B> {
  /** The path's parameters, each checked for shape before anything looks it up in storage. */
  params?: P;
  /** The body (form or JSON): a strict object of the fields the route takes. */
  body?: z.ZodType<B>;
}

/** Buttons that post nothing (a new text, consent). */
export const EMPTY_BODY = z.strictObject({});

/** An optional text field of at most `max` characters, trimmed; absent is "". */
export const textField = (max: number) => z.string().max(max).trim().default('');

/** A required text field of at most `max` characters. */
export const requiredText = (max: number) => z.string().max(max);

/** A path id of the given shape; a malformed one is refused with `refusal`. */
export const pathId = (pattern: RegExp, refusal: MalformedId): PathId => ({ pattern, refusal });

type AnySchemas = GuardSchemas<Record<string, PathId>, unknown>;
const guards = new WeakMap<object, AnySchemas>();

/** The declarations of a middleware made by guard(), or undefined for any other middleware. */
export function guardSchemas(middleware: unknown): AnySchemas | undefined {
  return typeof middleware === 'function' ? guards.get(middleware) : undefined;
}

const quoted = (name: PropertyKey) => `"${String(name).slice(0, 40)}"`;

/** The 400 for the first thing wrong with a body. */
function bodyRefusal(issue: z.core.$ZodIssue, body: unknown): UserError {
  if (issue.code === 'unrecognized_keys') return new UserError('fields_unknown', { fields: issue.keys.map(quoted).join(', ') });
  const [name] = issue.path;
  if (name === undefined) return new UserError('body_not_object');
  const field = String(name).slice(0, 40);
  if (issue.code === 'too_big') return new UserError('field_too_long', { field, max: Number(issue.maximum) });
  if ((body as Record<PropertyKey, unknown>)[name] === undefined) return new UserError('field_missing', { field });
  return new UserError('field_not_text', { field });
}

async function readBody<B>(ctx: Context, schema: z.ZodType<B>): Promise<B> {
  // Wallet apps post JSON and expect JSON back, refusals included.
  if (ctx.is('application/json') === 'application/json') ctx.state.api = true;
  // The body parser would silently ignore a body of any other type.
  if (ctx.request.length !== 0 && ctx.is('application/x-www-form-urlencoded', 'application/json') === false) {
    throw new UserError('body_type');
  }
  await formBody(ctx, async () => undefined);
  const body: unknown = ctx.request.body;
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw bodyRefusal(parsed.error.issues[0]!, body);
  return parsed.data;
}

/** The path's parameters, each of its declared shape. */
function readParams<P extends Record<string, PathId>>(ctx: Context, declared: P): { [K in keyof P]: string } {
  const params = {} as Record<string, string>;
  for (const [name, { pattern, refusal }] of Object.entries(declared)) {
    const value = (ctx.params as Record<string, string | undefined>)[name];
    if (value === undefined || !pattern.test(value)) throw new UserError(refusal);
    params[name] = value;
  }
  return params as { [K in keyof P]: string };
}

/**
 * The middleware that checks a route's input before its handler runs:
 * `router.post('/login', guard({ body: loginBody }), async (ctx) => ctx.guard.body.address)`.
 */
export function guard<P extends Record<string, PathId> = Record<never, PathId>, B = Record<string, never>>(
  schemas: GuardSchemas<P, B>,
): RouterMiddleware<DefaultState, GuardContext<{ [K in keyof P]: string }, B>> {
  const middleware: RouterMiddleware<DefaultState, GuardContext<{ [K in keyof P]: string }, B>> = async (ctx, next) => {
    const params = readParams(ctx, schemas.params ?? ({} as P));
    const body = schemas.body ? await readBody(ctx, schemas.body) : ({} as B);
    ctx.guard = { params, body };
    await next();
  };
  guards.set(middleware, schemas as AnySchemas);
  return middleware;
}
