/** One-line descriptions of hardware configs for tables and report headers. */
import type { HardwareConfig } from './schema.js';

/** Cells of the accelerator (PEs or MAC cells). */
export function cellsOf(c: HardwareConfig): number {
  return c.kind === 'systolic' ? c.rows * c.cols : c.atomic_c * c.atomic_k;
}

/** The published estimate mactile's cycles stand beside: SCALE-Sim v2 for arrays, NVDLA's estimator for cores. */
export function referenceName(c: HardwareConfig): string {
  return c.kind === 'systolic' ? 'SCALE-Sim v2' : 'NVDLA estimator';
}

/** Describes a config in one line, e.g. "systolic 16x16 os int8, scalesim timing, 1000 MHz". */
export function describeConfig(c: HardwareConfig): string {
  if (c.kind === 'systolic') {
    const bw = c.dram.bandwidth === 'calc' ? 'DRAM calc' : `DRAM ${c.dram.bandwidth} words/cycle`;
    return `systolic ${c.rows}x${c.cols} ${c.dataflow} ${c.precision}, ${c.timing} timing, SRAM ${c.sram.ifmap_kb}/${c.sram.filter_kb}/${c.sram.ofmap_kb} kB, ${bw}, ${c.clock_mhz} MHz`;
  }
  return `nvdla atomic-C ${c.atomic_c} x atomic-K ${c.atomic_k} ${c.precision}, buffers ${c.feature_buffer_kb}/${c.weight_buffer_kb} kB, ${c.clock_mhz} MHz`;
}
