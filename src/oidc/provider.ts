/**
 * The one declarative oidc-provider configuration. Everything it needs is passed in; it reads
 * no environment and connects to nothing.
 */
import Provider, {
  type Configuration,
  type KoaContextWithOIDC,
  type AdapterFactory,
  type ClientMetadata as OidcClientMetadata,
  type FindAccount,
  type interactionPolicy,
} from 'oidc-provider';
import type { Config, ClientMetadata, JsonWebKeySet } from '../config/index.js';
import { createFindAccount } from './account.js';
import { clientBasedCORS } from '../http/cors.js';
import { pairwiseSubject } from './pairwise.js';
import { resourceIndicators } from './resource-servers.js';
import { cutClaimsParameterToScopes, releasingScopeClaimsOnly } from './claim-release.js';
import { createRefreshGrant, providerWithRefreshGrant } from './refresh-grant.js';
import { StoreAdapter } from './store-adapter.js';
import { languages } from '../i18n/index.js';
import { withEmbeddedLogo } from './client-logo.js';
import { FRONTCHANNEL_CLIENT_METADATA } from './frontchannel-logout.js';
import { extraClientMetadata, type ClientMetadataExtension } from './client-metadata.js';
import { loadExistingOrFirstPartyGrant } from './first-party.js';
import { registrationFeatures } from './registration.js';
import { PROVIDER_ROUTES } from './routes.js';
import type { CookieSigner } from '../http/cookie-signer.js';
import { pkceRequired } from './pkce-policy.js';
import type { ProviderPages } from './pages.js';

/**
 * The authentication context of every sign-in here: a wallet proved possession of the
 * address's private key. `amr` uses RFC 8176's registered "pop" (proof-of-possession of a key).
 */
export const WALLET_ACR = 'urn:evrmore:acr:wallet-signature';
export const WALLET_AMR = ['pop'];

export interface ProviderDeps {
  config: Config;
  jwks: JsonWebKeySet;
  cookieSigner: CookieSigner;
  adapter: AdapterFactory;
  clients: ClientMetadata[];
  pages: ProviderPages;
  /** Enables pairwise subjects (OIDC Core §8.1); without it only public subjects are offered. */
  pairwiseSalt?: string;
  /** Counts a wrong device-flow user code (src/security/user-code-guesses.ts). */
  onWrongUserCode?: (ctx: KoaContextWithOIDC) => Promise<void>;
  /**
   * Outbound requests to URLs that clients chose (request_uri, jwks_uri, sector_identifier_uri,
   * back-channel logout): the operator's outbound policy (src/security/outbound.ts).
   */
  outboundFetch: NonNullable<Configuration['fetch']>;
  /** Client metadata that features define, with their validators (the chain's access rules). */
  clientMetadata?: readonly ClientMetadataExtension[];
  /** Chain claims and per-client access rules (src/chain/oidc.ts); absent without an Evrmore node. */
  chain?: ProviderExtension;
}

/**
 * What a feature adds to the provider through its public configuration: scopes and the claims
 * they release, the claims of an account, a check on the login prompt, and whether a token
 * still meets its client's rules (for introspection, RFC 7662 §2.2 "active").
 */
export interface ProviderExtension {
  claimsByScope: Record<string, string[]>;
  findAccount(base: FindAccount): FindAccount;
  policy(): interactionPolicy.DefaultPolicy;
  tokenMeetsRules(client: unknown, token: { accountId?: string; scope?: string }): Promise<boolean>;
}

/**
 * Scopes and the claims each releases (OIDC Core §5.4). `email` is always accepted,
 * because most relying parties ask for `openid profile email` by default and strict ones refuse
 * a provider whose scopes_supported lacks it; it releases the `email` claim only when the
 * provider has one to give (EMAIL_DOMAIN). OIDC Core §5.4: claims the provider does not have
 * are simply not returned.
 */
export function claimsByScope(emailDomain?: string): Record<string, string[]> {
  return {
    // acr, amr and auth_time in every ID token, so relying parties can tell how and when the
    // person proved their wallet (OIDC Core §2), not only when they asked with max_age.
    openid: ['sub', 'acr', 'amr', 'auth_time'],
    profile: ['preferred_username', 'name'],
    evrmore: ['evrmore_address', 'evrmore_network'],
    email: emailDomain ? ['email'] : [],
  };
}

