/**
 * In production the provider is reached only through the TLS-terminating proxy, which says so
 * with `X-Forwarded-Proto: https` (TRUST_PROXY). A request without it came around the proxy, or
 * through a listener of it that speaks plain http: answering would set cookies without Secure
 * and advertise http:// endpoints. A page asked for over http is redirected to its https
 * address (308 keeps the method, RFC 9110 §15.4.9); anything else is refused, and so is a
 * request that carries no X-Forwarded-Proto at all (a proxy that does not set it would
 * otherwise redirect forever). Health checks and metrics, which probes and Prometheus call on
 * the container's own port, are exempt.
 */
import type { Middleware } from 'koa';
import { UserError } from '../errors.js';

export function httpsOnly(issuer: URL, exempt: (path: string) => boolean): Middleware {
  // Not async: most requests pass straight through, without a promise of this layer's own.
  return (ctx, next) => {
    if (ctx.protocol === 'https' || exempt(ctx.path)) return next();
    if (ctx.get('X-Forwarded-Proto') !== '' && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      ctx.status = 308;
      ctx.redirect(new URL(ctx.url, issuer).href);
      return undefined;
    }
    throw new UserError('https_required', { origin: issuer.origin });
  };
}
