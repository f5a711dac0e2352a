/**
 * Rate limits applied one way (src/security/limited-requests.ts): one table names each limited
 * request, what it counts against and under which key. Every configured limit is applied by
 * some request, keys are the client IP or the whole service only, oidc-provider's endpoints are
 * named by method and path, and OAuth clients get their refusal as JSON.
 */
import { describe, it, expect } from 'vitest';
import type { Context } from 'koa';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { loadConfig } from '../../src/config/index.js';
import { createMetrics } from '../../src/http/metrics.js';
import { PROVIDER_ROUTES } from '../../src/oidc/routes.js';
import { RateLimits } from '../../src/security/rate-limit.js';
import { LIMITED_REQUESTS, countFailure, providerRequest, requestLimiter } from '../../src/security/limited-requests.js';

function rateLimits(env: Record<string, string>): RateLimits {
  const config = loadConfig(env, import.meta.dirname);
  return new RateLimits(
    config.security.rateLimits,
    (name, limit) => new RateLimiterMemory({ keyPrefix: name, points: limit.points, duration: limit.durationSeconds }),
    createMetrics(),
  );
}

/** Just what the limiter reads of a request (its client IP) and writes (Retry-After, ctx.state.api). */
function request(ip: string): Context {
  return { ip, req: { socket: {} }, state: {}, set() {} } as unknown as Context;
}

describe('the table of limited requests', () => {
  it('applies every configured limit to some request', () => {
    const configured = Object.keys(loadConfig({}, import.meta.dirname).security.rateLimits).sort();
    const applied = [...new Set(Object.values(LIMITED_REQUESTS).flatMap((rule) => rule.limits.map((applied) => applied.limit)))].sort();
    expect(applied).toEqual(configured);
  });

  it('keys a limit by the client IP or the whole service, never by what the request names', () => {
    const keys = new Set(Object.values(LIMITED_REQUESTS).flatMap((rule) => rule.limits.map((applied) => applied.key)));
    expect([...keys].sort()).toEqual(['clientIp', 'wholeService']);
  });

  it.each([
    ['GET', '/auth', 'authorizationRequest'],
    ['HEAD', '/auth', 'authorizationRequest'],
    ['POST', '/request', 'pushedAuthorizationRequest'],
    ['POST', '/token', 'tokenRequest'],
    ['POST', '/device/auth', 'deviceAuthorizationRequest'],
    ['POST', '/device', 'userCodeEntry'],
    ['POST', '/reg', 'clientRegistration'],
    ['PUT', '/reg/client-1', 'clientRegistration'],
    ['DELETE', '/reg/client-1', 'clientRegistration'],
    ['GET', '/reg/client-1', undefined],
    ['GET', '/token', undefined],
    ['OPTIONS', '/token', undefined],
    ['GET', '/device', undefined],
    ['POST', '/token/introspection', undefined],
    ['GET', '/auth/uid-1', undefined],
  ])('names %s %s as %s', (method, path, expected) => {
    expect(providerRequest(PROVIDER_ROUTES, method, path)).toBe(expected);
  });
});

describe('requestLimiter', () => {
  it('counts per client IP and refuses past the limit with a 429, as JSON for OAuth clients', async () => {
    const limit = requestLimiter(rateLimits({ RATE_LIMIT_TOKEN: '1/1m' }));
    await limit(request('198.51.100.1'), 'tokenRequest');
    const over = request('198.51.100.1');
    await expect(limit(over, 'tokenRequest')).rejects.toMatchObject({ status: 429 });
    expect(over.state.api).toBe(true);
    // The device authorization endpoint spends the same limit; another IP has its own.
    await expect(limit(request('198.51.100.1'), 'deviceAuthorizationRequest')).rejects.toMatchObject({ status: 429 });
    await limit(request('198.51.100.2'), 'tokenRequest');
  });

  it('leaves a page refusal as a page', async () => {
    const limit = requestLimiter(rateLimits({ RATE_LIMIT_CHALLENGE: '1/1m' }));
    await limit(request('198.51.100.1'), 'signInPage');
    const over = request('198.51.100.1');
    await expect(limit(over, 'newChallenge')).rejects.toMatchObject({ status: 429 });
    expect(over.state.api).toBeUndefined();
  });

  it('closes user-code entry for everyone once wrong codes from anywhere used up the service-wide limit', async () => {
    const limits = rateLimits({ RATE_LIMIT_USER_CODE_GUESSES: '2/1h' });
    const limit = requestLimiter(limits);
    await limit(request('198.51.100.1'), 'userCodeEntry');
    await countFailure(limits, request('198.51.100.1'), 'userCodeEntry');
    await countFailure(limits, request('198.51.100.2'), 'userCodeEntry');
    await expect(limit(request('198.51.100.3'), 'userCodeEntry')).rejects.toMatchObject({ status: 429 });
  });
});