export function createProvider(deps: ProviderDeps): Provider {
  const { config } = deps;
  // docs/chain-claims.md §2: the evrmore_assets and groups scopes exist with a node only.
  const claims = { ...claimsByScope(config.emailDomain), ...deps.chain?.claimsByScope };
  // Re-sent scopes and parallel refreshes (src/oidc/refresh-grant.ts).
  const refreshTokens = deps.adapter('RefreshToken');
  const refreshGrant = createRefreshGrant({
    reuseInterval: config.protocol.refreshTokenReuseInterval,
    rotations: deps.adapter('RefreshTokenRotation'),
    consumedAt: async (value) =>
      refreshTokens instanceof StoreAdapter
        ? refreshTokens.consumedAt(value)
        : ((await refreshTokens.find(value))?.consumed as number | undefined),
  });
  const baseFindAccount = createFindAccount({ network: config.network, emailDomain: config.emailDomain });

  const configuration: Configuration = {
    adapter: deps.adapter,
    clients: deps.clients.map(withEmbeddedLogo) as OidcClientMetadata[],
    jwks: deps.jwks as Configuration['jwks'],
    // Only what the granted scopes release, whatever the claims parameter asked (src/oidc/claim-release.ts).
    findAccount: releasingScopeClaimsOnly(deps.chain ? deps.chain.findAccount(baseFindAccount) : baseFindAccount, claims),
    acrValues: [WALLET_ACR],
    subjectTypes: deps.pairwiseSalt ? ['public', 'pairwise'] : ['public'],
    pairwiseIdentifier: async (_ctx, accountId, client) =>
      pairwiseSubject(deps.pairwiseSalt!, (client as unknown as { sectorIdentifier: string }).sectorIdentifier, accountId),
    discovery: {
      claim_types_supported: ['normal'],
      ui_locales_supported: languages,
      // Implemented in src/oidc/frontchannel-logout.ts (OIDC Front-Channel Logout 1.0 §3).
      frontchannel_logout_supported: true,
      frontchannel_logout_session_supported: true,
    },
    claims,
    scopes: ['openid', 'offline_access', ...Object.keys(claims).filter((s) => s !== 'openid')],
    // Grafana and oauth2-proxy read the claims from the ID token, not userinfo (OIDC Core §5.1).
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    // PKCE (S256) of every client unless the operator exempted a legacy one (src/oidc/pkce-policy.ts).
    pkce: { required: (_ctx, client) => pkceRequired(client) },
    // The client authentication methods relying parties use (Keycloak: client_secret_post;
    // Grafana, oauth2-proxy: client_secret_basic; SPAs and devices: none with PKCE; private
    // key JWT for those who want no shared secret) and that the test suite exercises;
    // client_secret_jwt would only spread the secret into HMAC keys.
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    enabledJWA: { clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA'] },
    // OIDC Core §3.1.2.1: redirect_uri is REQUIRED, even for a client with one registered URI.
    allowOmittingSingleRegisteredRedirectUri: false,
    // Outbound requests to URLs that clients chose: public addresses, and the private ones the
    // operator lists in OUTBOUND_ALLOW; never link-local or cloud metadata (SSRF).
    fetch: deps.outboundFetch,
    routes: PROVIDER_ROUTES,
    // Browsers may call the token, userinfo, revocation and introspection endpoints only from a
    // client's own origins or the operator's CORS_ORIGINS (SECURITY.md, "CORS only for trusted domains"; src/http/cors.ts).
    clientBasedCORS: clientBasedCORS(config.security.corsOrigins),
    cookies: {
      keys: deps.cookieSigner,
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    // first_party, require_pkce, logos, front-channel logout and what features add (src/oidc/client-metadata.ts).
    extraClientMetadata: extraClientMetadata(deps.clients, [FRONTCHANNEL_CLIENT_METADATA, ...(deps.clientMetadata ?? [])]),
    features: {
      devInteractions: { enabled: false },
      // A client may introspect and revoke only its own tokens (RFC 7009 §2.1, RFC 7662 §2.1):
      // one relying party must not learn about or end another's.
      // And a token whose address no longer meets the client's access rules is not active, as
      // refresh and userinfo refuse it (src/chain/oidc.ts).
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) =>
          token.clientId === client.clientId &&
          (!deps.chain || deps.chain.tokenMeetsRules(client, token as { accountId?: string; scope?: string })),
      },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
      // OIDC Core §5.5: clients may ask for individual claims, within the scopes they request
      // (the consent page lists scopes; src/oidc/claim-release.ts).
      claimsParameter: { enabled: true, assertClaimsParameter: cutClaimsParameterToScopes(claims) },
      // OIDC Back-Channel Logout 1.0: relying parties with a backchannel_logout_uri get a
      // logout token when the session ends.
      backchannelLogout: { enabled: true },
      // RFC 9126: clients may push the authorization request first.
      pushedAuthorizationRequests: { enabled: true },
      resourceIndicators: resourceIndicators(config.protocol.resourceServers, config.protocol.jwtAccessTokenTtl),
      // RFC 8628: TVs, CLIs and kiosks sign in through a user code and this provider's pages,
      // with the same wallet login.
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource: async (ctx, form, out, err) => {
          // oidc-provider re-renders the code page for a code that matches no device (RFC 8628 §5.1).
          if ((err as Error | undefined)?.name === 'NotFoundError') await deps.onWrongUserCode?.(ctx);
          return deps.pages.deviceInput(ctx, form, out, err);
        },
        userCodeConfirmSource: (ctx, form, client, deviceInfo, userCode) =>
          deps.pages.deviceConfirm(ctx, form, client, deviceInfo, userCode),
        successSource: (ctx) => deps.pages.deviceSuccess(ctx),
      },
      ...registrationFeatures(config.registration),
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => deps.pages.logout(ctx, form),
        postLogoutSuccessSource: (ctx) => deps.pages.logoutSuccess(ctx),
      },
    },
    interactions: {
      // docs/chain-claims.md §6: a browser already signed in must still meet the client's access rules.
      ...(deps.chain ? { policy: deps.chain.policy() } : {}),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    // Grafana and Keycloak never send prompt=consent, which oidc-provider otherwise requires
    // for offline_access (OIDC Core §11): a client registered for the refresh_token grant gets
    // refresh tokens without it.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Tokens die with the provider session unless offline_access was granted (oidc-provider's
    // default), so signing out here ends every application's access (logout everywhere).
    // Every refresh rotates the token; presenting a used one revokes the grant
    // (OAuth 2.0 Security BCP, RFC 9700 §4.14.2), except within REFRESH_TOKEN_REUSE_INTERVAL
    // of its rotation, where it gets the token that rotation issued (src/oidc/refresh-grant.ts).
    rotateRefreshToken: refreshGrant.rotateRefreshToken,
    // First-party clients skip the consent screen (src/oidc/first-party.ts).
    loadExistingGrant: loadExistingOrFirstPartyGrant,
    renderError: async (ctx, out) => deps.pages.error(ctx, out),
    ttl: providerTtls(config),
  };

  const ProviderWithRefreshGrant = providerWithRefreshGrant(Provider, refreshGrant);
  const provider = new ProviderWithRefreshGrant(config.issuer.href.replace(/\/$/, ''), configuration);
  provider.use(revocationAnswerAsJson);
  return provider;
}

