/**
 * The refresh_token grant as relying parties in the wild call it, around oidc-provider's own
 * handler (which still does every check, the rotation and the reuse detection).
 *
 * Re-sent scopes: mod_auth_openidc, Authlib and others send their configured `scope` again on
 * every refresh (RFC 6749 §6 allows it). When the provider dropped one of those scopes at
 * authorization (`offline_access` without `prompt=consent`, OIDC Core §11; a scope it does not
 * offer), oidc-provider would answer invalid_scope and the person would be signed out at the
 * next access-token expiry. RFC 6749 §3.3 lets the server ignore part of the requested scope,
 * and §5.1 has the token response say which scopes were granted: the request is narrowed to
 * the scopes the refresh token carries. What was dropped stays dropped: nothing is ever added,
 * and a request of which nothing was granted still gets oidc-provider's invalid_scope.
 *
 * Parallel refreshes: every refresh rotates the token, and presenting a rotated-out token
 * revokes the grant (RFC 9700 §4.14.2). Relying parties that refresh in parallel (oauth2-proxy
 * with cookie_refresh, SPAs in several tabs, mod_auth_openidc under concurrent requests) present
 * the same token twice within moments and would sign the person out. Within the reuse interval
 * after a rotation, a second presentation is answered with fresh access and ID tokens and the
 * refresh token the rotation issued, which is not rotated again, so every party ends up holding
 * the same valid token (Okta's "grace period", Auth0's "reuse interval"). After the interval,
 * a presentation is a reuse and revokes the grant as before.
 */
import type Provider from 'oidc-provider';
import type { Adapter, KoaContextWithOIDC, TokenEndpointGrantContext } from 'oidc-provider';
import { RefreshTokenRotatedMeanwhile } from './store-adapter.js';

type GrantContext = TokenEndpointGrantContext;
type GrantHandler = (ctx: GrantContext) => unknown;
type ProviderClass = typeof Provider;
type Registration = Parameters<Provider['registerGrantType']>;
type AnyGrantHandler<Params extends object> = (ctx: TokenEndpointGrantContext<Params>) => unknown;
type RefreshToken = InstanceType<Provider['RefreshToken']>;

/**
 * How long a request that lost the race waits for the winner to record its new token (the
 * winner records it before answering, so it is a matter of milliseconds unless the machine is
 * overloaded; giving up means the person is signed out).
 */
const WAIT_FOR_ROTATION_MS = 5_000;
const POLL_MS = 25;
/** Rotations followed from a presented token to the current one (each within the interval). */
const MAX_HOPS = 8;

/** The provider event of a rotated-out token answered within the interval (ctx, current token). */
export const REUSED_WITHIN_INTERVAL = 'refresh_token.reused_within_interval';

/** The requested scopes that were granted, in request order; undefined when none were. */
export function grantedPart(requested: string, granted: ReadonlySet<string>): string | undefined {
  const kept = [...new Set(requested.split(' '))].filter((scope) => scope !== '' && granted.has(scope));
  return kept.length > 0 ? kept.join(' ') : undefined;
}

export interface RefreshGrantOptions {
  /** Seconds after a rotation in which the rotated-out token is answered, not revoked; 0: never. */
  reuseInterval: number;
  /** Where each rotation records the token it issued (keyed by the rotated-out token). */
  rotations: Adapter;
  /**
   * When a refresh token was consumed (rotated), epoch seconds. Not RefreshToken.find: within
   * the interval the store shows a rotated token as unconsumed (src/oidc/store-adapter.ts).
   */
  consumedAt(value: string): Promise<number | undefined>;
}

interface Rotation {
  successor: string;
  /** Epoch ms of the rotation. */
  at: number;
}

export interface RefreshGrant {
  /** oidc-provider's `rotateRefreshToken`: every refresh, except an answer within the interval. */
  rotateRefreshToken(ctx: KoaContextWithOIDC): boolean;
  /** oidc-provider's refresh_token handler, wrapped. */
  wrap(handler: GrantHandler): GrantHandler;
}

