/**
 * The analytic performance model of a systolic array, per GEMM and per layer: folds, cycles, stall
 * cycles, utilisation figures, SRAM and DRAM traffic and execution time. Two flavours:
 *   - `scalesim`: SCALE-Sim v2's numbers exactly, quirks included (its -1 per layer, its compute-util
 *     denominator, its OFMAP write double count, its DRAM prefetch model);
 *   - `mactile` (default): the true cycle count of the generated RTL in either timing mode, padding-aware
 *     traffic, depthwise as one GEMM per channel.
 */
import { foldLength, gemmCycles } from '../config/pipeline.js';
import type { Dataflow, SystolicConfig, Timing } from '../config/schema.js';
import { mapGemm, mappingEfficiency, type ArrayMapping, type Gemm } from './gemm.js';

/** Figures of one GEMM (or `count` identical GEMMs run one after another). */
export interface GemmPerf {
  gemm: Gemm;
  map: ArrayMapping;
  /** Cycles of all `count` GEMMs, stalls included. */
  cycles: number;
  stallCycles: number;
  macs: number;
  /** Sum over all folds of rows_used*cols_used/(R*C) (mapping efficiency = this / folds). */
  mappedFolds: number;
  /** Sum over folds of the compute-util numerator (rows_used*cols_used*T/(R*C*L')). */
  computeFolds: number;
  sram: { ifmapReads: number; filterReads: number; ofmapWrites: number; ofmapReads: number };
}

export interface ArrayShape {
  rows: number;
  cols: number;
  dataflow: Dataflow;
}

/** SCALE-Sim's Compute Util denominator L': T+R+C-2 for os, 2R+2C+T-3 for ws and is. */
function scaleSimComputeLength(df: Dataflow, r: number, c: number, t: number): number {
  return df === 'os' ? t + r + c - 2 : 2 * r + 2 * c + t - 3;
}

/** SRAM accesses at the array edge. SCALE-Sim counts OFMAP writes of os with its double count. */
function sramAccesses(g: Gemm, map: ArrayMapping, a: ArrayShape, compat: boolean): GemmPerf['sram'] {
  const { m, k, n } = g;
  if (a.dataflow === 'os') {
    const doubleCount = compat ? map.folds * (a.rows + a.cols) : 0;
    return { ifmapReads: map.colFolds * m * k, filterReads: map.rowFolds * k * n, ofmapWrites: m * n + doubleCount, ofmapReads: 0 };
  }
  const partialReads = compat ? 0 : (map.rowFolds - 1) * m * n;
  if (a.dataflow === 'ws') {
    return { ifmapReads: map.colFolds * m * k, filterReads: k * n, ofmapWrites: map.rowFolds * m * n, ofmapReads: partialReads };
  }
  return { ifmapReads: k * m, filterReads: map.colFolds * k * n, ofmapWrites: map.rowFolds * m * n, ofmapReads: partialReads };
}

/**
 * Compute figures of a GEMM: SCALE-Sim's (`compat`, folds * fold length - 1) or the RTL's true count in
 * the given timing mode. Stalls are added by the memory model.
 */
export function gemmPerf(g: Gemm, a: ArrayShape, opts: { compat: boolean; timing: Timing }): GemmPerf {
  const map = mapGemm(g, a.rows, a.cols, a.dataflow);
  const once = opts.compat
    ? map.folds * foldLength(a.dataflow, a.rows, a.cols, map.t) - 1
    : gemmCycles(opts.timing, a.dataflow, a.rows, a.cols, map.t, map.folds);
  const eff = mappingEfficiency(map, a.rows, a.cols);
  const computeLen = scaleSimComputeLength(a.dataflow, a.rows, a.cols, map.t);
  const sram = sramAccesses(g, map, a, opts.compat);
  const times = (x: number) => x * g.count;
  return {
    gemm: g,
    map,
    cycles: times(once),
    stallCycles: 0,
    macs: times(g.m * g.k * g.n),
    mappedFolds: times(eff * map.folds),
    computeFolds: times((eff * map.folds * map.t) / computeLen),
    sram: {
      ifmapReads: times(sram.ifmapReads),
      filterReads: times(sram.filterReads),
      ofmapWrites: times(sram.ofmapWrites),
      ofmapReads: times(sram.ofmapReads),
    },
  };
}

/** The array shape of a systolic config. */
export function arrayOf(cfg: SystolicConfig): ArrayShape {
  return { rows: cfg.rows, cols: cfg.cols, dataflow: cfg.dataflow };
}