/**
 * RFC 7009 §2.2: a successful revocation is a 200 whose body the client ignores. oidc-provider
 * sends it empty as text/plain, which oidc-client-ts (it accepts only JSON bodies) and SPAs that
 * call `response.json()` take for a failure: the answer is `{}` as application/json, which every
 * client reads (those that ignore the body, as RFC 7009 says, are unaffected).
 */
async function revocationAnswerAsJson(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  await next();
  if (ctx.oidc?.route === 'revocation' && ctx.status === 200 && !ctx.body) ctx.body = {};
}

/** Lifetimes of oidc-provider's models from the configuration (shared with the benchmark's baseline). */
export function providerTtls(config: Config): NonNullable<Configuration['ttl']> {
  return {
    // A token for an API lives as long as that API says (RESOURCE_SERVERS_FILE accessTokenTtl,
    // else JWT_ACCESS_TOKEN_TTL); an opaque token for userinfo, ACCESS_TOKEN_TTL.
    AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.ttl.accessToken,
    IdToken: config.ttl.idToken,
    RefreshToken: config.ttl.refreshToken,
    AuthorizationCode: config.ttl.authorizationCode,
    Session: config.ttl.session,
    Grant: config.ttl.grant,
    Interaction: config.ttl.interaction,
    DeviceCode: config.protocol.deviceCodeTtl,
    // RFC 9126 §2.2: a pushed request is short-lived.
    PushedAuthorizationRequest: 60,
  };
}
