/**
 * One place maps errors to responses (docs/architecture.md "Errors"): code throws a UserError of
 * src/errors.ts and src/http/errors.ts writes the answer. This fails when a file of src/ writes
 * an error body itself, unless it is one of the few listed here with the reason.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { filesBelow } from './support/files.js';

const src = join(import.meta.dirname, '../../src');

const WRITES_ITS_OWN_ERROR_BODY = [
  // The mapping itself.
  'http/errors.ts',
  // Rewrites oidc-provider's own token answer to slow_down (RFC 8628 §3.5), after the fact.
  'oidc/device-pacing.ts',
  // Also served by the metrics listener's own app (METRICS_PORT), which has no error handler.
  'http/metrics.ts',
];

describe('error answers', () => {
  it('are written by src/http/errors.ts alone', () => {
    const writers = filesBelow(src, /\.ts$/)
      .filter((file) => /ctx\.body\s*=\s*\{\s*error\s*:/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(src, file).split('\\').join('/'))
      .sort();
    expect(writers).toEqual([...WRITES_ITS_OWN_ERROR_BODY].sort());
  });
});
