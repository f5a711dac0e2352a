/**
 * What one authorization request may make the provider store. oidc-provider keeps every
 * request's parameters in an Interaction for INTERACTION_TTL (15 minutes) before anyone signs
 * in; unbounded, a few hundred requests with a 15 KB `state` grow Redis by megabytes a second
 * (SECURITY.md, "Authorization requests bounded"). Each parameter gets a length that fits
 * every relying party we know with room to spare (a `state` of 1 KiB holds oauth2-proxy's
 * nonce and return path; an ID token of 4 KiB as `id_token_hint`); anything longer is a 400
 * that names the parameter. A pushed request (RFC 9126), whose body oidc-provider parses
 * itself, is bounded by its size instead.
 */
import type { Middleware } from 'koa';
import { UserError } from '../errors.js';

/** Longest value, in characters, of each authorization request parameter (OIDC Core §3.1.2.1). */
export const AUTHORIZATION_PARAMETER_LIMITS: Readonly<Record<string, number>> = {
  state: 1024,
  nonce: 256,
  login_hint: 256,
  id_token_hint: 4096,
  claims: 2048,
  redirect_uri: 2048,
  post_logout_redirect_uri: 2048,
  resource: 2048,
  scope: 1024,
  acr_values: 512,
  ui_locales: 128,
  claims_locales: 128,
  // RFC 7636 §4.2: S256 of a 128-character verifier is 43 characters; a plain one at most 128.
  code_challenge: 128,
  request_uri: 512,
};

/** Every other parameter: client_id, response_type, prompt, max_age, display, ... */
export const OTHER_PARAMETER_LIMIT = 256;

/** The largest pushed authorization request body (RFC 9126 §2.1). */
export const PUSHED_REQUEST_MAX_BYTES = 16 * 1024;

function tooLong(name: string, limit: number): UserError {
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  return new UserError('parameter_too_long', { name: shown, max: limit });
}

export function boundAuthorizationRequests(routes: { authorization: string; pushed_authorization_request: string }): Middleware {
  return (ctx, next) => {
    if (ctx.path === routes.authorization && ctx.method === 'GET') {
      for (const [name, value] of Object.entries(ctx.query)) {
        const limit = AUTHORIZATION_PARAMETER_LIMITS[name] ?? OTHER_PARAMETER_LIMIT;
        if (name.length > OTHER_PARAMETER_LIMIT) throw tooLong(name, OTHER_PARAMETER_LIMIT);
        for (const one of Array.isArray(value) ? value : [value ?? '']) if (one.length > limit) throw tooLong(name, limit);
      }
    } else if (ctx.path === routes.pushed_authorization_request && ctx.method === 'POST') {
      ctx.state.api = true;
      // A chunked body without a length is read by oidc-provider up to its own 56 KiB.
      const length = ctx.request.length;
      if (length === undefined && ctx.get('Transfer-Encoding')) {
        throw new UserError('pushed_request_length_required');
      }
      if (length !== undefined && length > PUSHED_REQUEST_MAX_BYTES) {
        throw new UserError('pushed_request_too_large', { kib: PUSHED_REQUEST_MAX_BYTES / 1024 });
      }
    }
    return next();
  };
}
