/**
 * Where security and observability plug into sign-in attempts without the routes knowing
 * about them: `admit` may refuse an attempt (rate limit, lock-out) with a UserError (src/errors.ts);
 * `refused` and `after` hear every outcome (audit log, metrics, alerts).
 */
import type { Context } from 'koa';
import { UserError, type ErrorCode } from '../errors.js';

/** How the signature arrived: the same-device form, the wallet URL, or the desktop continuing. */
export type AuthChannel = 'form' | 'wallet' | 'continue';

export interface AuthAttemptInfo {
  channel: AuthChannel;
  clientId: string;
  /** What the person typed: unverified, may be malformed (never log it unescaped). */
  address?: string;
  interactionUid?: string;
  challengeId?: string;
}

export interface AuthOutcome extends AuthAttemptInfo {
  outcome: 'success' | 'failure';
  /** The error code on failure (signature_mismatch, challenge_expired, ...). */
  reason?: string;
}

export interface AuthHooks {
  /**
   * Whether this request's sender may attempt a sign-in now: the refusal (a 429), or undefined.
   * Asking counts the attempt. It depends on the request alone, so a route may ask before it
   * knows the attempt's details, beside its own reads of the store (one round trip).
   */
  admit(ctx: Context): Promise<UserError | undefined>;
  /** An attempt `admit` refused. */
  refused(ctx: Context, info: AuthAttemptInfo, refusal: UserError): void;
  after(ctx: Context, outcome: AuthOutcome): Promise<void>;
}

export const NO_AUTH_HOOKS: AuthHooks = {
  async admit() {
    return undefined;
  },
  refused() {},
  async after() {},
};

/** An admission asked ahead: it never rejects, so nothing is left unhandled when the route stops first. */
export interface Admission {
  refusal?: UserError;
  failed?: { error: unknown };
}

/** Asks `hooks.admit` now, to be handed to withAuthHooks later. */
export function admitAhead(hooks: AuthHooks, ctx: Context): Promise<Admission> {
  return hooks.admit(ctx).then(
    (refusal) => (refusal ? { refusal } : {}),
    (error: unknown) => ({ failed: { error } }),
  );
}

/**
 * Runs `attempt` between the hooks, reporting success or the UserError's public code. The
 * admission is asked here unless the route asked ahead (admitAhead).
 */
export async function withAuthHooks<T>(
  hooks: AuthHooks,
  ctx: Context,
  info: AuthAttemptInfo,
  attempt: () => Promise<T>,
  admission: Promise<Admission> = admitAhead(hooks, ctx),
): Promise<T> {
  const { refusal, failed } = await admission;
  if (failed) throw failed.error;
  if (refusal) {
    hooks.refused(ctx, info, refusal);
    throw refusal;
  }
  try {
    const result = await attempt();
    await hooks.after(ctx, { ...info, outcome: 'success', ...(typeof result === 'string' ? { address: result } : {}) });
    return result;
  } catch (error) {
    await hooks.after(ctx, { ...info, outcome: 'failure', reason: error instanceof UserError ? error.publicCode : 'server_error' });
    throw error;
  }
}

/** The code of the refusal while the client's IP is locked out after repeated failed sign-ins. */
export const LOCKED_OUT = 'locked_out' satisfies ErrorCode;
