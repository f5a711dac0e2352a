/**
 * Layers import downwards only (docs/architecture.md "Layers"). This scans every import and
 * export-from specifier in src/ and fails when a folder imports one above it in the documented
 * order, unless the import is in KNOWN_UPWARD_IMPORTS. That list may only shrink: an import that
 * disappears must be removed from it too, so the test also fails on a stale entry.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { filesBelow } from './support/files.js';

const root = join(import.meta.dirname, '../..');
const src = join(root, 'src');

/**
 * Lowest first, as docs/architecture.md lists them. A name is a folder of src/ or a file at its
 * top (without .ts); names on one line form one layer and may import each other.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['evrmore', 'i18n', 'errors', 'duration', 'logger'],
  ['config', 'keys', 'dev-secrets'],
  ['store'],
  ['http'],
  ['challenge'],
  ['dev'],
  ['oidc'],
  ['interaction'],
  ['security'],
  ['chain'],
  ['account'],
  ['demo', 'landing'],
  ['app'],
  ['product'],
  ['reload', 'shutdown', 'start-notice', 'healthcheck', 'heap-growth'],
  ['server', 'cli'],
];

/**
 * Upward imports that exist today, as "importing file -> layer it reaches up to". Each is a
 * debt: move the shared piece down, or pass it in, and delete the line.
 */
const KNOWN_UPWARD_IMPORTS: string[] = [];

/** The layer name of a path relative to src/: its top folder, or the file name at the top. */
function layerOf(path: string): string {
  const [first, ...rest] = path.split(sep).join('/').split('/');
  return rest.length > 0 ? first! : first!.replace(/\.(ts|js)$/, '');
}

/** Relative specifiers of `import … from`, `export … from`, `import '…'` and `import('…')`. */
function relativeSpecifiers(text: string): string[] {
  const found: string[] = [];
  const pattern =
    /(?:^|[\s;])(?:import|export)\s+(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  for (const match of text.matchAll(pattern)) found.push((match[1] ?? match[2])!);
  return found;
}

const rank = new Map(LAYERS.flatMap((names, i) => names.map((name) => [name, i] as const)));

/** Every "file -> higher layer" of src/ today, and every file whose layer is not in LAYERS. */
function scan(): { upward: string[]; unranked: string[] } {
  const upward = new Set<string>();
  const unranked = new Set<string>();
  for (const file of filesBelow(src, /\.ts$/)) {
    const from = relative(src, file);
    const fromLayer = layerOf(from);
    if (!rank.has(fromLayer)) unranked.add(fromLayer);
    for (const specifier of relativeSpecifiers(readFileSync(file, 'utf8'))) {
      const toLayer = layerOf(relative(src, normalize(join(dirname(file), specifier))));
      if (!rank.has(toLayer)) unranked.add(toLayer);
      else if (rank.get(toLayer)! > rank.get(fromLayer)!) upward.add(`${from.split(sep).join('/')} -> ${toLayer}`);
    }
  }
  return { upward: [...upward].sort(), unranked: [...unranked].sort() };
}

describe('layering', () => {
  it('reads the import forms used in src/', () => {
    const text = [
      "import { a } from '../challenge/service.js';",
      "import type { B } from './types.js';",
      "export { c } from '../http/errors.js';",
      "import '../side-effect.js';",
      "const m = await import('../product.js');",
      "import Router from '@koa/router';",
      "import {\n  d,\n  e,\n} from '../oidc/provider.js';",
    ].join('\n');
    expect(relativeSpecifiers(text)).toEqual([
      '../challenge/service.js',
      './types.js',
      '../http/errors.js',
      '../side-effect.js',
      '../product.js',
      '../oidc/provider.js',
    ]);
    expect(layerOf('challenge/service.ts')).toBe('challenge');
    expect(layerOf('product.ts')).toBe('product');
  });

  const { upward, unranked } = scan();

  it('places every folder and top-level file of src/ in a layer', () => {
    expect(unranked).toEqual([]);
  });

  it('has no upward import beyond the known ones', () => {
    expect(upward.filter((edge) => !KNOWN_UPWARD_IMPORTS.includes(edge))).toEqual([]);
  });

  it('lists no upward import that is gone (the list only shrinks)', () => {
    expect(KNOWN_UPWARD_IMPORTS.filter((edge) => !upward.includes(edge))).toEqual([]);
  });
});
