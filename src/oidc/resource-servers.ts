/**
 * APIs that accept JWT access tokens from this provider (RFC 8707 resource indicators,
 * RFC 9068 JWT profile for access tokens), from the operator's RESOURCE_SERVERS_FILE.
 */
import { errors, type Configuration, type ResourceServer as OidcResourceServer } from 'oidc-provider';
import type { ResourceServer } from '../config/index.js';

type ResourceIndicators = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;

/**
 * The longest a JWT access token lives: nothing can revoke one, so this is how long an API may
 * still accept it after the person revoked the application or lost a required holding.
 */
export function longestJwtAccessTokenTtl(servers: ResourceServer[], defaultTtl: number): number | undefined {
  return servers.length === 0 ? undefined : Math.max(...servers.map((server) => server.accessTokenTtl ?? defaultTtl));
}

/** `defaultTtl`: the lifetime of a JWT for an API without its own accessTokenTtl (JWT_ACCESS_TOKEN_TTL). */
export function resourceIndicators(servers: ResourceServer[], defaultTtl: number): ResourceIndicators {
  const byResource = new Map(servers.map((server) => [server.resource, server]));
  return {
    enabled: true,
    // A request without `resource` gets an access token for userinfo, as in plain OIDC.
    defaultResource: async (_ctx, _client, oneOf) => oneOf,
    getResourceServerInfo: async (_ctx, indicator, client): Promise<OidcResourceServer> => {
      const server = byResource.get(indicator);
      // RFC 8707 §2: an unknown or forbidden resource is invalid_target.
      if (!server || (server.clients && !server.clients.includes(client.clientId))) {
        throw new errors.InvalidTarget(`the resource ${indicator} is not known to this provider or not allowed for this client`);
      }
      return {
        scope: server.scopes.join(' '),
        audience: server.audience ?? server.resource,
        // Read by the AccessToken lifetime (providerTtls): per API, short by default.
        accessTokenTTL: server.accessTokenTtl ?? defaultTtl,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      };
    },
    useGrantedResource: async () => false,
  };
}
