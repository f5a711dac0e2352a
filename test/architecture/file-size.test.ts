/**
 * A file a newcomer reads in one sitting: no source file in src/ over 300 lines. A longer one
 * holds more than one responsibility; split it where the responsibilities part
 * (docs/architecture.md, "Where each concern lives").
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { filesBelow } from './support/files.js';

const root = join(import.meta.dirname, '../..');
const MAX_LINES = 300;

describe('source file length', () => {
  it(`keeps every file in src/ at ${MAX_LINES} lines or fewer`, () => {
    const files = filesBelow(join(root, 'src'), /\.(ts|js)$/);
    expect(files.length).toBeGreaterThan(50);
    const long = files
      .map((file) => ({ file: relative(root, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
