/**
 * Switching activity measured by an activity build (docs/ENERGY.md): the driver reports, per item, how much
 * the RTL's toggle counters rose; a layer's toggles are their sums.
 */
import type { ToggleCounts } from '../accel/accelerator.js';

/**
 * A layer's toggles: the sums over its items' [a, b, psum, ...memory] rows (undefined when the run counted
 * none); `memory` names the further columns of a memory-system build, in the driver's order.
 */
export function layerToggles(items: number[][] | undefined, memory?: readonly string[]): ToggleCounts | undefined {
  if (!items) return undefined;
  const sum = (k: number) => items.reduce((s, r) => s + r[k]!, 0);
  const t = { a: sum(0), b: sum(1), psum: sum(2) };
  return memory ? { ...t, memory: Object.fromEntries(memory.map((name, i) => [name, sum(3 + i)])) } : t;
}
