/**
 * Timing formulas of the generated systolic array, part of the analytic model: the RTL is built to them and
 * the simulation compares its counters against them, so the model predicts the RTL to the cycle.
 *
 * Timeline of one GEMM (cycle 0 = first cycle after `start`):
 *   - fold f is issued at cycle f * interval; its first operands reach PE(0,0) MEM_READ_LATENCY cycles later;
 *   - a fold lasts foldLength cycles at the array edge (SCALE-Sim's fold length, skew included);
 *   - after the last MAC of the last fold, the output path (read-out, de-skew, requantization, write)
 *     takes OUTPUT_LATENCY cycles until the last result is written and `done` rises.
 */
import type { Timing } from '../../config/schema.js';
import type { DataflowStrategy } from './dataflows/index.js';

/** Cycles from an operand address to its data (the SRAM read latency the driver's memories model). */
export const MEM_READ_LATENCY = 1;

/** Cycles from the last MAC of a GEMM to `done` (result read-out, requantization stages, write). */
export const OUTPUT_LATENCY = 3;

/**
 * Cycles between the issue of consecutive folds. `scalesim`: strictly serial, one fold length.
 * `pipelined`: the next fold's preload (ws/is) and the previous fold's drain (os) overlap the current
 * fold, so a fold costs its stream length T, but no less than R cycles (one row of results is read out,
 * or one weight row loaded, per cycle).
 */
export function foldInterval(timing: Timing, df: DataflowStrategy, rows: number, cols: number, t: number): number {
  return timing === 'scalesim' ? df.foldLength(rows, cols, t) : Math.max(t, rows);
}

/** Cycles of one GEMM of `folds` folds on the array, start to done (what the RTL's cycle counter reads). */
export function gemmCycles(
  timing: Timing,
  df: DataflowStrategy,
  rows: number,
  cols: number,
  t: number,
  folds: number,
): number {
  const interval = foldInterval(timing, df, rows, cols, t);
  return (folds - 1) * interval + df.foldLength(rows, cols, t) + MEM_READ_LATENCY + OUTPUT_LATENCY;
}

/** The cycles at which each fold of a GEMM starts streaming (what the RTL's fold pulse marks). */
export function foldStarts(
  timing: Timing,
  df: DataflowStrategy,
  rows: number,
  cols: number,
  t: number,
  folds: number,
): number[] {
  const interval = foldInterval(timing, df, rows, cols, t);
  return Array.from({ length: folds }, (_, f) => df.preload(rows) + f * interval);
}
