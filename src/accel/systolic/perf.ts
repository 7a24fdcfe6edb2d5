/**
 * The analytic performance model of a systolic array, per GEMM and per layer: folds, cycles, stall
 * cycles, utilisation figures, SRAM and DRAM traffic and execution time. Two flavours:
 *   - `scalesim`: SCALE-Sim v2's numbers exactly, quirks included (its -1 per layer, its compute-util
 *     denominator, its OFMAP write double count, its DRAM prefetch model);
 *   - `mactile` (default): the true cycle count of the generated RTL in either timing mode, padding-aware
 *     traffic, depthwise as one GEMM per channel.
 */
import { gemmCycles } from './timing.js';
import type { SystolicConfig, Timing } from '../../config/schema.js';
import { dataflowOf, type DataflowStrategy } from './dataflows/index.js';
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
  df: DataflowStrategy;
}

/**
 * Compute figures of a GEMM: SCALE-Sim's (`compat`, folds * fold length - 1) or the RTL's true count in
 * the given timing mode. Stalls are added by the memory model.
 */
export function gemmPerf(g: Gemm, a: ArrayShape, opts: { compat: boolean; timing: Timing }): GemmPerf {
  const map = mapGemm(g, a.rows, a.cols, a.df);
  const once = opts.compat
    ? map.folds * a.df.foldLength(a.rows, a.cols, map.t) - 1
    : gemmCycles(opts.timing, a.df, a.rows, a.cols, map.t, map.folds);
  const eff = mappingEfficiency(map, a.rows, a.cols);
  const computeLen = a.df.scaleSimComputeLength(a.rows, a.cols, map.t);
  const sram = a.df.sramAccesses(g, map, a.rows, a.cols, opts.compat);
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
  return { rows: cfg.rows, cols: cfg.cols, df: dataflowOf(cfg.dataflow) };
}
