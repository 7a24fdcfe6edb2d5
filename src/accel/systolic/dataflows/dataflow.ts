/**
 * One systolic dataflow (os, ws, is) as a strategy: where a GEMM's dimensions go on the array, how long a
 * fold is, what it reads and writes, how operands are laid out at the ports and which array cell the RTL
 * uses. A dataflow is chosen once (`dataflowOf`); nothing else switches on its name.
 */
import type { Dataflow } from '../../../config/schema.js';
import type { IntMatrix } from '../../../sim/job.js';
import type { ArrayMapping, Gemm } from '../gemm.js';
import type { DataflowCode } from '../codes.js';

/** SRAM accesses of one GEMM at the array edge. */
export interface SramAccesses {
  ifmapReads: number;
  filterReads: number;
  ofmapWrites: number;
  ofmapReads: number;
}

/** DRAM words of one GEMM (partial sums in accumulator words). */
export interface DramWords {
  ifmapWords: number;
  filterWords: number;
  /** Final outputs plus partial sums spilled and read back. */
  ofmapWords: number;
}

/** SRAM capacities in operand words. */
export interface SramWords {
  ifmap: number;
  filter: number;
  ofmap: number;
}

/** The operand matrices of one GEMM as the array's ports read them, and the output/partial-sum memories. */
export interface PortLayout {
  p1: IntMatrix;
  p2: IntMatrix;
  out: { rows: number; cols: number };
  acc: { rows: number; cols: number };
}

export interface DataflowStrategy {
  name: Dataflow;
  /** The code the RTL and the C++ driver use (`DF` parameter, `MT_DATAFLOW`), defined in codes.ts. */
  code: DataflowCode;
  /** The GEMM dimension on the array rows (Sr), on the columns (Sc) and in time (T). */
  onArray(g: Gemm): { sr: number; sc: number; t: number };
  /** SCALE-Sim's fold length at the array edge, skew (and preload) included. */
  foldLength(rows: number, cols: number, t: number): number;
  /** Cycles a fold spends loading its stationary operand before streaming (0 for os). */
  preload(rows: number): number;
  /** SCALE-Sim's Compute Util denominator L'. */
  scaleSimComputeLength(rows: number, cols: number, t: number): number;
  /** SRAM accesses of one GEMM; `compat` follows SCALE-Sim's counting. */
  sramAccesses(g: Gemm, map: ArrayMapping, rows: number, cols: number, compat: boolean): SramAccesses;
  /** DRAM words of one GEMM with double-buffered SRAMs (`ifmapUnique`: the unpadded input of the group). */
  dramWords(
    g: Gemm,
    map: ArrayMapping,
    cols: number,
    ifmapUnique: number,
    sram: SramWords,
    accWords: number,
  ): DramWords;
  /** Lays out the im2col matrix A[m][k] and the weights w(k, j) for the ports. */
  layout(a: IntMatrix, w: (kk: number, j: number) => number, n: number): PortLayout;
  /** Reads result C[m][j] from the output memory the array wrote. */
  resultAt(o: IntMatrix, m: number, j: number, gemm: { m: number; n: number }): number;
  /** Whether the array keeps an operand stationary and accumulates partial sums over K folds (ws, is). */
  stationary: boolean;
  /** Lanes of the requantization-parameter port (one per output-channel column, or one). */
  qLanes(cols: number): number;
  /** The fold-controller counter that indexes requantization parameters. */
  qRowSignal: 't_row' | 't_col';
  /** The hand-written array cell in hw-templates/. */
  arrayTemplate: string;
}

/** Builds a matrix from a function of its indices. */
export function matrix(rows: number, cols: number, f: (r: number, c: number) => number): IntMatrix {
  const data = new Int16Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = f(r, c);
  return { rows, cols, data };
}

/** Half of a buffer (double buffering: one half computes while the other fills). */
export const half = (x: number) => Math.floor(x / 2);
