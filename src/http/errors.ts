/**
 * The one place that turns errors into responses. A person's mistake gets a 4xx with words
 * that say what is wrong; our own failure gets a 500 with no details; a stack trace never
 * reaches the client, only the log.
 *
 * A UserError (src/errors.ts) carries a closed code; here it becomes its status, Retry-After,
 * and words in the request's language (ctx.state.lang: a page's ui_locales, else
 * Accept-Language, else English): on the HTML page, and as the JSON answer's
 * `error_description` beside the stable `error` code, because wallets and the login page's
 * script show that text to the person. A program that sends no Accept-Language reads English.
 */
import type { Context, Middleware } from 'koa';
import { errors as oidcErrors } from 'oidc-provider';
import type { Logger } from 'pino';
import { UserError } from '../errors.js';
import { loggablePath } from '../logger.js';
import { languageChosen, requestLanguage } from './language.js';

/** The words of `error` for this request's reader. */
export function describeError(ctx: Context, error: UserError): string {
  return error.describe(requestLanguage(ctx));
}

export interface ErrorPage {
  /** Renders the HTML error page with a title and a message for people. */
  render(ctx: Context, message: string): Promise<void>;
}

/** JSON for API callers (wallets, scripts) and for requests that asked for it. */
function wantsJson(ctx: Context): boolean {
  if (ctx.state.api === true) return true;
  return ctx.accepts('html', 'json') === 'json';
}

/**
 * The status of an answer that carries `error`, with its Retry-After (RFC 9110 §10.2.3) when it
 * has one: for a page that shows the error itself (the sign-in page with its reason).
 */
export function answerStatus(ctx: Context, error: UserError): void {
  ctx.status = error.status;
  if (error.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(error.retryAfterSeconds));
}

function answer(ctx: Context, error: UserError, page: ErrorPage) {
  answerStatus(ctx, error);
  return respond(ctx, error.status, error.publicCode, describeError(ctx, error), page);
}

function respond(ctx: Context, status: number, code: string, description: string, page: ErrorPage) {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  if (wantsJson(ctx)) {
    ctx.body = { error: code, error_description: description };
    return undefined;
  }
  return page.render(ctx, description);
}

export interface ErrorHandlerOptions {
  /**
   * Recognises an unexpected error that has a better answer than a 500 — a storage outage
   * becomes a 503 — and returns that answer; undefined keeps the 500.
   */
  translate?: (error: unknown) => UserError | undefined;
  /**
   * Chooses the language of the page a refused request came from when its route did not (a
   * form's body refused before the route ran). Not asked for 429s and 5xx, which must stay cheap.
   */
  pageLanguage?: (ctx: Context) => Promise<void>;
}

export function errorHandler(logger: Logger, page: ErrorPage, options: ErrorHandlerOptions = {}): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        await answer(ctx, new UserError('not_found'), page);
      }
    } catch (error) {
      await handle(ctx, error, logger, page, options);
    }
  };
}

async function handle(ctx: Context, error: unknown, logger: Logger, page: ErrorPage, options: ErrorHandlerOptions): Promise<void> {
  if (!(error instanceof UserError) && !(error instanceof oidcErrors.OIDCProviderError)) {
    const translated = options.translate?.(error);
    if (translated) {
      // Name and message only: a storage error's own fields can hold the command and its
      // arguments (a stored token, a session).
      logger.warn(
        {
          event: 'request.degraded',
          method: ctx.method,
          path: loggablePath(ctx.path),
          status: translated.status,
          error: { name: (error as Error).name, message: (error as Error).message },
        },
        translated.message,
      );
      error = translated;
    }
  }
  if (error instanceof UserError) {
    if (error.status < 500 && error.status !== 429 && !languageChosen(ctx)) await options.pageLanguage?.(ctx).catch(() => undefined);
    return answer(ctx, error, page);
  }
  if (error instanceof oidcErrors.SessionNotFound) return answer(ctx, new UserError('session_not_found'), page);
  if (error instanceof oidcErrors.OIDCProviderError) {
    return respond(ctx, error.status, error.error, error.error_description ?? error.message, page);
  }
  // Koa and its body parser mark client errors (413 too large, 415 type, 400 bad JSON) as
  // exposable; their message is safe to show.
  const httpError = error as { status?: number; expose?: boolean; message?: string };
  if (typeof httpError.status === 'number' && httpError.status >= 400 && httpError.status < 500 && httpError.expose) {
    const code = httpError.status === 413 ? 'request_too_large' : httpError.status === 415 ? 'unsupported_media_type' : 'invalid_request';
    return respond(ctx, httpError.status, code, httpError.message ?? 'The request is not valid.', page);
  }
  logger.error({ err: error, method: ctx.method, path: loggablePath(ctx.path) }, 'unhandled error');
  return answer(ctx, new UserError('server_error'), page);
}
