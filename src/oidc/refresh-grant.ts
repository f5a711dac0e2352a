/**
 * The refresh_token grant as relying parties in the wild call it, around oidc-provider's own
 * handler (which still does every check, the rotation and the reuse detection).
 *
 * Re-sent scopes: mod_auth_openidc, Authlib and others send their configured `scope` again on
 * every refresh (RFC 6749 §6 allows it). When the provider dropped one of those scopes at
 * authorization (`offline_access` without `prompt=consent`, OIDC Core §11; a scope it does not
 * offer), oidc-provider would answer invalid_scope and the person would be signed out at the
 * next access-token expiry. RFC 6749 §3.3 lets the server ignore part of the requested scope,
 * and §5.1 has the token response say which scopes were granted: the request is narrowed to
 * the scopes the refresh token carries. What was dropped stays dropped: nothing is ever added,
 * and a request of which nothing was granted still gets oidc-provider's invalid_scope.
 */
import type Provider from 'oidc-provider';
import type { TokenEndpointGrantContext } from 'oidc-provider';

type GrantContext = TokenEndpointGrantContext;
type GrantHandler = (ctx: GrantContext) => unknown;
type ProviderClass = typeof Provider;
type Registration = Parameters<Provider['registerGrantType']>;
type AnyGrantHandler<Params extends object> = (ctx: TokenEndpointGrantContext<Params>) => unknown;

/** The requested scopes that were granted, in request order; undefined when none were. */
export function grantedPart(requested: string, granted: ReadonlySet<string>): string | undefined {
  const kept = [...new Set(requested.split(' '))].filter((scope) => scope !== '' && granted.has(scope));
  return kept.length > 0 ? kept.join(' ') : undefined;
}

/** Wraps oidc-provider's refresh_token handler (see the module comment). */
export function relyingPartyFriendlyRefresh(handler: GrantHandler): GrantHandler {
  return async (ctx: GrantContext) => {
    const { params } = ctx.oidc as unknown as { params: Record<string, unknown> };
    if (typeof params.scope === 'string' && typeof params.refresh_token === 'string') {
      const token = await ctx.oidc.provider.RefreshToken.find(params.refresh_token, { ignoreExpiration: true });
      const narrowed = token && grantedPart(params.scope, token.scopes);
      // Nothing granted: leave the request alone, oidc-provider answers invalid_scope.
      if (narrowed) params.scope = narrowed;
    }
    return handler(ctx);
  };
}

/**
 * oidc-provider registers its grant handlers through its public registerGrantType while it is
 * constructed; a subclass receives the refresh_token handler there and registers it wrapped.
 * The constructor then checks that this happened, so that an oidc-provider that stopped doing
 * it fails at start instead of silently losing the behaviour.
 */
export function providerWithRelyingPartyFriendlyRefresh(Base: ProviderClass): ProviderClass {
  const wrapped = new WeakSet<object>();
  const Wrapped = class extends Base {
    constructor(...args: ConstructorParameters<ProviderClass>) {
      super(...args);
      if (!wrapped.has(this)) throw new Error('oidc-provider did not register its refresh_token grant through registerGrantType');
    }

    override registerGrantType<Params extends object>(name: string, handler: AnyGrantHandler<Params>, params?: Registration[2], duplicates?: Registration[3]): void {
      const registered = name === 'refresh_token' ? relyingPartyFriendlyRefresh(handler as GrantHandler) : handler;
      if (name === 'refresh_token') wrapped.add(this);
      super.registerGrantType(name, registered as Registration[1], params, duplicates);
    }
  };
  return Wrapped as unknown as ProviderClass;
}
