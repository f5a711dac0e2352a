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

/** Words in a template's code that are not its locals: JavaScript's, its globals', EJS's own. */
const NOT_LOCALS = new Set(
  (
    'break case catch class const continue debugger default delete do else export extends false finally for function if ' +
    'import in instanceof let new null of return super switch this throw true try typeof undefined var void while with ' +
    'yield async await NaN Infinity Object Array String Number Boolean Date Math JSON RegExp Error Map Set Symbol ' +
    'encodeURIComponent decodeURIComponent encodeURI parseInt parseFloat isNaN globalThis locals include'
  ).split(' '),
);

/**
 * The locals a template reads: the names in its code (strings and comments aside) that are not
 * properties, JavaScript or globals, nor declared by the template itself. EJS then declares each
 * from the locals once (`destructuredLocals`) instead of running the whole template inside
 * `with (locals)`, whose every name lookup is a slow dynamic one: half the time of a sign-in
 * page's render. A name read but not given is undefined, as under `with`.
 */
export function localNames(source: string): string[] {
  const names = new Set<string>();
  const declared = new Set<string>();
  for (const [, code = ''] of source.matchAll(/<%(?![#%])[=-]?([\s\S]*?)[-_]?%>/g)) {
    const bare = code.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, '""');
    for (const [, pattern = ''] of bare.matchAll(/\b(?:const|let|var)\s+(\[[^\]]*\]|\{[^}]*\}|[A-Za-z_$][\w$]*)/g)) {
      for (const [name] of pattern.matchAll(/[A-Za-z_$][\w$]*/g)) declared.add(name);
    }
    for (const [name] of bare.matchAll(/(?<![.\w$])[A-Za-z_$][\w$]*/g)) if (!NOT_LOCALS.has(name)) names.add(name);
  }
  return [...names].filter((name) => !declared.has(name)).sort();
}

/**
 * One page compiled: its partials written in place, its locals declared once.
 * `debug`: line tracking for error messages, where templates are edited (it costs a statement per
 * template line on every render). Partials are included by absolute path ('/partials/x', from
 * root), so that a runtime include, should one remain, costs no file-system lookup.
 */
export function compilePage(root: string, name: string, options: { debug: boolean }): ejs.TemplateFunction {
  const filename = join(root, `${name}.ejs`);
  const source = inlinePartials(readFileSync(filename, 'utf8'), root);
  return ejs.compile(source, { filename, root, compileDebug: options.debug, _with: false, destructuredLocals: localNames(source) });
}

export function createViews(root: string, options: { cache: boolean }): Views {
  // Compiled once and kept; in development (no cache) read and compiled on every render, so
  // edited templates show at once.
  const compiled = new Map<string, ejs.TemplateFunction>();
  const template = (name: string): ejs.TemplateFunction => {
    let fn = options.cache ? compiled.get(name) : undefined;
    if (!fn) {
      fn = compilePage(root, name, { debug: !options.cache });
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
