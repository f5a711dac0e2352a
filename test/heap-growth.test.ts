/**
 * The provider's heap grows to twice what survived a full collection before it collects again,
 * under the image's 256 MB cap too (src/heap-growth.ts): fewer full collections for the same
 * work. Counted, not timed: V8 reports each full (major) collection to a PerformanceObserver.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { HEAP_GROWING_PERCENT, tuneHeapGrowth } from '../src/heap-growth.js';

const MODULE = join(import.meta.dirname, '..', 'src', 'heap-growth.ts');

/**
 * Full collections of a program shaped like a sign-in load: a standing set of objects, part of it
 * replaced all the time (sessions and tokens that live a while, then go), and short-lived garbage.
 */
function majorCollections(nodeArgs: string[], tuned: boolean): number {
  const program = `import { tuneHeapGrowth } from ${JSON.stringify(MODULE)};
import { PerformanceObserver, constants } from 'node:perf_hooks';
${tuned ? 'tuneHeapGrowth();' : ''}
let majors = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
}).observe({ entryTypes: ['gc'] });
const standing = Array.from({ length: 400_000 }, (_, i) => ({ i, s: 'x' + i }));
let sink = 0;
for (let round = 0; round < 200; round++) {
  for (let k = 0; k < 40_000; k++) standing[(round * 40_000 + k) % standing.length] = { i: k, s: 'y' + k, a: [k, k] };
  for (let k = 0; k < 20_000; k++) sink += JSON.stringify({ k, v: 'z'.repeat(20) }).length;
}
setTimeout(() => process.stdout.write(JSON.stringify({ majors, sink })), 100);`;
  const run = spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', program], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`child failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { majors: number }).majors;
}

describe('heap growth', () => {
  it('under the image heap cap, collects the old generation less often', () => {
    const capped = ['--max-old-space-size=256'];
    const byDefault = majorCollections(capped, false);
    const tuned = majorCollections(capped, true);
    // The provider itself under load: 31 full collections against 8 (docs/performance.md).
    expect(tuned).toBeLessThan(byDefault);
  }, 240_000);

  it('keeps a growth factor the operator gave node', () => {
    expect(tuneHeapGrowth(['--heap-growing-percent=50'])).toBeUndefined();
    expect(tuneHeapGrowth(['--heap_growing_percent=50'])).toBeUndefined();
    expect(tuneHeapGrowth(['--max-old-space-size=256'])).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  });
});
