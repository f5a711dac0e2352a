/**
 * Where security and observability plug into sign-in attempts without the routes knowing
 * about them: `before` may refuse an attempt (rate limit, lock-out) by throwing a UserError (src/errors.ts);
 * `after` hears every outcome (audit log, metrics, alerts).
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
  before(ctx: Context, info: AuthAttemptInfo): Promise<void>;
  after(ctx: Context, outcome: AuthOutcome): Promise<void>;
}

export const NO_AUTH_HOOKS: AuthHooks = {
  async before() {},
  async after() {},
};

/** Runs `attempt` between the hooks, reporting success or the UserError's public code. */
export async function withAuthHooks<T>(hooks: AuthHooks, ctx: Context, info: AuthAttemptInfo, attempt: () => Promise<T>): Promise<T> {
  await hooks.before(ctx, info);
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
