/**
 * One spelling per route. oidc-provider's router matches a path without regard to ASCII case
 * and with one trailing slash dropped (`/TOKEN`, `/Token` and `/token/` are its `/token`), and
 * @koa/router does the same by default; the guards in front of them (rate limits, the CORS
 * preflight guard, body schemas, device-poll pacing, the availability gate) compare exact
 * strings. So the path is normalised once, before every guard: a path that a route would
 * match in another spelling is rewritten to the route's own spelling, parameter values kept as
 * sent. A path no route matches is left alone (it ends in a 404 whatever its spelling).
 */
import type { Middleware } from 'koa';

interface Template {
  /** Upper-cased literal segments; null where the template has a parameter. */
  segments: Array<string | null>;
  /** The template's own spelling of each literal segment. */
  spelled: string[];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the range starts at NUL to cover all of ASCII
const NON_ASCII = /[^\x00-\x7f]/;

/** ASCII upper case only, as oidc-provider's router folds (a non-ASCII letter never matches an ASCII one). */
function fold(text: string): string {
  // toUpperCase is ASCII-only on ASCII text; only other text needs the letter-by-letter fold
  // ('ß' and 'ı' would otherwise become 'SS' and 'I').
  return NON_ASCII.test(text) ? text.replace(/[a-z]+/g, (letters) => letters.toUpperCase()) : text.toUpperCase();
}

function parse(template: string): Template {
  const parts = template.split('/');
  return {
    segments: parts.map((part) => (part.startsWith(':') ? null : fold(part))),
    spelled: parts,
  };
}

/**
 * The canonical spelling of `path` among `templates` (paths such as `/token` or
 * `/interaction/:uid/events`), or undefined when no template matches it in any spelling.
 */
export function canonicalPathFinder(templates: Iterable<string>): (path: string) => string | undefined {
  const exact = new Set<string>();
  const literal = new Map<string, string>();
  const withParams: Template[] = [];
  for (const template of templates) {
    if (template.includes('/:')) withParams.push(parse(template));
    else {
      exact.add(template);
      literal.set(fold(template), template);
    }
  }
  const lookup = (path: string): string | undefined => {
    const upper = fold(path);
    const known = literal.get(upper);
    if (known !== undefined) return known;
    const parts = path.split('/');
    const folded = upper.split('/');
    for (const template of withParams) {
      if (template.segments.length !== parts.length) continue;
      const matches = template.segments.every((segment, i) => (segment === null ? parts[i] !== '' : segment === folded[i]));
      if (matches) return template.segments.map((segment, i) => (segment === null ? parts[i] : template.spelled[i])).join('/');
    }
    return undefined;
  };
  return (path) => {
    if (exact.has(path)) return path;
    const found = lookup(path);
    if (found !== undefined) return found;
    // One trailing slash, as both routers allow.
    return path.length > 1 && path.endsWith('/') ? lookup(path.slice(0, -1)) : undefined;
  };
}

/** Rewrites the request's path to its route's own spelling (see the module comment). */
export function canonicalPaths(templates: Iterable<string>): Middleware {
  const canonical = canonicalPathFinder(templates);
  return (ctx, next) => {
    const path = canonical(ctx.path);
    if (path !== undefined && path !== ctx.path) ctx.path = path;
    return next();
  };
}
