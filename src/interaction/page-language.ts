import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { chooseLanguage } from '../http/language.js';
import { INTERACTION_UID_PATTERN } from './bodies.js';

/**
 * For the error handler: a refusal on an interaction's path raised before its route ran (a
 * malformed body) is worded in the language its page was shown in, the interaction's ui_locales.
 */
export function interactionLanguage(provider: Provider): (ctx: Context) => Promise<void> {
  return async (ctx) => {
    // A malformed id is looked up nowhere (it is refused for its shape).
    const uid = /^\/interaction\/([^/]+)/.exec(ctx.path)?.[1];
    if (uid === undefined || !INTERACTION_UID_PATTERN.test(uid)) return;
    const found = await provider.interactionDetails(ctx.req, ctx.res).catch(() => undefined);
    if (typeof found?.params.ui_locales === 'string') chooseLanguage(ctx, found.params.ui_locales);
  };
}
