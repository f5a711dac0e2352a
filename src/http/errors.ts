/**
 * The one place that turns errors into responses. A person's mistake gets a 4xx with words
 * that say what is wrong; our own failure gets a 500 with no details; a stack trace never
 * reaches the client, only the log.
 */
import type { Context, Middleware } from 'koa';
import { errors as oidcErrors } from 'oidc-provider';
import type { Logger } from 'pino';
import { loggablePath } from '../logger.js';
import type { MessageKey } from '../i18n/en.js';

/** An error the person or client caused, with a stable code and a message for them. */
export class UserError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly options: { retryAfterSeconds?: number; expose?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export interface ErrorPage {
  /** Renders the HTML error page with a title and a message for people. */
  render(ctx: Context, message: string, options?: { key?: MessageKey }): Promise<void>;
}

/** JSON for API callers (wallets, scripts) and for requests that asked for it. */
function wantsJson(ctx: Context): boolean {
  if (ctx.state.api === true) return true;
  return ctx.accepts('html', 'json') === 'json';
}

function respond(ctx: Context, status: number, code: string, description: string, page: ErrorPage, key?: MessageKey) {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  if (wantsJson(ctx)) {
    ctx.body = { error: code, error_description: description };
    return undefined;
  }
  return page.render(ctx, description, { key });
}

export interface ErrorHandlerOptions {
  /**
   * Recognises an unexpected error that has a better answer than a 500 — a storage outage
   * becomes a 503 — and returns that answer; undefined keeps the 500.
   */
  translate?: (error: unknown) => UserError | undefined;
}

export function errorHandler(logger: Logger, page: ErrorPage, options: ErrorHandlerOptions = {}): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        await respond(ctx, 404, 'not_found', 'There is nothing at this address.', page, 'error.notFound');
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
      logger.warn({ event: 'request.degraded', method: ctx.method, path: loggablePath(ctx.path), status: translated.status, error: { name: (error as Error).name, message: (error as Error).message } }, translated.message);
      error = translated;
    }
  }
  if (error instanceof UserError) {
    if (error.options.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(error.options.retryAfterSeconds));
    return respond(ctx, error.status, error.code, error.message, page);
  }
  if (error instanceof oidcErrors.SessionNotFound) {
    return respond(ctx, 400, 'session_not_found', 'This sign-in has expired or was opened in another browser. Go back to the application and start again.', page, 'error.session');
  }
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
  return respond(ctx, 500, 'server_error', 'Something went wrong on our side. Please try again in a moment.', page, 'error.server');
}
