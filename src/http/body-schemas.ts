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
import { UserError } from './errors.js';
import { formBody } from './validation.js';

const text = (name: string, max: number) =>
  z.string({ error: `The field "${name}" must be a single text value.` })
    .max(max, `The field "${name}" is too long (at most ${max} characters).`)
    .optional();

export const BODY_SCHEMAS = {
  /** The same-device form of the login page. */
  login: z.strictObject({ address: text('address', 128), signature: text('signature', 200), challenge_id: text('challenge_id', 64) }),
  /** The wallet URL: the phone's form, or a wallet app's JSON. */
  wallet: z.strictObject({ address: text('address', 128), signature: text('signature', 200) }),
  /** Cancel; `reason` says an access rule refused the address (the "denied" page). */
  abort: z.strictObject({ reason: text('reason', 32) }),
  /** Continuing after the phone signed: the address the person confirmed ("Continue as …?"). */
  continue: z.strictObject({ address: text('address', 128) }),
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
    return new UserError(400, 'invalid_request', `The request has fields this form does not take: ${names}.`);
  }
  if (issue.path.length === 0) return new UserError(400, 'invalid_request', 'The request body must be a JSON object or form fields.');
  return new UserError(400, 'invalid_request', issue.message);
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
      throw new UserError(415, 'unsupported_media_type', 'Send the body as JSON or as a form (application/x-www-form-urlencoded).');
    }
    await formBody(ctx, async () => undefined);
    const parsed = rule.schema.safeParse(ctx.request.body);
    if (!parsed.success) throw refusal(parsed.error);
    return next();
  };
}
