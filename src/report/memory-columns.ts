/** `sim`'s memory-system columns: the RTL's compute cycles, stall cycles by cause and DRAM words per layer. */
import type { LayerCheck, MemoryCounts } from '../accel/accelerator.js';
import type { Column } from './table.js';

/** The columns of the RTL's memory counters, one stall column per cause (blank for a layer without them). */
export function simMemoryColumns(causes: readonly string[]): Column<LayerCheck>[] {
  const of = (f: (m: MemoryCounts) => number) => (l: LayerCheck) => (l.memory ? f(l.memory) : '');
  return [
    { header: 'RTL compute', value: of((m) => m.computeCycles) },
    ...causes.map((c) => ({ header: `RTL stall ${c}`, value: of((m) => m.stallsByCause[c] ?? 0) })),
    { header: 'DRAM read', value: of((m) => m.dramReadWords) },
    { header: 'DRAM written', value: of((m) => m.dramWrittenWords) },
  ];
}
