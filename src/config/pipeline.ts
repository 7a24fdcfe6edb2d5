/**
 * Timing constants of the generated systolic array that the analytic model and the RTL generator share,
 * so that the model can predict the RTL to the cycle without importing anything from rtl/ or sim/.
 *
 * Timeline of one GEMM (cycle 0 = first cycle after `start`):
 *   - fold f is issued at cycle f * interval; its first operands reach PE(0,0) MEM_READ_LATENCY cycles later;
 *   - a fold lasts foldLength cycles at the array edge (SCALE-Sim's fold length, skew included);
 *   - after the last MAC of the last fold, the output path (read-out, de-skew, requantization, write)
 *     takes OUTPUT_LATENCY cycles until the last result is written and `done` rises.
 */
import type { Dataflow, Timing } from './schema.js';

/** Cycles from an operand address to its data (the SRAM read latency the driver's memories model). */
export const MEM_READ_LATENCY = 1;

/** Cycles from the last MAC of a GEMM to `done` (result read-out, requantization stages, write). */
export const OUTPUT_LATENCY = 3;

/** SCALE-Sim's fold length: T + R + C - 2 for os, 2R + C + T - 2 for ws and is (an R-cycle preload). */
export function foldLength(dataflow: Dataflow, rows: number, cols: number, t: number): number {
  return dataflow === 'os' ? t + rows + cols - 2 : 2 * rows + cols + t - 2;
}

/**
 * Cycles between the issue of consecutive folds. `scalesim`: strictly serial, one fold length.
 * `pipelined`: the next fold's preload (ws/is) and the previous fold's drain (os) overlap the current
 * fold, so a fold costs its stream length T, but no less than R cycles (one row of results is read out,
 * or one weight row loaded, per cycle).
 */
export function foldInterval(timing: Timing, dataflow: Dataflow, rows: number, cols: number, t: number): number {
  return timing === 'scalesim' ? foldLength(dataflow, rows, cols, t) : Math.max(t, rows);
}

/** Cycles of one GEMM of `folds` folds on the array, start to done (what the RTL's cycle counter reads). */
export function gemmCycles(timing: Timing, dataflow: Dataflow, rows: number, cols: number, t: number, folds: number): number {
  const interval = foldInterval(timing, dataflow, rows, cols, t);
  return (folds - 1) * interval + foldLength(dataflow, rows, cols, t) + MEM_READ_LATENCY + OUTPUT_LATENCY;
}