export function createRefreshGrant(options: RefreshGrantOptions): RefreshGrant {
  const { reuseInterval, rotations, consumedAt } = options;
  const intervalMs = reuseInterval * 1000;
  /** Requests answered with an already-issued token, which must not be rotated again. */
  const answeredWithinInterval = new WeakSet<object>();

  const find = (ctx: GrantContext, value: string) => ctx.oidc.provider.RefreshToken.find(value, { ignoreExpiration: true });

  /**
   * The current token of the chain of rotations that starts at `value`, each recorded within
   * the interval; waits a moment for a rotation that is still being recorded.
   */
  const currentToken = async (ctx: GrantContext, value: string): Promise<{ value: string; token: RefreshToken } | undefined> => {
    let current = value;
    for (let hops = 0; hops <= MAX_HOPS; hops += 1) {
      const deadline = Date.now() + WAIT_FOR_ROTATION_MS;
      let rotation = (await rotations.find(current)) as Rotation | undefined;
      while (!rotation) {
        if (Date.now() > deadline) return undefined;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        rotation = (await rotations.find(current)) as Rotation | undefined;
      }
      if (Date.now() - rotation.at > intervalMs) return undefined;
      current = rotation.successor;
      if ((await consumedAt(current)) === undefined) {
        const token = await find(ctx, current);
        return token ? { value: current, token } : undefined;
      }
    }
    return undefined;
  };

  const narrowScope = (params: Record<string, unknown>, token: RefreshToken | undefined) => {
    if (typeof params.scope !== 'string' || !token) return;
    // Nothing granted: leave the request alone, oidc-provider answers invalid_scope.
    const narrowed = grantedPart(params.scope, token.scopes);
    if (narrowed) params.scope = narrowed;
  };

  return {
    rotateRefreshToken: (ctx) => !answeredWithinInterval.has(ctx),

    wrap: (handler) => async (ctx) => {
      const params = ctx.oidc.params as Record<string, unknown>;
      const presented = params.refresh_token;
      if (typeof presented !== 'string') return handler(ctx);
      if (typeof params.scope === 'string') narrowScope(params, await find(ctx, presented));
      try {
        await handler(ctx);
      } catch (error) {
        // The store refused to consume it again within the interval: answer with the token its
        // rotation issued, without rotating that one (every party then holds the same token).
        if (!(error instanceof RefreshTokenRotatedMeanwhile) || answeredWithinInterval.has(ctx)) throw error;
        const current = await currentToken(ctx, presented);
        if (!current) throw error;
        params.refresh_token = current.value;
        answeredWithinInterval.add(ctx);
        narrowScope(params, current.token);
        await handler(ctx);
        // For the audit log: a stolen token replayed within the interval looks just like this.
        ctx.oidc.provider.emit(REUSED_WITHIN_INTERVAL, ctx, current.token);
        return;
      }
      const issued = (ctx.body as { refresh_token?: unknown } | undefined)?.refresh_token;
      if (reuseInterval > 0 && typeof issued === 'string' && issued !== presented) {
        const rotation: Rotation = { successor: issued, at: Date.now() };
        await rotations.upsert(presented, rotation as unknown as Parameters<Adapter['upsert']>[1], reuseInterval + 1);
      }
    },
  };
}

/**
 * oidc-provider registers its grant handlers through its public registerGrantType while it is
 * constructed; a subclass receives the refresh_token handler there and registers it wrapped.
 * The constructor then checks that this happened, so that an oidc-provider that stopped doing
 * it fails at start instead of silently losing the behaviour.
 */
export function providerWithRefreshGrant(Base: ProviderClass, grant: RefreshGrant): ProviderClass {
  const wrapped = new WeakSet<object>();
  const Wrapped = class extends Base {
    constructor(...args: ConstructorParameters<ProviderClass>) {
      super(...args);
      if (!wrapped.has(this)) throw new Error('oidc-provider did not register its refresh_token grant through registerGrantType');
    }

    override registerGrantType<Params extends object>(
      name: string,
      handler: AnyGrantHandler<Params>,
      params?: Registration[2],
      duplicates?: Registration[3],
    ): void {
      const registered = name === 'refresh_token' ? grant.wrap(handler as GrantHandler) : handler;
      if (name === 'refresh_token') wrapped.add(this);
      super.registerGrantType(name, registered as Registration[1], params, duplicates);
    }
  };
  return Wrapped as unknown as ProviderClass;
}
