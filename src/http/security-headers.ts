/**
 * Security headers on every response (security document, "Content Security Policy"; OWASP
 * HTTP Headers Cheat Sheet). No inline script or style and no other origin; the provider's
 * pages obey the same policy.
 * form-action is left out on purpose: browsers apply it to the redirect that follows a form
 * post, and after sign-in that redirect goes to the relying party's own origin.
 *
 * The headers are set before the request is handled, not after: oidc-provider's one page with
 * an inline script (the form_post response, OAuth 2.0 Form Post Response Mode §2) adds that
 * script's sha256 hash to the script-src of the policy it finds on the response. Overwriting
 * the policy afterwards would block the script and leave the person on a blank page.
 */
import type { Middleware } from 'koa';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** HSTS for a year, subdomains included (RFC 6797 §6.1), only when the issuer is https. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains';

export function securityHeaders(options: { https: boolean }): Middleware {
  const headers: Record<string, string> = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    ...(options.https ? { 'Strict-Transport-Security': STRICT_TRANSPORT_SECURITY } : {}),
  };
  const entries = Object.entries(headers);
  return async (ctx, next) => {
    ctx.set(headers);
    await next();
    // Whatever removed a header on the way (none of our code does) does not get the last word.
    // res.hasHeader, not ctx.response.get: Koa's copies every header on each call.
    for (const [name, value] of entries) {
      if (!ctx.res.hasHeader(name) && !ctx.headerSent) ctx.set(name, value);
    }
  };
}
