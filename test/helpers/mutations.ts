/**
 * Mutations of the emitted RTL text (the production RTL has no test-only knobs): each replaces exact
 * pieces of one file and throws when a piece is gone, so a change of the template cannot make a mutation
 * test pass vacuously. Files are named by their stem (`mt_requant` is mt_requant.v or mt_requant.sv), and
 * `applied` says whether the design the mutation was given contained the file at all.
 */
import type { DesignOptions } from '../../src/accel/accelerator.js';

export interface Mutation extends DesignOptions {
  /** What the mutation does, for test names and messages. */
  readonly name: string;
  /** Whether the mutation has altered a file since it was made (false: the design has no such file). */
  readonly applied: boolean;
}

/** A file name without its Verilog or SystemVerilog extension. */
const stem = (file: string) => file.replace(/\.s?v$/, '');

/** A mutation replacing each `from` with its `to` (first occurrence, in order) in the file `file` (a stem). */
function mutation(name: string, file: string, edits: [from: string, to: string][]): Mutation {
  let applied = false;
  return {
    name,
    get applied() {
      return applied;
    },
    mutate(text, fileName) {
      if (stem(fileName) !== stem(file)) return text;
      let out = text;
      for (const [from, to] of edits) {
        if (!out.includes(from))
          throw new Error(`mutation ${name}: ${JSON.stringify(from)} no longer appears in ${fileName}`);
        out = out.replace(from, to);
      }
      applied = true;
      return out;
    },
  };
}

/** The fold controller's fold interval changed by `delta` cycles (negative: folds overlap too early). */
export function foldIntervalMutation(delta: number): Mutation {
  const expr = '(TIMING == mt_sa_pkg::TIMING_SCALESIM) ? fold_len_in : ((t_in > R32) ? t_in : R32);';
  const to = `((TIMING == mt_sa_pkg::TIMING_SCALESIM) ? fold_len_in : ((t_in > R32) ? t_in : R32)) ${delta < 0 ? '-' : '+'} 32'd${Math.abs(delta)};`;
  return mutation(`fold interval ${delta < 0 ? '' : '+'}${delta}`, 'mt_sa_ctrl', [[expr, to]]);
}

// The output stage (mt_requant, shared by the systolic array and the NVDLA-style core's SDP):
//   rmag = (shift_q == 0) ? mag : (mag + 2^(shift_q-1)) >> shift_q; t = +-rmag; ReLU; + zp; saturate.
const ROUND = "(mag + (PW'(1) << (shift_q - 6'd1))) >> shift_q";
const SHIFT0 = "(shift_q == 6'd0) ? mag : ";
const QMAX = "QMAX = (PW'(1) <<< (DW - 1)) - PW'(1);";
const QMIN = "QMIN = -QMAX - PW'(1);";
const CLAMP_TOP = '(t > QMAX) ? QMAX[DW-1:0] : ';
const CLAMP_BOTTOM = '(t < QMIN) ? QMIN[DW-1:0] : ';

/** The mutations of the output stage that the bit-exact check must catch. */
export const requantMutations = {
  /** Ties rounded toward zero (2.5 -> 2, -2.5 -> -2) instead of away from it. */
  halfTowardZero: () =>
    mutation('rounding half toward zero', 'mt_requant', [
      [ROUND, "(mag + (PW'(1) << (shift_q - 6'd1)) - PW'(1)) >> shift_q"],
    ]),
  /** Ties rounded up, toward +inf (2.5 -> 3, -2.5 -> -2). */
  halfUp: () =>
    mutation('rounding half up', 'mt_requant', [[ROUND, "(mag + (PW'(1) << (shift_q - 6'd1)) - PW'(neg)) >> shift_q"]]),
  /** No saturation at the top: results above the range wrap. */
  noTopSaturation: () => mutation('top saturation removed', 'mt_requant', [[CLAMP_TOP, '']]),
  /** The top of the range one too high (2^(DW-1), the classic slip): results above it wrap to the minimum. */
  topOffByOne: () =>
    mutation('top saturation off by one', 'mt_requant', [
      [QMAX, "QMAX = (PW'(1) <<< (DW - 1));"],
      [QMIN, 'QMIN = -QMAX;'],
    ]),
  /** No saturation at the bottom: results below the range wrap. */
  noBottomSaturation: () => mutation('bottom saturation removed', 'mt_requant', [[CLAMP_BOTTOM, '']]),
  /** A symmetric range: the bottom saturates at -(2^(DW-1) - 1) instead of -2^(DW-1). */
  bottomOffByOne: () => mutation('bottom saturation off by one', 'mt_requant', [[QMIN, 'QMIN = -QMAX;']]),
  /** Shift 0 takes the rounding path too (adding 2^(0-1), which wraps to 2^63). */
  shiftZeroBranch: () => mutation('shift-0 branch removed', 'mt_requant', [[SHIFT0, '']]),
  /** ReLU never applied. */
  noRelu: () => mutation('ReLU removed', 'mt_requant', [["if (relu_q && t < 0) t = '0;", '']]),
};

// NVDLA's CACC (mt_nv_cacc, function convert): rmag = (shift == 0) ? mag : (mag + 2^(shift-1)) >>> shift.
const CACC_ROUND = "(mag + (ACC_W'(1) << (shift - 6'd1))) >>> shift";

/** The mutations of the NVDLA-style core's CACC conversion that the bit-exact check must catch. */
export const caccMutations = {
  /** CACC's truncation rounds ties toward zero. */
  halfTowardZero: () =>
    mutation('CACC rounding half toward zero', 'mt_nv_cacc', [
      [CACC_ROUND, "(mag + (ACC_W'(1) << (shift - 6'd1)) - ACC_W'(1)) >>> shift"],
    ]),
  /** CACC truncates without rounding (drops the bits). */
  noRounding: () => mutation('CACC rounding removed', 'mt_nv_cacc', [[CACC_ROUND, 'mag >>> shift']]),
};

/** Mutations of the systolic memory system's sequencer (docs/MEMORY.md), each of which the memory tests must catch. */
export const memMutations = {
  /** The array starts a tile one IFMAP block too early (before its block is resident). */
  computeBeforeIfmap: () =>
    mutation('compute starts before the IFMAP block is resident', 'mt_mem_seq', [
      ['wire ready_a = done_a > need_a;', 'wire ready_a = done_a >= need_a;'],
    ]),
  /** The GEMM ends at the last write beat, without waiting for its response. */
  noWriteResponse: () =>
    mutation('done without the last write response', 'mt_mem_seq', [
      ["b_pending == 32'd1 && bvalid", "b_pending == 32'd1"],
    ]),
  /** A tile writes into the OFMAP half its predecessor but one is still draining. */
  ofmapOverrun: () =>
    mutation('a tile starts before its OFMAP half is drained', 'mt_mem_seq', [
      ["drains_done >= c_idx - 32'd1", "drains_done + 32'd1 >= c_idx - 32'd1"],
    ]),
  /** Waiting for FILTER counted as waiting for IFMAP. */
  stallCause: () =>
    mutation('FILTER stalls counted as IFMAP stalls', 'mt_mem_seq', [
      ["cnt_stall_filter <= cnt_stall_filter + 64'd1;", "cnt_stall_ifmap <= cnt_stall_ifmap + 64'd1;"],
    ]),
};
