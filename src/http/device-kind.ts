/**
 * Whether a page is opened on a phone, from the request: the browser's User-Agent Client Hint
 * `Sec-CH-UA-Mobile: ?1` where sent, else the "Mobi" token that mobile browsers put in their
 * User-Agent (MDN, "Browser detection using the user agent": "Mobi" for any mobile device).
 * Only the layout depends on it (no code to scan on the phone itself); a wrong guess costs a
 * QR code shown or not, never a sign-in.
 */
import type { Context } from 'koa';

export function openedOnPhone(ctx: Pick<Context, 'get'>): boolean {
  const hint = ctx.get('sec-ch-ua-mobile');
  if (hint) return hint.trim() === '?1';
  return /Mobi/.test(ctx.get('user-agent'));
}
