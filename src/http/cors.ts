/**
 * CORS limited to trusted origins (SECURITY.md, "CORS only for trusted domains"): a
 * browser page may call the token, userinfo, revocation and introspection endpoints only from
 * the origin of one of the calling client's redirect_uris, or from an origin the operator
 * listed in CORS_ORIGINS. Discovery and the JWKS stay readable from anywhere (they are public
 * by design, OIDC Discovery §4).
 *
 * oidc-provider checks the actual request through `clientBasedCORS` once it knows the client.
 * A preflight names no client, and oidc-provider answers every preflight with the caller's
 * origin; the guard below answers a preflight from an origin that no client and no operator
 * entry allows with a 403 without Access-Control-Allow-Origin, so the browser stops there.
 */
import { UserError } from '../errors.js';
import type { Middleware } from 'koa';
import type { Configuration } from 'oidc-provider';

/** The origin (RFC 6454) of a URI, or undefined for one without (custom schemes, "null"). */
export function originOf(uri: string): string | undefined {
  const origin = URL.parse(uri)?.origin;
  return origin && origin !== 'null' ? origin : undefined;
}

/** Every origin a preflight may come from: each static client's redirect origins, and the operator's. */
export function allowedOrigins(clients: Array<Record<string, unknown>>, operatorOrigins: string[]): Set<string> {
  const origins = new Set(operatorOrigins);
  for (const client of clients) {
    const uris = Array.isArray(client.redirect_uris) ? client.redirect_uris : [];
    for (const uri of uris) {
      const origin = typeof uri === 'string' ? originOf(uri) : undefined;
      if (origin) origins.add(origin);
    }
  }
  return origins;
}

/** oidc-provider's clientBasedCORS: the client's own redirect origins, or the operator's list. */
export function clientBasedCORS(operatorOrigins: string[]): NonNullable<Configuration['clientBasedCORS']> {
  const operator = new Set(operatorOrigins);
  return (_ctx, origin, client) => {
    if (origin === 'null') return false;
    return operator.has(origin) || (client.redirectUris ?? []).some((uri: string) => originOf(uri) === origin);
  };
}

/** Refuses preflights to `paths` from origins outside `allowed` (see the module comment). */
export function corsPreflightGuard(paths: string[], allowed: Set<string>): Middleware {
  const guarded = new Set(paths);
  return (ctx, next) => {
    const origin = ctx.get('Origin');
    if (ctx.method === 'OPTIONS' && guarded.has(ctx.path) && origin && ctx.get('Access-Control-Request-Method') && !allowed.has(origin)) {
      ctx.vary('Origin');
      ctx.state.api = true;
      throw new UserError('origin_not_allowed', { origin });
    }
    return next();
  };
}
