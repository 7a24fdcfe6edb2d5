import { validateConfig } from '../../src/config/load.js';
import type { NvdlaConfig, SystolicConfig } from '../../src/config/schema.js';

/** A validated systolic config for tests. */
export function systolic(rows: number, cols: number, dataflow: 'os' | 'ws' | 'is', timing: 'scalesim' | 'pipelined' = 'scalesim', precision: 'int8' | 'int16' = 'int8'): SystolicConfig {
  return validateConfig({ kind: 'systolic', rows, cols, dataflow, timing, precision }, `test-${rows}x${cols}-${dataflow}-${timing}-${precision}`) as SystolicConfig;
}

/** A validated NVDLA-style config for tests (v2 stripes unless given). */
export function nvdla(atomicC: number, atomicK: number, extra: Record<string, unknown> = {}): NvdlaConfig {
  return validateConfig({ kind: 'nvdla', atomic_c: atomicC, atomic_k: atomicK, ...extra }, `test-nv-${atomicC}x${atomicK}`) as NvdlaConfig;
}
