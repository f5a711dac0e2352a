/**
 * The user-code form of the device flow (RFC 8628 §3.3) keeps its anti-forgery secret in
 * oidc-provider's session. Posted without that session (no cookie, cookies off, or the session
 * expired), oidc-provider 9 re-renders the form into a session it never stored and fails with
 * a 500. Such a post gets a 400 and a page saying what to do, before the provider sees it. So
 * does a GET of the page a confirmed device code resumes at (`/device/<uid>`, and so `GET
 * /device/auth`), which oidc-provider likewise answers with a 500 without its session.
 */
import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { UserError } from '../errors.js';

export function requireDeviceFormSession(provider: Provider, path: string, issuer: URL): Middleware {
  const formUrl = new URL(path, issuer).href;
  return async (ctx: Context, next) => {
    const resume = ctx.method === 'GET' && ctx.path.startsWith(`${path}/`) && !ctx.path.slice(path.length + 1).includes('/');
    if ((ctx.method === 'POST' && ctx.path === path) || resume) {
      // A session that was stored has an expiry; one made up for this request has none.
      const session = await provider.Session.get(ctx);
      if (typeof session.exp !== 'number') {
        throw new UserError('device_form_expired', { url: formUrl });
      }
    }
    await next();
  };
}
