/**
 * Rate limits on the authentication endpoints (SECURITY.md, "Rate limiting on authentication
 * endpoints"). Counters live in Redis, so a limit
 * holds across instances; the embedded default counts in process memory. Over a limit the
 * answer is 429 with Retry-After (RFC 6585 §4, RFC 9110 §10.2.3) and words saying when to
 * try again. Which requests count against which limit: src/security/limited-requests.ts.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimit, SecurityConfig } from '../config/index.js';
import { UserError, type ErrorCode } from '../errors.js';
import type { Metrics } from '../http/metrics.js';

export type LimitName = keyof SecurityConfig['rateLimits'];

/** The refusal of each limit (its words: src/errors.ts). */
const REFUSALS: Record<LimitName, LimitRefusal> = {
  challenge: 'rate_limited_challenge',
  signinPerIp: 'rate_limited_signin',
  token: 'rate_limited_token',
  registration: 'rate_limited_registration',
  authorization: 'rate_limited_authorization',
  status: 'rate_limited_status',
  userCodeGuesses: 'rate_limited_user_codes',
};

/** The codes that say when to try again. */
export type LimitRefusal = Extract<ErrorCode, 'locked_out' | `rate_limited_${string}`>;

/** Metric label and Redis key part of each limit. */
const LABELS: Record<LimitName, string> = {
  challenge: 'challenge',
  signinPerIp: 'signin_ip',
  token: 'token',
  registration: 'registration',
  authorization: 'authorization',
  status: 'status',
  userCodeGuesses: 'user_code_guesses',
};

/**
 * Where limiters keep their counters: a limiter named `name` (the Redis key part) allowing
 * `limit`, on Redis so a limit holds across instances, or in memory (product/stores.ts chooses).
 */
export type LimiterStorage = (name: string, limit: RateLimit) => RateLimiterAbstract;

function clockTime(date: Date): string {
  return `${date.toISOString().slice(11, 19)} UTC`;
}

/**
 * The 429 for a refusal that lifts in `retryAfterMs`. Retry-After is set on the response here
 * as well as carried by the error, because routes that catch a UserError to re-render their
 * own page (the login form) still answer with this status and must keep the header.
 */
/** The 429; its Retry-After is set where it is answered (src/http/errors.ts, the locked-out page). */
export function tooManyRequests(retryAfterMs: number, code: LimitRefusal): UserError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const at = clockTime(new Date(Date.now() + seconds * 1000));
  return new UserError(code, { wait: { seconds }, at }, { retryAfterSeconds: seconds });
}

export class RateLimits {
  private readonly limiters = new Map<LimitName, RateLimiterAbstract>();

  constructor(
    limits: SecurityConfig['rateLimits'],
    storage: LimiterStorage,
    private readonly metrics: Metrics,
  ) {
    for (const [name, limit] of Object.entries(limits) as Array<[LimitName, RateLimit | undefined]>) {
      if (limit) this.limiters.set(name, storage(LABELS[name], limit));
    }
  }

  /** Counts one event (a failure) under `key` without refusing anything now. */
  async count(name: LimitName, key: string): Promise<void> {
    await this.limiters.get(name)?.penalty(key, 1);
  }

  /** Throws the 429 while `key` has used up its limit, without counting this request. */
  async assertOpen(name: LimitName, key: string): Promise<void> {
    const limiter = this.limiters.get(name);
    const state = limiter ? await limiter.get(key) : null;
    if (!limiter || !state || state.consumedPoints < limiter.points) return;
    this.metrics.rateLimitRejections.inc({ limit: LABELS[name] });
    throw tooManyRequests(state.msBeforeNext, REFUSALS[name]);
  }

  /** Counts one request under `key`; throws the 429 when the limit is exceeded. */
  async consume(name: LimitName, key: string): Promise<void> {
    const limiter = this.limiters.get(name);
    if (!limiter) return;
    try {
      await limiter.consume(key);
    } catch (error) {
      // rate-limiter-flexible rejects with a RateLimiterRes when the limit is exceeded, and with
      // an Error when its store fails (Redis away: the error mapper answers 503).
      if (!(error instanceof RateLimiterRes)) throw error;
      this.metrics.rateLimitRejections.inc({ limit: LABELS[name] });
      throw tooManyRequests(error.msBeforeNext, REFUSALS[name]);
    }
  }
}
