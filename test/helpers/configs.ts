import { validateConfig } from '../../src/config/load.js';
import type { SystolicConfig } from '../../src/config/schema.js';

/** A validated systolic config for tests. */
export function systolic(rows: number, cols: number, dataflow: 'os' | 'ws' | 'is', timing: 'scalesim' | 'pipelined' = 'scalesim', precision: 'int8' | 'int16' = 'int8'): SystolicConfig {
  return validateConfig({ kind: 'systolic', rows, cols, dataflow, timing, precision }, `test-${rows}x${cols}-${dataflow}-${timing}-${precision}`) as SystolicConfig;
}
