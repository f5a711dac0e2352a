/**
 * Discovery (OIDC Discovery §4) and the JWKS are public and the same for everyone, so caches may
 * keep them, but only for a while: a rotated key must reach relying parties in minutes
 * (docs/deploying.md, "Rotating the signing key"). oidc-provider sets no Cache-Control on them,
 * which leaves the lifetime to each cache's heuristics. Their content no longer depends on the
 * request's Host (src/http/issuer-host.ts); it varies by Origin only through CORS.
 */
import type { Middleware } from 'koa';

export const METADATA_CACHE_CONTROL = 'public, max-age=300';

export function metadataCaching(paths: string[]): Middleware {
  const cached = new Set(paths);
  return async (ctx, next) => {
    if (!cached.has(ctx.path)) return next();
    await next();
    if ((ctx.method === 'GET' || ctx.method === 'HEAD') && ctx.status === 200) {
      ctx.set('Cache-Control', METADATA_CACHE_CONTROL);
      ctx.vary('Origin');
    }
  };
}
