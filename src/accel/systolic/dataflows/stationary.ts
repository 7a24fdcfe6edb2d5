/** What the two stationary dataflows (ws, is) share: preload, fold length, partial sums over K folds. */
import type { ArrayMapping, Gemm } from '../gemm.js';
import { half, type SramWords } from './dataflow.js';

/** 2R + C + T - 2: an R-cycle preload before the stream. */
export const stationaryFoldLength = (rows: number, cols: number, t: number) => 2 * rows + cols + t - 2;

/** SCALE-Sim's L' for ws and is. */
export const stationaryComputeLength = (rows: number, cols: number, t: number) => 2 * rows + 2 * cols + t - 3;

/** Partial sums read back for every K fold after the first (SCALE-Sim does not count them). */
export function partialReads(g: Gemm, map: ArrayMapping, compat: boolean): number {
  return compat ? 0 : (map.rowFolds - 1) * g.m * g.n;
}

/** Partial sums spilled to DRAM and read back when a column fold's partials do not fit half the OFMAP SRAM. */
export function spilledWords(
  g: Gemm,
  map: ArrayMapping,
  partialsPerColFold: number,
  sram: SramWords,
  accWords: number,
): number {
  return partialsPerColFold * accWords <= half(sram.ofmap) ? 0 : 2 * (map.rowFolds - 1) * g.m * g.n * accWords;
}
