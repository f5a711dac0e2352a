/**
 * test/ mirrors src/ (docs/architecture.md, "Tests"): a test file either sits where its source
 * does (test/<folder>/ for src/<folder>/, test/<name>.test.ts for src/<name>.ts), or in one of
 * the suites that drive the whole product from the outside.
 */
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { filesBelow } from './support/files.js';
import { join, relative, sep } from 'node:path';

const root = join(import.meta.dirname, '../..');

/** Suites grouped by what they prove, and the folders every test shares. */
const OUTSIDE_IN = [
  'security',
  'conformance',
  'interop',
  'e2e',
  'browser',
  'deploy',
  'bench',
  'architecture',
  'suite',
  'support',
  'fixtures',
];

/** Why a test file's place breaks the layout, or undefined when it is where it belongs. */
function misplaced(path: string, exists: (srcPath: string) => boolean): string | undefined {
  const [first, ...rest] = path.split('/');
  if (rest.length === 0) {
    const source = `src/${first!.replace(/\.test\.ts$/, '.ts')}`;
    return exists(source) ? undefined : `test/${path}: no ${source} at the top of src/`;
  }
  if (OUTSIDE_IN.includes(first!)) return undefined;
  return exists(`src/${first}`) ? undefined : `test/${path}: no src/${first}/ to mirror`;
}

describe('test layout', () => {
  it('tells a mirrored or suite file from a misplaced one', () => {
    const exists = (p: string) => ['src/logger.ts', 'src/oidc'].includes(p);
    expect(misplaced('logger.test.ts', exists)).toBeUndefined();
    expect(misplaced('oidc/adapter.test.ts', exists)).toBeUndefined();
    expect(misplaced('security/cors.test.ts', exists)).toBeUndefined();
    expect(misplaced('unit/account.test.ts', exists)).toMatch(/no src\/unit/);
    expect(misplaced('smoke.test.ts', exists)).toMatch(/no src\/smoke\.ts/);
  });

  it('every test file mirrors src/ or belongs to a suite', () => {
    const files = filesBelow(join(root, 'test'), /\.test\.ts$/).map((path) => relative(join(root, 'test'), path).split(sep).join('/'));
    expect(files.length).toBeGreaterThan(100);
    const wrong = files.map((f) => misplaced(f, (p) => existsSync(join(root, p)))).filter(Boolean);
    expect(wrong).toEqual([]);
  });
});
