/**
 * Security headers on every response (SECURITY.md, "Strict Content Security Policy"). No inline
 * script or style and no other origin; the provider's pages obey the same policy.
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

/**
 * Cross-Origin-Opener-Policy (HTML Living Standard, "Cross-origin opener policies"). `same-origin`
 * keeps every other site's window from holding a reference to ours (XS-Leaks through frame
 * counting, navigating our window from outside). But relying parties open the sign-in in a popup
 * and learn its outcome through window.opener (oidc-client-ts's signinPopup, "Sign in with ..."
 * popups): a document with `same-origin` opened by another origin is put in a new browsing
 * context group and loses its opener for good, for every later page of the popup too, the
 * relying party's callback included. `same-origin-allow-popups` does not help there: it relaxes
 * only the popups a document opens itself, not the document opened as one (the opener's origin
 * and policy still do not match ours). So the pages a popup shows (authorization, sign-in,
 * logout) say `unsafe-none`; they still cannot be framed (frame-ancestors, X-Frame-Options), and
 * what the opener could do to them, navigate the popup elsewhere, it could do to any popup it
 * opens. Every other page keeps `same-origin`.
 */
export const OPENER_ISOLATED = 'same-origin';
export const OPENER_KEPT = 'unsafe-none';

export interface SecurityHeaderOptions {
  https: boolean;
  /** Whether the page at this (canonical) path may be shown in a relying party's popup. */
  shownInPopups?: (path: string) => boolean;
}

export function securityHeaders(options: SecurityHeaderOptions): Middleware {
  const headers: Record<string, string> = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    ...(options.https ? { 'Strict-Transport-Security': STRICT_TRANSPORT_SECURITY } : {}),
  };
  const entries = Object.entries(headers);
  const shownInPopups = options.shownInPopups ?? (() => false);
  return async (ctx, next) => {
    const opener = shownInPopups(ctx.path) ? OPENER_KEPT : OPENER_ISOLATED;
    ctx.set(headers);
    ctx.set('Cross-Origin-Opener-Policy', opener);
    await next();
    // Whatever removed a header on the way (none of our code does) does not get the last word.
    // res.hasHeader, not ctx.response.get: Koa's copies every header on each call.
    if (ctx.headerSent) return;
    for (const [name, value] of entries) if (!ctx.res.hasHeader(name)) ctx.set(name, value);
    if (!ctx.res.hasHeader('Cross-Origin-Opener-Policy')) ctx.set('Cross-Origin-Opener-Policy', opener);
  };
}
