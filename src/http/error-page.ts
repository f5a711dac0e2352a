/** The product's error page, for the errors our own routes and middleware raise (http/errors.ts). */
import type { ErrorPage } from './errors.js';
import { requestTranslator } from './language.js';
import type { Views } from './views.js';

export function createErrorPage(views: Views): ErrorPage {
  return {
    async render(ctx, message) {
      const t = requestTranslator(ctx);
      await views.render(ctx, 'error', { title: t('error.title'), message });
    },
  };
}
