/**
 * How far V8 lets the old generation grow past what survived a full collection before it collects
 * again. V8 picks that factor from the heap cap: 4x for large heaps, but only ~1.3x when the cap is
 * 256 MB or less, as the image sets it (docs/deploying.md, "Memory"). Under a sign-in load that
 * made the provider run about three times as many full collections as with V8's default cap, for
 * ~5-9% of its CPU per sign-in, while its heap stayed far below the cap (docs/performance.md,
 * change 14). A fixed factor of 2 keeps the cap as a hard bound on memory and takes back most of
 * that CPU, at the peak memory of bare oidc-provider under the same load.
 */
import { setFlagsFromString } from 'node:v8';

/** The old generation may grow to twice what survived the last full collection. */
export const HEAP_GROWING_PERCENT = 100;

const FLAG = '--heap-growing-percent';

/**
 * Sets the growth factor for this process, unless the operator gave node the flag themselves.
 * (V8 does not take it from NODE_OPTIONS, so it is set here rather than in the image.) Returns
 * the flag applied, or undefined when the operator's is kept.
 */
export function tuneHeapGrowth(execArgv: readonly string[] = process.execArgv): string | undefined {
  if (execArgv.some((arg) => arg === FLAG || arg.startsWith(`${FLAG}=`) || arg.startsWith('--heap_growing_percent'))) return undefined;
  const flag = `${FLAG}=${HEAP_GROWING_PERCENT}`;
  setFlagsFromString(flag);
  return flag;
}
