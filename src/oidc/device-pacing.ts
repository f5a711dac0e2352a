/**
 * Polling pace of the device authorization grant (RFC 8628 §3.5), which oidc-provider 9 does
 * not enforce: a device that polls the token endpoint again before its interval has passed
 * gets `slow_down`, and its interval grows by 5 seconds for this and every later poll. The
 * pace is kept in the shared store, so it holds across instances.
 */
import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import { MemoryTtlMap } from '../store/memory-ttl-map.js';
import { defineScript, type RedisClient } from '../store/redis-script.js';

/** RFC 8628 §3.2: the interval a device starts with when none is given. */
export const DEVICE_POLL_INTERVAL = 5;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface PollPacer {
  /** Records a poll at `now` (ms); true when it came too early (answer slow_down). */
  tooEarly(deviceCode: string, now: number, ttlSeconds: number): Promise<boolean>;
}

const key = (deviceCode: string) => `device-poll:${createHash('sha256').update(deviceCode).digest('base64url')}`;

// KEYS[1] pace hash; ARGV: now ms, base interval s, ttl s. Returns 1 when too early.
const paceScript = defineScript(`
local last = tonumber(redis.call('HGET', KEYS[1], 'last'))
local interval = tonumber(redis.call('HGET', KEYS[1], 'interval')) or tonumber(ARGV[2])
local now = tonumber(ARGV[1])
local early = 0
if last and now - last < interval * 1000 then
  interval = interval + 5
  early = 1
end
redis.call('HSET', KEYS[1], 'last', now, 'interval', interval)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return early
`);

export function createRedisPollPacer(redis: RedisClient): PollPacer {
  return {
    async tooEarly(deviceCode, now, ttl) {
      return (await paceScript(redis, [key(deviceCode)], [now, DEVICE_POLL_INTERVAL, ttl])) === 1;
    },
  };
}

export function createMemoryPollPacer(): PollPacer {
  const paces = new MemoryTtlMap<string, { last: number; interval: number }>();
  return {
    async tooEarly(deviceCode, now, ttl) {
      const id = key(deviceCode);
      const pace = paces.get(id);
      const early = pace !== undefined && now - pace.last < pace.interval * 1000;
      paces.set(id, { last: now, interval: (pace?.interval ?? DEVICE_POLL_INTERVAL) + (early ? 5 : 0) }, ttl * 1000);
      return early;
    },
  };
}

/**
 * Around the mounted provider: adds `interval` to device authorization responses, and turns
 * an early poll's authorization_pending into slow_down.
 */
export function devicePollPacing(pacer: PollPacer, routes: { token: string; deviceAuthorization: string }, ttlSeconds: number): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || (ctx.path !== routes.token && ctx.path !== routes.deviceAuthorization)) return next();
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.method !== 'POST' || !body || typeof body !== 'object') return;
    if (ctx.path === routes.deviceAuthorization && ctx.status === 200 && body.device_code && body.interval === undefined) {
      body.interval = DEVICE_POLL_INTERVAL;
      return;
    }
    const params = (ctx as unknown as { oidc?: { params?: Record<string, unknown> } }).oidc?.params;
    if (ctx.path !== routes.token || params?.grant_type !== DEVICE_GRANT || body.error !== 'authorization_pending') return;
    const deviceCode = params.device_code;
    if (typeof deviceCode !== 'string') return;
    if (await pacer.tooEarly(deviceCode, Date.now(), ttlSeconds)) {
      ctx.status = 400;
      ctx.body = {
        error: 'slow_down',
        error_description: `polling too fast: wait at least ${DEVICE_POLL_INTERVAL} seconds more between requests (RFC 8628 §3.5)`,
      };
    }
  };
}
