/**
 * mactile's own DRAM traffic model of a systolic array with double-buffered SRAMs (one half computes
 * while the other fills). Operands are fetched once when the part that is reused fits in half of its
 * SRAM, and once per reuse pass otherwise; padding is inserted on chip and never fetched; ws/is partial
 * sums spill to DRAM only when a column fold's partials do not fit half of the OFMAP SRAM.
 */
import type { Dataflow } from '../config/schema.js';
import type { ArrayMapping, Gemm } from './gemm.js';

export interface DramWords {
  ifmapWords: number;
  filterWords: number;
  /** Final outputs plus partial sums spilled and read back. */
  ofmapWords: number;
}

export interface SramWords {
  /** SRAM capacities in operand words (kB * 1024 / bytes per operand). */
  ifmap: number;
  filter: number;
  ofmap: number;
}

/**
 * DRAM words of one GEMM. `ifmapUnique` is the unpadded input feature map of the channel group
 * (for an FC layer, K). Partial sums are counted in accumulator words (`accWords` operand words each).
 */
export function gemmDramWords(
  g: Gemm,
  map: ArrayMapping,
  df: Dataflow,
  cols: number,
  ifmapUnique: number,
  sram: SramWords,
  accWords: number,
): DramWords {
  const half = (x: number) => Math.floor(x / 2);
  const filterUnique = g.k * g.n;
  const outputs = g.m * g.n;
  if (df === 'os') {
    const ifmap = ifmapUnique <= half(sram.ifmap) ? ifmapUnique : ifmapUnique * map.colFolds;
    const sliceFits = g.k * Math.min(cols, g.n) <= half(sram.filter);
    return { ifmapWords: ifmap, filterWords: sliceFits ? filterUnique : filterUnique * map.rowFolds, ofmapWords: outputs };
  }
  // ws and is accumulate partial sums over the K folds of each column fold.
  const partialsPerColFold = (df === 'ws' ? g.m * Math.min(cols, g.n) : Math.min(cols, g.m) * g.n) * accWords;
  const spill = partialsPerColFold <= half(sram.ofmap) ? 0 : 2 * (map.rowFolds - 1) * outputs * accWords;
  if (df === 'ws') {
    const ifmap = ifmapUnique <= half(sram.ifmap) ? ifmapUnique : ifmapUnique * map.colFolds;
    return { ifmapWords: ifmap, filterWords: filterUnique, ofmapWords: outputs + spill };
  }
  const filter = filterUnique <= half(sram.filter) ? filterUnique : filterUnique * map.colFolds;
  return { ifmapWords: ifmapUnique, filterWords: filter, ofmapWords: outputs + spill };
}

/** Stall cycles when DRAM delivers `bandwidth` words per cycle: the transfer time beyond the compute time. */
export function bandwidthStalls(totalWords: number, bandwidth: number, computeCycles: number): number {
  return Math.max(0, Math.ceil(totalWords / bandwidth) - computeCycles);
}
