/**
 * OpenID Connect breadth (docs/oidc-features.md): pairwise subjects, resource servers, the
 * device flow, refresh-token reuse, the reach of the provider's own outbound calls, and dynamic
 * client registration (docs/deploying.md).
 */
import { z } from 'zod';
import { parseOutboundAllow, type OutboundPolicy } from './outbound-allow.js';
import type { EnvReader } from './readers.js';

/** An API that gets JWT access tokens through a resource indicator (RFC 8707, RFC 9068). */
export interface ResourceServer {
  /** The resource indicator: an absolute URI without fragment (RFC 8707 §2). */
  resource: string;
  /** Scopes the API defines. */
  scopes: string[];
  /** `aud` of its tokens; the resource indicator when absent. */
  audience?: string;
  /** Access-token lifetime for this API, seconds. */
  accessTokenTtl?: number;
  /** Clients that may ask for it; any client when absent. */
  clients?: string[];
}

export interface ProtocolConfig {
  /** Secret salt of pairwise subject identifiers (OIDC Core §8.1); generated in development. */
  pairwiseSalt?: string;
  resourceServers: ResourceServer[];
  /** Lifetime of a device code and its user code (RFC 8628 §3.2), seconds. */
  deviceCodeTtl: number;
  /**
   * Lifetime of a JWT access token for an API without its own accessTokenTtl, seconds. Short:
   * nothing can revoke a JWT (docs/oidc-features.md, "How long a token outlives a revoke").
   */
  jwtAccessTokenTtl: number;
  /**
   * Seconds after a refresh token was rotated in which presenting it again gets the current
   * token instead of revoking the grant (relying parties that refresh in parallel); 0: never.
   */
  refreshTokenReuseInterval: number;
  /**
   * Private hosts and networks that the provider's own outbound calls (back-channel logout,
   * sector_identifier_uri, jwks_uri of clients) may reach (OUTBOUND_ALLOW); link-local and
   * cloud metadata addresses never (src/security/outbound.ts enforces it).
   */
  outbound: OutboundPolicy;
}

/**
 * Dynamic client registration (RFC 7591) with its management protocol (RFC 7592).
 * `off`: no registration endpoint. `token`: registering needs the initial access token
 * (RFC 7591 §3: the endpoint "MAY be protected" by one; we require it unless told otherwise).
 * `open`: anyone may register a client, which then still needs each user's consent.
 */
export interface RegistrationConfig {
  mode: 'off' | 'token' | 'open';
  /** With mode token: the one shared token; absent: per-partner tokens in Redis (src/oidc/registration-tokens.ts). */
  initialAccessToken?: string;
}

const resourceServersSchema = z.array(
  z.strictObject({
    resource: z.string().refine((value) => {
      try {
        const url = new URL(value);
        return !url.hash;
      } catch {
        return false;
      }
    }, 'resource must be an absolute URI without a fragment (RFC 8707 §2)'),
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'a scope is printable ASCII without space, " or \\ (RFC 6749 §3.3)'))
      .min(1),
    audience: z.string().min(1).optional(),
    accessTokenTtl: z.number().int().positive().optional(),
    clients: z.array(z.string()).optional(),
  }),
);

export function readProtocol(read: EnvReader): ProtocolConfig {
  const { problems } = read;
  const pairwiseSalt = read.text('PAIRWISE_SALT');
  if (pairwiseSalt !== undefined && pairwiseSalt.length < 32) {
    problems.push('PAIRWISE_SALT must be at least 32 random characters: it keeps pairwise subject identifiers unlinkable (OIDC Core §8.1)');
  }
  let resourceServers: ResourceServer[] = [];
  const file = read.text('RESOURCE_SERVERS_FILE');
  if (file) {
    const raw = read.jsonFile('RESOURCE_SERVERS_FILE', file);
    if (raw !== undefined) {
      const parsed = resourceServersSchema.safeParse(raw);
      if (parsed.success) resourceServers = parsed.data;
      else
        for (const issue of parsed.error.issues)
          problems.push(`RESOURCE_SERVERS_FILE (${file}) at ${issue.path.join('.') || 'top level'}: ${issue.message}`);
    }
  }
  const deviceCodeTtl = read.duration('DEVICE_CODE_TTL', 10 * 60);
  const jwtAccessTokenTtl = read.duration('JWT_ACCESS_TOKEN_TTL', 5 * 60);
  // The old switch lifted every SSRF check; its replacement names what may be reached.
  if (read.boolean('OUTBOUND_PRIVATE_NETWORK', false)) {
    problems.push(
      'OUTBOUND_PRIVATE_NETWORK=true is replaced by OUTBOUND_ALLOW: list the private hosts or networks the provider may call, e.g. OUTBOUND_ALLOW=rp.internal,10.0.0.0/8 (link-local and cloud metadata addresses stay refused)',
    );
  }
  const outbound = parseOutboundAllow(read.text('OUTBOUND_ALLOW'));
  problems.push(...outbound.problems);
  // A grace window, not a second lifetime: at most a minute (docs/oidc-features.md).
  const refreshTokenReuseInterval = read.duration('REFRESH_TOKEN_REUSE_INTERVAL', 10, { max: 60, off: true });
  return {
    ...(pairwiseSalt !== undefined ? { pairwiseSalt } : {}),
    resourceServers,
    deviceCodeTtl,
    jwtAccessTokenTtl,
    refreshTokenReuseInterval,
    outbound: outbound.policy,
  };
}

export function readRegistration(read: EnvReader): RegistrationConfig {
  const { problems } = read;
  const modeText = (read.text('REGISTRATION') ?? 'off').toLowerCase();
  const mode = modeText === 'off' || modeText === 'token' || modeText === 'open' ? modeText : undefined;
  if (!mode) problems.push(`REGISTRATION must be off, token or open (got "${modeText}")`);
  const initialAccessToken = read.text('REGISTRATION_INITIAL_ACCESS_TOKEN');
  // Without the one shared token, each partner gets its own from `registration-tokens issue`,
  // kept in Redis so that every instance honours an issue or a revocation at once.
  if (mode === 'token' && !initialAccessToken && !read.text('REDIS_URL')) {
    problems.push(
      'REGISTRATION=token needs REDIS_URL for per-partner tokens (`registration-tokens issue`), or one shared REGISTRATION_INITIAL_ACCESS_TOKEN: a secret of >= 32 random characters that registering clients send as a Bearer token (or set REGISTRATION=open to let anyone register)',
    );
  }
  if (initialAccessToken && initialAccessToken.length < 32) {
    problems.push('REGISTRATION_INITIAL_ACCESS_TOKEN must be at least 32 random characters (e.g. `openssl rand -base64 48`)');
  }
  if (initialAccessToken && mode !== 'token') {
    // Refuse rather than ignore: an operator who set a token believes registration is protected.
    problems.push(`REGISTRATION_INITIAL_ACCESS_TOKEN is set but REGISTRATION is ${mode ?? modeText}: set REGISTRATION=token to require it`);
  }
  return { mode: mode ?? 'off', ...(mode === 'token' && initialAccessToken ? { initialAccessToken } : {}) };
}
