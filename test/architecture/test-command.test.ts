/**
 * The README's test command checks types, lint rules and formatting before a single test runs
 * (docs/architecture.md, "Habits"), so none of them can be skipped by running the suite.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('npm test', () => {
  it('runs the typecheck, then lint and format check, then vitest', () => {
    expect(scripts.test).toBe('npm run typecheck --silent && npm run lint --silent && vitest run');
    expect(scripts.typecheck).toMatch(/^tsc -p tsconfig\.json --noEmit$/);
    // biome check = lint rules + formatting; biome lint alone would let unformatted code through.
    expect(scripts.lint).toBe('biome check .');
  });
});
