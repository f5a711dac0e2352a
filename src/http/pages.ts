/** The product's look for the pages oidc-provider renders itself, and for error pages. */
import type { Context } from 'koa';
import type { ProviderPages } from '../oidc/provider.js';
import type { ErrorPage } from './errors.js';
import type { Views } from './views.js';
import { translator, type Translate } from '../i18n/index.js';
import type { MessageKey } from '../i18n/en.js';

const translate = (ctx: Context): Translate => (ctx.state.t as Translate | undefined) ?? translator();

/** Words people understand for oidc-provider's error codes (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). */
const OIDC_ERROR_TEXT: Record<string, string> = {
  invalid_client: 'The application that sent you here is not registered with this provider.',
  invalid_redirect_uri: 'The application sent you here with a return address it has not registered.',
  invalid_request: 'The application sent an incomplete or malformed sign-in request.',
  unauthorized_client: 'The application is not allowed to sign you in this way.',
  unsupported_response_type: 'The application asked for a kind of sign-in this provider does not offer.',
  invalid_scope: 'The application asked for permissions this provider does not know.',
  access_denied: 'The sign-in was cancelled.',
};

export function createErrorPage(views: Views): ErrorPage {
  return {
    async render(ctx, message, options = {}) {
      const t = translate(ctx);
      await views.render(ctx, 'error', { title: t('error.title'), message: options.key ? t(options.key) : message });
    },
  };
}

export function createProviderPages(views: Views): ProviderPages {
  return {
    async error(ctx, out) {
      const t = translate(ctx as unknown as Context);
      const friendly = OIDC_ERROR_TEXT[out.error];
      const message = friendly ? `${friendly}${out.error_description ? ` (${out.error_description})` : ''}` : out.error_description ?? out.error;
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = views.html('error', { title: t('error.title'), message, code: out.error }, t);
    },
    async logout(ctx, form) {
      const t = translate(ctx as unknown as Context);
      ctx.type = 'html';
      ctx.body = views.html('logout', { title: t('logout.title'), form, host: ctx.host }, t);
    },
    async logoutSuccess(ctx) {
      const t = translate(ctx as unknown as Context);
      ctx.type = 'html';
      ctx.body = views.html('logout-done', { title: t('logout.done.title' as MessageKey) }, t);
    },
  };
}
