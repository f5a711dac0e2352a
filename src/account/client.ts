/**
 * The account page as a relying party of this very provider: the built-in first-party client
 * "account" (authorization code + PKCE, no secret) and openid-client's configuration for it.
 */
import * as oidc from 'openid-client';
import { ACCOUNT_CLIENT_ID } from '../config/index.js';
import { translator } from '../i18n/index.js';
import { PROVIDER_ROUTES } from '../oidc/routes.js';
import type { Backchannel } from './backchannel.js';

export function accountClient(issuer: URL): Record<string, unknown> & { client_id: string; redirect_uris: string[] } {
  return {
    client_id: ACCOUNT_CLIENT_ID,
    client_name: translator()('account.clientName'),
    first_party: true,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [accountRedirectUri(issuer)],
  };
}

export function accountRedirectUri(issuer: URL): string {
  return new URL('/account/callback', issuer).href;
}

/**
 * No discovery: the endpoints are our own, and the browser must be sent to the public ISSUER
 * while the server side goes over the back-channel.
 */
export function accountClientConfiguration(issuer: URL, backchannel: Backchannel): oidc.Configuration {
  const issuerId = issuer.href.replace(/\/$/, '');
  const configuration = new oidc.Configuration(
    {
      issuer: issuerId,
      authorization_endpoint: `${issuerId}${PROVIDER_ROUTES.authorization}`,
      token_endpoint: `${issuerId}${PROVIDER_ROUTES.token}`,
      jwks_uri: `${issuerId}${PROVIDER_ROUTES.jwks}`,
    },
    ACCOUNT_CLIENT_ID,
    undefined,
    oidc.None(),
  );
  configuration[oidc.customFetch] = (url, options) => backchannel.fetch(url, options as RequestInit);
  if (issuer.protocol !== 'https:') oidc.allowInsecureRequests(configuration);
  return configuration;
}
