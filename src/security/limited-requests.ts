/**
 * Every rate limit is applied one way (SECURITY.md, "Rate limits"): a request is named as one
 * kind of LimitedRequest, and LIMITED_REQUESTS, the one table of them, says which limits it
 * counts against and under which key. Whoever first knows what a request is names it, and
 * `requestLimiter` applies the table:
 * - oidc-provider's endpoints are known by method and path (`providerRequest`), so one
 *   middleware in front of the provider names them;
 * - our own routes name theirs where they know them: a sign-in page counts only at the login
 *   step (the consent page that follows creates nothing), a sign-in attempt only once it names
 *   what it signs (the auth hooks, which also ask the lock-out in the same round trip and
 *   audit the refusal).
 *
 * A key is the client's IP or the whole service, never anything the request names: an address
 * is public, so a limit keyed on it would let anyone keep its owner out (SECURITY.md, "Rate
 * limiting on authentication endpoints").
 */
import type { Context, Middleware } from 'koa';
import type { InteractionRequest } from '../interaction/routes.js';
import { clientIp, ipKey } from './client-ip.js';
import type { LimitName, RateLimits } from './rate-limit.js';

/** The requests of oidc-provider's endpoints that count against a limit. */
export type ProviderRequest =
  | 'authorizationRequest'
  | 'pushedAuthorizationRequest'
  | 'tokenRequest'
  | 'deviceAuthorizationRequest'
  | 'clientRegistration'
  | 'userCodeEntry';

/** Every kind of request some limit counts: the provider's, the sign-in pages', and sign-in attempts (the auth hooks). */
export type LimitedRequest = ProviderRequest | InteractionRequest | 'signInAttempt';

interface AppliedLimit {
  limit: LimitName;
  key: 'clientIp' | 'wholeService';
  /**
   * `each` (the default): every request counts, and the one over the limit is refused.
   * `failures`: only failures count (countFailure, by whoever sees one); requests are refused
   * while the failures used up the limit.
   */
  counts?: 'each' | 'failures';
}

interface LimitedRequestRule {
  /** Applied in order; the first refusal ends the request. */
  limits: readonly AppliedLimit[];
  /** OAuth clients get a refusal as JSON (RFC 6749 §5.2 shape), whatever they accept. */
  json?: boolean;
}

export const LIMITED_REQUESTS: Record<LimitedRequest, LimitedRequestRule> = {
  // Each authorization request stores an Interaction for INTERACTION_TTL before anyone signs in.
  authorizationRequest: { limits: [{ limit: 'authorization', key: 'clientIp' }] },
  pushedAuthorizationRequest: { limits: [{ limit: 'authorization', key: 'clientIp' }], json: true },
  tokenRequest: { limits: [{ limit: 'token', key: 'clientIp' }], json: true },
  deviceAuthorizationRequest: { limits: [{ limit: 'token', key: 'clientIp' }], json: true },
  clientRegistration: { limits: [{ limit: 'registration', key: 'clientIp' }], json: true },
  // A user code is short enough to guess without a limit (RFC 8628 §5.1): entering one is a
  // sign-in attempt, and wrong codes from everywhere together close the page for a while.
  userCodeEntry: {
    limits: [
      { limit: 'signinPerIp', key: 'clientIp' },
      { limit: 'userCodeGuesses', key: 'wholeService', counts: 'failures' },
    ],
  },
  // Showing the sign-in page (at the login step) and asking for a new text both create a challenge.
  signInPage: { limits: [{ limit: 'challenge', key: 'clientIp' }] },
  newChallenge: { limits: [{ limit: 'challenge', key: 'clientIp' }] },
  statusPoll: { limits: [{ limit: 'status', key: 'clientIp' }], json: true },
  signInAttempt: { limits: [{ limit: 'signinPerIp', key: 'clientIp' }] },
};

/** The one key of the service-wide counts (the wrong user codes). */
const WHOLE_SERVICE_KEY = 'service';

function keyOf(ctx: Context, key: AppliedLimit['key']): string {
  return key === 'wholeService' ? WHOLE_SERVICE_KEY : ipKey(clientIp(ctx));
}

/** Counts a request of a kind against its limits, or throws the 429 of the first one it is over. */
export type RequestLimiter = (ctx: Context, request: LimitedRequest) => Promise<void>;

export function requestLimiter(limits: RateLimits): RequestLimiter {
  return async (ctx, request) => {
    const rule = LIMITED_REQUESTS[request];
    try {
      for (const { limit, key, counts = 'each' } of rule.limits) {
        if (counts === 'each') await limits.consume(limit, keyOf(ctx, key));
        else await limits.assertOpen(limit, keyOf(ctx, key));
      }
    } catch (error) {
      if (rule.json) ctx.state.api = true;
      throw error;
    }
  };
}

/** Counts a failed request of a kind against its limits that count failures. */
export async function countFailure(limits: RateLimits, ctx: Context, request: LimitedRequest): Promise<void> {
  const failures = LIMITED_REQUESTS[request].limits.filter((applied) => applied.counts === 'failures');
  await Promise.all(failures.map(({ limit, key }) => limits.count(limit, keyOf(ctx, key))));
}

/** Where oidc-provider serves the endpoints whose requests are limited (oidc/routes.ts PROVIDER_ROUTES). */
export interface LimitedRoutes {
  authorization: string;
  pushed_authorization_request: string;
  token: string;
  device_authorization: string;
  registration: string;
  /** Where a person enters a device flow's user code (RFC 8628 §3.3). */
  code_verification: string;
}

/** Which limited request of oidc-provider's a method and path are, if any. */
export function providerRequest(routes: LimitedRoutes, method: string, path: string): ProviderRequest | undefined {
  if (method === 'GET' || method === 'HEAD') return path === routes.authorization ? 'authorizationRequest' : undefined;
  if (method === 'POST') {
    if (path === routes.pushed_authorization_request) return 'pushedAuthorizationRequest';
    if (path === routes.token) return 'tokenRequest';
    if (path === routes.device_authorization) return 'deviceAuthorizationRequest';
    if (path === routes.code_verification) return 'userCodeEntry';
  }
  // RFC 7591 §3 registers with POST, RFC 7592 §2 updates and deletes with PUT and DELETE.
  if (
    (method === 'POST' || method === 'PUT' || method === 'DELETE') &&
    (path === routes.registration || path.startsWith(`${routes.registration}/`))
  )
    return 'clientRegistration';
  return undefined;
}

/** Names oidc-provider's limited requests by method and path before it is mounted, and limits them. */
export function providerRequestLimits(limit: RequestLimiter, routes: LimitedRoutes): Middleware {
  // Most requests are not limited: they pass without an async layer of this middleware's own.
  return (ctx, next) => {
    const request = providerRequest(routes, ctx.method, ctx.path);
    return request ? limit(ctx, request).then(() => next()) : next();
  };
}
