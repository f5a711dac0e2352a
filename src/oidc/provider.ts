/**
 * The one declarative oidc-provider configuration. Everything it needs is passed in; it reads
 * no environment and connects to nothing.
 */
import Provider, { errors, type Configuration, type KoaContextWithOIDC, type AdapterFactory, type ClientMetadata as OidcClientMetadata } from 'oidc-provider';
import type { Config, ClientMetadata, JsonWebKeySet } from '../config.js';
import { createFindAccount } from './account.js';

export interface ProviderPages {
  /** Renders oidc-provider's own error responses for browsers (bad client, bad redirect_uri, ...). */
  error(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): Promise<void>;
  /** RP-initiated logout confirmation; `form` is oidc-provider's hidden form (xsrf token). */
  logout(ctx: KoaContextWithOIDC, form: string): Promise<void>;
  logoutSuccess(ctx: KoaContextWithOIDC): Promise<void>;
}

export interface ProviderDeps {
  config: Config;
  jwks: JsonWebKeySet;
  cookieKeys: string[];
  adapter: AdapterFactory;
  clients: ClientMetadata[];
  pages: ProviderPages;
}

/** Scopes and the claims each releases (OIDC Core §5.4; DESIGN §5). */
export function claimsByScope(emailDomain?: string): Record<string, string[]> {
  return {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    evrmore: ['evrmore_address', 'evrmore_network'],
    ...(emailDomain ? { email: ['email'] } : {}),
  };
}

export function createProvider(deps: ProviderDeps): Provider {
  const { config } = deps;
  const claims = claimsByScope(config.emailDomain);

  const configuration: Configuration = {
    adapter: deps.adapter,
    clients: deps.clients as OidcClientMetadata[],
    jwks: deps.jwks as Configuration['jwks'],
    findAccount: createFindAccount({ network: config.network, emailDomain: config.emailDomain }),
    claims,
    scopes: ['openid', 'offline_access', ...Object.keys(claims).filter((s) => s !== 'openid')],
    // Grafana and oauth2-proxy read the claims from the ID token, not userinfo (DESIGN §5).
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    cookies: {
      keys: deps.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    extraClientMetadata: {
      properties: ['first_party'],
      validator(_ctx, key, value) {
        if (key === 'first_party' && value !== undefined && typeof value !== 'boolean') {
          throw new errors.InvalidClientMetadata('first_party must be a boolean');
        }
      },
    },
    features: {
      devInteractions: { enabled: false },
      // A client may introspect and revoke only its own tokens (RFC 7009 §2.1, RFC 7662 §2.1):
      // one relying party must not learn about or end another's.
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => deps.pages.logout(ctx, form),
        postLogoutSuccessSource: (ctx) => deps.pages.logoutSuccess(ctx),
      },
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    // Grafana and Keycloak never send prompt=consent, which oidc-provider otherwise requires
    // for offline_access (OIDC Core §11): a client registered for the refresh_token grant gets
    // refresh tokens without it (DESIGN §8).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Such refresh tokens live their own lifetime, not the browser session's.
    expiresWithSession: async (ctx, code) => !ctx.oidc.client?.grantTypeAllowed('refresh_token') && !code.scopes.has('offline_access'),
    // Every refresh rotates the token; presenting a used one revokes the grant
    // (OAuth 2.0 Security BCP, RFC 9700 §4.14.2).
    rotateRefreshToken: true,
    loadExistingGrant: async (ctx) => {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(oidc.client!.clientId);
      if (grantId) return oidc.provider.Grant.find(grantId);
      // First-party clients (the operator's own apps) skip the consent screen: the grant is
      // whatever they asked for.
      if (oidc.client?.['first_party'] === true && oidc.session?.accountId) {
        const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
        grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
        const requested = Object.keys({ ...oidc.claims?.id_token, ...oidc.claims?.userinfo });
        if (requested.length > 0) grant.addOIDCClaims(requested);
        await grant.save();
        return grant;
      }
      return undefined;
    },
    renderError: async (ctx, out) => deps.pages.error(ctx, out),
    ttl: {
      AccessToken: config.ttl.accessToken,
      IdToken: config.ttl.idToken,
      RefreshToken: config.ttl.refreshToken,
      AuthorizationCode: config.ttl.authorizationCode,
      Session: config.ttl.session,
      Grant: config.ttl.grant,
      Interaction: config.ttl.interaction,
    },
  };

  const provider = new Provider(config.issuer.href.replace(/\/$/, ''), configuration);
  return provider;
}
