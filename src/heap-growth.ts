/**
 * How far V8 lets the old generation grow past what survived a full collection before it collects
 * again. V8 picks that factor from the heap cap: 4x for large heaps, but only ~1.3x when the cap is
 * 256 MB or less, as the image sets it (docs/deploying.md, "Memory"). Under a sign-in load that
 * made the provider run about four times as many full collections as with V8's default cap, for
 * ~5-9% of its CPU per sign-in and the slowest sign-ins (a full collection's marking lands on the
 * sign-ins in flight), while its heap stayed far below the cap (docs/performance.md, change 14).
 * The factor of large heaps, 4x, under the cap: the cap stays a hard bound on memory, and the
 * peak under load is about bare oidc-provider's.
 */
import { setFlagsFromString } from 'node:v8';

/** The old generation may grow to four times what survived the last full collection. */
export const HEAP_GROWING_PERCENT = 300;

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
