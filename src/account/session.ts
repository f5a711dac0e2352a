/**
 * The account page's own session: a signed, httpOnly cookie scoped to /account that holds the
 * address, an expiry and an anti-forgery token for the page's forms. Short, since the page can
 * revoke other applications' access.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { UserError } from '../errors.js';

export const SESSION_COOKIE = 'evr_account';
export const COOKIE_PATH = '/account';
const SESSION_SECONDS = 30 * 60;

export interface AccountSession {
  address: string;
  /** Epoch seconds. */
  expiresAt: number;
  csrf: string;
}

/** Secure whenever the request came over TLS (behind the proxy: with TRUST_PROXY). */
export function cookieOptions(ctx: Context, maxAgeSeconds: number) {
  return { signed: true, httpOnly: true, sameSite: 'lax' as const, path: COOKIE_PATH, secure: ctx.secure, maxAge: maxAgeSeconds * 1000 };
}

export function readSession(ctx: Context): AccountSession | undefined {
  const raw = ctx.cookies.get(SESSION_COOKIE, { signed: true });
  if (!raw) return undefined;
  try {
    const session = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as AccountSession;
    if (typeof session.address !== 'string' || typeof session.csrf !== 'string' || !(session.expiresAt > Date.now() / 1000))
      return undefined;
    return session;
  } catch {
    return undefined;
  }
}

/** The session of a form post, whose anti-forgery token must match the session's. */
export function requireSession(ctx: Context, csrf: string): AccountSession {
  const session = readSession(ctx);
  if (!session) throw new UserError('account_signed_out');
  const expected = Buffer.from(session.csrf);
  const given = Buffer.from(csrf);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new UserError('account_form_expired');
  }
  return session;
}

export function startSession(ctx: Context, address: string): void {
  const session: AccountSession = {
    address,
    expiresAt: Math.floor(Date.now() / 1000) + SESSION_SECONDS,
    csrf: randomBytes(24).toString('base64url'),
  };
  ctx.cookies.set(SESSION_COOKIE, Buffer.from(JSON.stringify(session)).toString('base64url'), cookieOptions(ctx, SESSION_SECONDS));
}

export function endSession(ctx: Context): void {
  ctx.cookies.set(SESSION_COOKIE, null, { path: COOKIE_PATH });
}
