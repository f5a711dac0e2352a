/**
 * The language of the response, negotiated when a page first reads it: most requests (token,
 * userinfo, assets) show no text. `ctx.state.lang` and `ctx.state.t` read as usual; a route
 * may set both (ui_locales, OIDC Core §3.1.2.1).
 */
import type { Context, Middleware } from 'koa';
import { pickLanguage, translator, type Translate } from '../i18n/index.js';

/** ctx.state with lazy `lang` and `t`: getters on a prototype, not per request. */
class RequestState {
  [name: string]: unknown;
  #lang?: string;
  #t?: Translate;
  readonly #ctx: Context;

  constructor(ctx: Context) {
    this.#ctx = ctx;
  }

  get lang(): string {
    this.#lang ??= pickLanguage(...this.#ctx.acceptsLanguages());
    return this.#lang;
  }

  set lang(value: string) {
    this.#lang = value;
  }

  get t(): Translate {
    this.#t ??= translator(this.lang);
    return this.#t;
  }

  set t(value: Translate) {
    this.#t = value;
  }
}

export function negotiateLanguage(): Middleware {
  return (ctx, next) => {
    ctx.state = new RequestState(ctx);
    return next();
  };
}

const CHOSEN = Symbol('languageChosen');

/**
 * Answers in the first of `requested` (a page's ui_locales, OIDC Core §3.1.2.1) that we have,
 * else in the browser's Accept-Language; the error handler then keeps it.
 */
export function chooseLanguage(ctx: Context, requested: string): void {
  ctx.state.lang = pickLanguage(requested, ...ctx.acceptsLanguages());
  ctx.state.t = translator(ctx.state.lang as string);
  (ctx.state as Record<symbol, unknown>)[CHOSEN] = true;
}

/** Whether a route chose the language from what the page asked for (chooseLanguage). */
export function languageChosen(ctx: { state: object }): boolean {
  return (ctx.state as Record<symbol, unknown>)[CHOSEN] === true;
}

/** The request's translator, or English outside negotiateLanguage (oidc-provider's own pages may render before it). */
export function requestTranslator(ctx: { state: Record<string, unknown> }): Translate {
  return (ctx.state.t as Translate | undefined) ?? translator();
}

/** The request's language, or English outside negotiateLanguage. */
export function requestLanguage(ctx: { state: Record<string, unknown> }): string {
  return (ctx.state.lang as string | undefined) ?? 'en';
}
