/**
 * Every URL the provider generates is built from the request's host: the endpoints of discovery
 * (OIDC Discovery §3), the device flow's verification_uri (RFC 8628 §3.2), the action of the
 * logout form, redirects. That host is the Host header, or X-Forwarded-Host behind a trusted
 * proxy: a request naming another host would get endpoints on that host, and a cache keyed on
 * the path would hand them to every relying party (web cache poisoning). So the host is the
 * issuer's, whatever the request said. The scheme still comes from X-Forwarded-Proto behind
 * TRUST_PROXY, where the proxy terminates TLS (docs/deploying.md).
 */
import type { Middleware } from 'koa';

export function pinHostToIssuer(issuer: URL): Middleware {
  const host = issuer.host;
  return (ctx, next) => {
    const headers = ctx.req.headers;
    if (headers.host !== host) headers.host = host;
    if (headers['x-forwarded-host'] !== undefined) delete headers['x-forwarded-host'];
    return next();
  };
}
