/** The product's look for the pages oidc-provider renders itself: its errors, logout and the device flow. */
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Views } from '../http/views.js';
import { requestLanguage as languageOf, requestTranslator as translate } from '../http/language.js';
import type { MessageKey } from '../i18n/en.js';
import { describeClient, type ClientLike } from './client-identity.js';

/** The pages oidc-provider asks its configuration for (renderError, logoutSource, the device flow's sources). */
export interface ProviderPages {
  /** Renders oidc-provider's own error responses for browsers (bad client, bad redirect_uri, ...). */
  error(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): Promise<void>;
  /** RP-initiated logout confirmation; `form` is oidc-provider's hidden form (xsrf token). */
  logout(ctx: KoaContextWithOIDC, form: string): Promise<void>;
  logoutSuccess(ctx: KoaContextWithOIDC): Promise<void>;
  /** RFC 8628 §3.3 pages: enter the user code, confirm the device, done. */
  deviceInput(ctx: KoaContextWithOIDC, form: string, out?: unknown, err?: unknown): Promise<void>;
  deviceConfirm(
    ctx: KoaContextWithOIDC,
    form: string,
    client: { clientId: string; clientName?: string },
    deviceInfo: unknown,
    userCode: string,
  ): Promise<void>;
  deviceSuccess(ctx: KoaContextWithOIDC): Promise<void>;
}

/** Words people understand for oidc-provider's error codes (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). */
const OIDC_ERROR_TEXT: Record<string, MessageKey> = {
  invalid_client: 'error.oidc.invalid_client',
  invalid_redirect_uri: 'error.oidc.invalid_redirect_uri',
  invalid_request: 'error.oidc.invalid_request',
  unauthorized_client: 'error.oidc.unauthorized_client',
  unsupported_response_type: 'error.oidc.unsupported_response_type',
  invalid_scope: 'error.oidc.invalid_scope',
  access_denied: 'error.oidc.access_denied',
};

/** What went wrong with a user code (oidc-provider's re-render errors, RFC 8628 §3.3). */
const DEVICE_ERRORS: Record<string, MessageKey> = {
  NoCodeError: 'device.error.empty',
  NotFoundError: 'device.error.notFound',
  ExpiredError: 'device.error.expired',
  AlreadyUsedError: 'device.error.used',
  AbortedError: 'device.error.aborted',
};

/**
 * oidc-provider hands its device forms over as HTML with an inline event handler, which our
 * Content-Security-Policy forbids; we take its action and anti-forgery token and render our
 * own form around them.
 */
function deviceForm(form: string): { action: string; xsrf: string; userCode: string } {
  const attribute = (pattern: RegExp) => decodeHtml(pattern.exec(form)?.[1] ?? '');
  return {
    action: attribute(/action="([^"]*)"/),
    xsrf: attribute(/name="xsrf" value="([^"]*)"/),
    userCode: attribute(/name="user_code" value="([^"]*)"/) || attribute(/value="([^"]*)"[^>]*name="user_code"/),
  };
}

function decodeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function createProviderPages(views: Views): ProviderPages {
  return {
    async error(ctx, out) {
      const t = translate(ctx);
      const friendlyKey = Object.hasOwn(OIDC_ERROR_TEXT, out.error) ? OIDC_ERROR_TEXT[out.error] : undefined;
      const friendly = friendlyKey && t(friendlyKey);
      // The words for people, when we have them; the protocol's own description beneath, for the
      // application's developer, except "client is invalid", which only repeats the words.
      const message = friendly ?? out.error_description ?? out.error;
      const details = friendly && out.error_description && out.error !== 'invalid_client' ? out.error_description : undefined;
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = views.html('error', { title: t('error.title'), message, details, code: out.error }, t, languageOf(ctx));
    },
    async logout(ctx, form) {
      const t = translate(ctx);
      // The person sees which applications this sign-out ends (OIDC RP-Initiated Logout §2).
      const clientIds = Object.keys(ctx.oidc.session?.authorizations ?? {});
      const applications = await Promise.all(
        clientIds.map(async (id) => {
          const client = await ctx.oidc.provider.Client.find(id);
          return client ? describeClient(client as unknown as ClientLike).label : id;
        }),
      );
      ctx.type = 'html';
      ctx.body = views.html(
        'logout',
        { title: t('logout.title'), form, host: ctx.host, applications, address: ctx.oidc.session?.accountId },
        t,
        languageOf(ctx),
      );
    },
    async deviceInput(ctx, form, _out, err) {
      const t = translate(ctx);
      const name = (err as { name?: string } | undefined)?.name;
      const message = name ? t(DEVICE_ERRORS[name] ?? 'device.error') : undefined;
      if (message) ctx.status = name === 'AbortedError' ? 200 : 400;
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = views.html('device-input', { title: t('device.title'), ...deviceForm(form), message, scripts: [] }, t, languageOf(ctx));
    },
    async deviceConfirm(ctx, form, client, _deviceInfo, userCode) {
      const t = translate(ctx);
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      const display = describeClient(client as unknown as ClientLike);
      ctx.body = views.html(
        'device-confirm',
        { title: t('device.confirm.title'), ...deviceForm(form), client: display.label, verified: display.verified, userCode },
        t,
        languageOf(ctx),
      );
    },
    async deviceSuccess(ctx) {
      const t = translate(ctx);
      ctx.type = 'html';
      ctx.body = views.html(
        'device-success',
        { title: t('device.success.title'), client: ctx.oidc.client ? describeClient(ctx.oidc.client as unknown as ClientLike).label : '' },
        t,
        languageOf(ctx),
      );
    },
    async logoutSuccess(ctx) {
      const t = translate(ctx);
      ctx.type = 'html';
      ctx.body = views.html('logout-done', { title: t('logout.done.title' as MessageKey) }, t, languageOf(ctx));
    },
  };
}
