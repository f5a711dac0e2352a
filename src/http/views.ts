/**
 * EJS pages inside one layout. Templates are compiled once and kept; pages carry no inline
 * script or style, so the strict Content-Security-Policy holds (see security headers).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ejs from 'ejs';
import type { Context } from 'koa';
import { translator, type Translate } from '../i18n/index.js';
import { requestLanguage, requestTranslator } from './language.js';

export interface PageLocals {
  title: string;
  /** Extra script files under /static to load (deferred). */
  scripts?: string[];
  [name: string]: unknown;
}

export interface Views {
  /** Renders `name` into the layout as the response body (text/html, no-store). */
  render(ctx: Context, name: string, locals: PageLocals): Promise<void>;
  /** Renders to a string (for oidc-provider's own pages, which set ctx.body themselves). */
  html(name: string, locals: PageLocals, t?: Translate, lang?: string): string;
}

/** `<%- include('/partials/x') %>` or `<%- include('/partials/x', { ... }) %>`: a partial by absolute path, its data written out. */
const INCLUDE = /<%-\s*include\('(\/[\w/-]+)'\s*(?:,\s*(\{[^%]*?\}))?\s*\)\s*%>/g;

/**
 * The template's source with each partial it includes written in its place, its data given by
 * a `with` block: the partial sees the page's locals and its own data over them, as EJS's
 * include does, and renders the same bytes (test/http/views.test.ts), but without include's
 * costs on every render (a copy of all locals, a path lookup and a cache lookup per include;
 * about a third of a sign-in page's rendering).
 */
export function inlinePartials(source: string, root: string, depth = 0): string {
  if (depth > 8) throw new Error('partials nested more than 8 deep');
  return source.replace(INCLUDE, (_whole, path: string, data: string | undefined) => {
    const partial = inlinePartials(readFileSync(join(root, `${path}.ejs`), 'utf8'), root, depth + 1);
    return data ? `<% with (${data}) { %>${partial}<% } %>` : partial;
  });
}

export function createViews(root: string, options: { cache: boolean }): Views {
  const compiled = new Map<string, ejs.TemplateFunction>();
  const template = (name: string): ejs.TemplateFunction => {
    let fn = options.cache ? compiled.get(name) : undefined;
    if (!fn) {
      const filename = join(root, `${name}.ejs`);
      // cache: the partials a template includes are compiled once too, not on every render
      // (ejs keeps them by file name); off in development, where templates are edited live.
      // Views include partials by absolute path ('/partials/x', from root): a relative include
      // costs a file-system lookup on every render, cached or not.
      // compileDebug (line tracking for error messages) only where templates are edited: it
      // costs a statement per template line on every render.
      fn = ejs.compile(inlinePartials(readFileSync(filename, 'utf8'), root), {
        filename,
        root,
        cache: options.cache,
        compileDebug: !options.cache,
      });
      if (options.cache) compiled.set(name, fn);
    }
    return fn;
  };
  const html = (name: string, locals: PageLocals, t: Translate = translator(), lang = 'en'): string => {
    const body = template(name)({ ...locals, t });
    return template('layout')({ ...locals, t, lang, body, scripts: locals.scripts ?? [] });
  };
  return {
    html,
    async render(ctx, name, locals) {
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = html(name, locals, requestTranslator(ctx), requestLanguage(ctx));
    },
  };
}
