/**
 * What a waveform of the systolic array shows: the default cycle windows of a traced layer (its first fold
 * and its last, from the analytic model's fold schedule) and the signal map of the array's internals. Model
 * code: it imports the timing formulas, nothing of the generator or the simulation.
 */
import type { CycleWindow } from '../accelerator.js';
import type { MacLayer } from '../../nets/ir.js';
import type { SystolicConfig } from './config.js';
import { dataflowOf } from './dataflows/index.js';
import { layerGemm, mapGemm } from './gemm.js';
import { layerSchedule } from './model.js';
import { foldInterval } from './timing.js';

/**
 * The first fold of the layer's first GEMM and the last fold of its last GEMM, in layer cycles: a fold
 * spans from its issue to the last write of its results (the cycles of a one-fold GEMM).
 */
export function systolicTraceWindows(l: MacLayer, cfg: SystolicConfig): CycleWindow[] {
  const df = dataflowOf(cfg.dataflow);
  const schedule = layerSchedule(l, cfg);
  const map = mapGemm(layerGemm(l), cfg.rows, cfg.cols, df);
  const interval = foldInterval(cfg.timing, df, cfg.rows, cfg.cols, map.t);
  const total = schedule.reduce((s, g) => s + g.cycles, 0);
  const first = schedule[0]!;
  const span = first.cycles - (first.folds - 1) * interval;
  return [
    { start: 0, end: span },
    { start: total - span, end: total },
  ];
}

/** The signal map of the array's internals and ports (scopes as Verilator names them in the FST file). */
export function systolicTraceSignals(cfg: SystolicConfig): string[] {
  const dw = cfg.precision === 'int8' ? 8 : 16;
  const accW = dw === 8 ? 32 : 48;
  const { rows: R, cols: C } = cfg;
  const df = dataflowOf(cfg.dataflow);
  const lanes = (port: string, n: number, w: number, what: string, v = 'j') =>
    `${port}  ${n} lanes of ${w} bits: lane ${v} = bits [${v}*${w} +: ${w}] = ${what}`;
  const streamed = cfg.dataflow === 'is' ? 'weights' : 'input activations (im2col)';
  const lines = [
    '## counters (TOP.mt_sa_top)',
    'cnt_cycles  cycles since the start of the current GEMM (layer cycle = the GEMM offset + cnt_cycles)',
    'cnt_macs, cnt_outputs, cnt_folds  MACs issued, results written, folds started in the current GEMM',
    'fold_pulse  high in the cycle a fold starts streaming (the analytic model predicts these cycles)',
    'busy  high while a GEMM runs; start: the one-cycle pulse that starts it',
    '## buffers (the driver plays them; the ports the RTL reads and writes them through)',
    `p1_rd_en, p1_rd_row, p1_rd_col  streamed operand read (${streamed}): lane i = P1[row + i][col]`,
    lanes('p1_rd_data', R, dw, 'P1[row + i][col], one cycle after the request', 'i'),
    `p2_rd_en, p2_rd_row, p2_rd_col  second operand read (${cfg.dataflow === 'os' ? 'weights' : 'stationary operand, preloaded'}): lane j = P2[row + j][col]`,
    lanes('p2_rd_data', C, dw, 'P2[row + j][col]'),
    'q_rd_en, q_rd_row, q_bias, q_mult, q_shift  requantization parameters of output channel row + lane',
    ...(df.stationary
      ? [
          'acc_rd_*, acc_wr_*  partial sums of earlier K folds (read, then written back unless the last K fold)',
          lanes('acc_wr_data', C, accW, 'the partial sum of lane j'),
        ]
      : []),
    'o_wr_en, o_wr_row, o_wr_col, o_wr_mask  result write: lane j -> O[row + j][col] where mask bit j is set',
    lanes('o_wr_data', C, dw, 'the requantized result of lane j'),
    `## PE array (TOP.mt_sa_top.u_array, ${R} x ${C} PEs; [i][j] is the PE of row i, column j)`,
    `a_q[i][j]  ${dw}-bit streamed operand held by PE(i,j) (moves right one PE per cycle); v_q, f_q: its valid and first flags`,
    ...(df.stationary
      ? [
          `shadow[i][j], active[i][j]  PE(i,j)'s preloaded and active stationary operand (${dw} bits)`,
          `psum[i][j]  ${accW}-bit partial sum leaving PE(i,j) downwards; the bottom row is the array's output`,
        ]
      : [
          `b_q[i][j]  ${dw}-bit weight held by PE(i,j) (moves down one PE per cycle)`,
          `acc[i][j]  PE(i,j)'s ${accW}-bit accumulator (output stationary)`,
          'rd_row[j]  the accumulator row column j reads out',
        ]),
    `out  ${C} lanes of ${accW} bits: the sums the array gives the output stage`,
    '## output stage (TOP.mt_sa_top)',
    's_lanes, s_valid, s_firsts  the streamed operand after the row skew (lane i enters row i)',
    'sums_raw, sums  array results after the de-skew (and the partial-sum addition in ws/is)',
    'md_in, md_tap, md_out  fold metadata of each result row (valid, last K fold, row, column, lanes used)',
    'w1_*, w2_*  the two requantization stages; u_rq: one mt_requant per lane (g_rq[j])',
    'u_ctrl  the fold controller (mt_sa_ctrl): fold, stream and preload counters',
  ];
  return lines;
}
