/**
 * Strict schemas for every form and JSON body the product accepts (security document, "API
 * Security Considerations" 3; OWASP Input Validation Cheat Sheet: allow-list, type and length
 * at the edge). A body is parsed (bounded, see formBody) and checked here before any route
 * runs: only the fields listed, each a single string of bounded length, and a JSON body must
 * be an object. Anything else is a 400 that names the field. The routes still trim and read
 * their fields with stringField; a new form field must be added here as well.
 *
 * oidc-provider's own endpoints (token, revocation, ...) parse and validate their bodies
 * themselves; parsing them here would make it warn and fall back, so they are not listed.
 */
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { CHALLENGE_ID_PATTERN } from '../challenge/text.js';
import { INTERACTION_UID_PATTERN } from '../interaction/routes.js';
import { UserError } from '../errors.js';
import { formBody } from './validation.js';

const text = (max: number) => z.string().max(max).optional();

export const BODY_SCHEMAS = {
  /** The same-device form of the login page. */
  login: z.strictObject({ address: text(128), signature: text(200), challenge_id: text(64) }),
  /** The wallet URL: the phone's form, or a wallet app's JSON. */
  wallet: z.strictObject({ address: text(128), signature: text(200) }),
  /** Cancel; `reason` says an access rule refused the address (the "denied" page). */
  abort: z.strictObject({ reason: text(32) }),
  /** Continuing after the phone signed: the address the person confirmed ("Continue as …?"). */
  continue: z.strictObject({ address: text(128) }),
  /** Buttons that post nothing: new text, consent. */
  empty: z.strictObject({}),
} as const;

interface BodyRule {
  pattern: RegExp;
  /** The path's id, checked for shape; a malformed one is left to the route's own 400. */
  id: RegExp;
  schema: z.ZodType;
}

const RULES: BodyRule[] = [
  { pattern: /^\/interaction\/([^/]+)\/login$/, id: INTERACTION_UID_PATTERN, schema: BODY_SCHEMAS.login },
  { pattern: /^\/interaction\/([^/]+)\/abort$/, id: INTERACTION_UID_PATTERN, schema: BODY_SCHEMAS.abort },
  { pattern: /^\/interaction\/([^/]+)\/continue$/, id: INTERACTION_UID_PATTERN, schema: BODY_SCHEMAS.continue },
  { pattern: /^\/interaction\/([^/]+)\/(?:challenge|confirm)$/, id: INTERACTION_UID_PATTERN, schema: BODY_SCHEMAS.empty },
  { pattern: /^\/w\/([^/]+)$/, id: CHALLENGE_ID_PATTERN, schema: BODY_SCHEMAS.wallet },
];

function refusal(error: z.ZodError): UserError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => `"${k.slice(0, 40)}"`).join(', ');
    return new UserError('fields_unknown', { fields: names });
  }
  if (issue.path.length === 0) return new UserError('body_not_object');
  const field = String(issue.path[0]);
  return issue.code === 'too_big' ? new UserError('field_too_long', { field, max: Number(issue.maximum) }) : new UserError('field_not_text', { field });
}

/** Parses and checks the body of every POST that one of our routes accepts. */
export function validateBodies(): Middleware {
  return async (ctx: Context, next) => {
    if (ctx.method !== 'POST') return next();
    const rule = RULES.find((r) => r.pattern.test(ctx.path));
    const id = rule?.pattern.exec(ctx.path)?.[1];
    if (!rule || !id || !rule.id.test(id)) return next();
    // Wallet apps post JSON and expect JSON back, refusals included.
    if (ctx.is('application/json') === 'application/json') ctx.state.api = true;
    // The body parser would silently ignore a body of any other type.
    if (ctx.request.length !== 0 && ctx.is('application/x-www-form-urlencoded', 'application/json') === false) {
      throw new UserError('body_type');
    }
    await formBody(ctx, async () => undefined);
    const parsed = rule.schema.safeParse(ctx.request.body);
    if (!parsed.success) throw refusal(parsed.error);
    return next();
  };
}
