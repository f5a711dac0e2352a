/** Where oidc-provider serves its endpoints, for the guards in front of it and the pages that link them. */

/**
 * oidc-provider's endpoint paths (its defaults, named here so that the rate limits and the
 * CORS preflight guard in front of the provider match exactly what it serves).
 */
export const PROVIDER_ROUTES = {
  authorization: '/auth',
  token: '/token',
  userinfo: '/me',
  introspection: '/token/introspection',
  revocation: '/token/revocation',
  registration: '/reg',
  end_session: '/session/end',
  jwks: '/jwks',
  pushed_authorization_request: '/request',
  device_authorization: '/device/auth',
  code_verification: '/device',
} as const;

/**
 * Every path oidc-provider serves with these routes: the above, the paths it derives from them
 * and discovery (its initialize_app), for the one-spelling-per-route normalisation in front.
 */
export const PROVIDER_PATHS: readonly string[] = [
  ...Object.values(PROVIDER_ROUTES),
  `${PROVIDER_ROUTES.authorization}/:uid`,
  `${PROVIDER_ROUTES.registration}/:clientId`,
  `${PROVIDER_ROUTES.end_session}/confirm`,
  `${PROVIDER_ROUTES.end_session}/success`,
  `${PROVIDER_ROUTES.code_verification}/:uid`,
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
];
