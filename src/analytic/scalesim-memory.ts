/**
 * SCALE-Sim v2.0.2's memory model of one simulated layer: DRAM words and activity windows of IFMAP, FILTER
 * and OFMAP, SRAM start/stop cycles, USER-mode stalls, and the per-layer report figures that must match its
 * floats bit for bit. Identical layer shapes are computed once (EfficientNet-B0's depthwise split gives
 * thousands of them). See docs/SCALESIM.md.
 */
import type { SystolicConfig } from '../config/schema.js';
import type { ScaleSimRow } from '../nets/scalesim-csv.js';
import { MactileError } from '../util/errors.js';
import { scaleSimFoldFigures } from './scalesim-figures.js';
import {
  demandLayout,
  foldOf,
  ofmapBand,
  scaleSimLayer,
  validRowSpan,
  type ScaleSimLayer,
} from './scalesim-geometry.js';
import { calcReadDram } from './scalesim-read-calc.js';
import { userModeRun } from './scalesim-user.js';
import { ofmapDramNoStalls } from './scalesim-write.js';
import type { GemmPerf } from '../accel/systolic/perf.js';

/** DRAM word count and first/last DRAM activity cycle of one operand. */
export interface OperandTrace {
  words: number;
  start: number;
  stop: number;
}

/** First and last cycle an operand's SRAM is accessed (the DETAILED report's SRAM columns). */
export interface SramWindow {
  start: number;
  stop: number;
}

/** Everything SCALE-Sim reports for one simulated layer beyond the compute figures of gemmPerf. */
export interface ScaleSimMemory {
  ifmap: OperandTrace;
  filter: OperandTrace;
  ofmap: OperandTrace;
  /** USER mode: stall cycles (0 in CALC mode). */
  stallCycles: number;
  /** Reported Total Cycles (folds * fold length - 1, plus the stalls before the last demand row). */
  totalCycles: number;
  sram: { ifmap: SramWindow; filter: SramWindow; ofmap: SramWindow };
  /** Percentages as SCALE-Sim computes them (same float operations, so the same bits). */
  overallUtil: number;
  mappingEfficiency: number;
  computeUtil: number;
}

const memo = new Map<string, ScaleSimMemory>();
const MEMO_LIMIT = 4096;

/** SRAM sizes in 1-byte words, as SCALE-Sim counts them whatever the precision. */
function sramWords(cfg: SystolicConfig): { ifmap: number; filter: number; ofmap: number } {
  return { ifmap: cfg.sram.ifmap_kb * 1024, filter: cfg.sram.filter_kb * 1024, ofmap: cfg.sram.ofmap_kb * 1024 };
}

/** The USER-mode Bandwidth, which SCALE-Sim reads as a whole number of words per cycle. */
function userBandwidth(cfg: SystolicConfig): number | undefined {
  const bw = cfg.dram.bandwidth;
  if (bw === 'calc') return undefined;
  if (!Number.isInteger(bw)) {
    throw new MactileError(
      `config ${cfg.source}: key 'dram.bandwidth': SCALE-Sim compatibility expects a whole number of words per cycle, received ${bw}`,
    );
  }
  return bw;
}

/** CALC mode: no stalls; DRAM windows from the estimate-bandwidth read buffers and the write buffer. */
function calcMode(
  L: ScaleSimLayer,
  words: ReturnType<typeof sramWords>,
): Omit<ScaleSimMemory, 'overallUtil' | 'mappingEfficiency' | 'computeUtil'> {
  const total = L.folds * L.foldLength - 1;
  const spanI = validRowSpan(L, demandLayout(L, 'ifmap'));
  const spanF = validRowSpan(L, demandLayout(L, 'filter'));
  const lastBand = ofmapBand(L, foldOf(L, L.folds - 1));
  return {
    ifmap: calcReadDram(L, 'ifmap', words.ifmap),
    filter: calcReadDram(L, 'filter', words.filter),
    ofmap: ofmapDramNoStalls(L, words.ofmap, L.cols, total),
    stallCycles: 0,
    totalCycles: total,
    sram: {
      // Reads come out one cycle after the demand row; writes go in on it.
      ifmap: { start: spanI.first + 1, stop: spanI.last + 1 },
      filter: { start: spanF.first + 1, stop: spanF.last + 1 },
      ofmap: {
        start: ofmapBand(L, foldOf(L, 0)).lo,
        stop: (L.folds - 1) * L.foldLength + lastBand.hi + lastBand.width - 1,
      },
    },
  };
}

/**
 * SCALE-Sim v2.0.2's memory figures of one (depthwise-split) topology row: DRAM traffic and windows, SRAM
 * windows, and in USER mode the stall cycles the caller adds to the compute cycles. Memoised per shape.
 */
export function scaleSimMemory(row: ScaleSimRow, perf: GemmPerf, cfg: SystolicConfig): ScaleSimMemory {
  const bw = userBandwidth(cfg);
  const words = sramWords(cfg);
  const key = [
    row.ifmapH,
    row.ifmapW,
    row.filterH,
    row.filterW,
    row.channels,
    row.numFilter,
    row.strideH,
    row.strideW,
    cfg.rows,
    cfg.cols,
    cfg.dataflow,
    words.ifmap,
    words.filter,
    words.ofmap,
    bw ?? 'calc',
  ].join(',');
  const known = memo.get(key);
  if (known) return known;
  const L = scaleSimLayer(row, cfg);
  if (L.folds !== perf.map.folds || L.t !== perf.map.t)
    throw new Error(`scaleSimMemory: ${row.name}: geometry disagrees with gemmPerf`);
  const mem = bw === undefined ? calcMode(L, words) : userModeRun(L, words, bw);
  const macs = L.m * L.n * L.k;
  const result: ScaleSimMemory = {
    ...mem,
    overallUtil: (macs * 100) / (mem.totalCycles * L.rows * L.cols),
    ...scaleSimFoldFigures(L),
  };
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, result);
  return result;
}
