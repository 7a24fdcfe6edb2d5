/**
 * Lowering of MAC layers to GEMMs and the mapping of a GEMM onto a systolic array, as SCALE-Sim
 * defines it: M = output pixels, K = window x input channels, N = filters; the dataflow decides which
 * dimensions go to the array rows (Sr), the columns (Sc) and time (T).
 */
import type { DataflowStrategy } from './dataflows/index.js';
import type { MacLayer } from '../../nets/ir.js';
import { scaleSimOutput, type ScaleSimRow } from '../../nets/scalesim-csv.js';

/** A GEMM C[M x N] = A[M x K] * B[K x N], repeated `count` times (once per channel group). */
export interface Gemm {
  m: number;
  k: number;
  n: number;
  count: number;
}

/** How one GEMM maps onto an R x C array under a dataflow. */
export interface ArrayMapping {
  sr: number;
  sc: number;
  t: number;
  rowFolds: number;
  colFolds: number;
  folds: number;
}

/** The GEMM of one channel group of a layer (depthwise: one GEMM per channel); a batch of N stacks N images in M. */
export function layerGemm(l: MacLayer): Gemm {
  const m = (l.batch ?? 1) * l.outShape.h * l.outShape.w;
  const k = l.kernel.h * l.kernel.w * (l.inShape.c / l.groups);
  const n = l.outShape.c / l.groups;
  return { m, k, n, count: l.groups };
}

/** The GEMM SCALE-Sim simulates for one (already depthwise-split) topology row. */
export function rowGemm(r: ScaleSimRow): Gemm {
  const m = scaleSimOutput(r.ifmapH, r.filterH, r.strideH) * scaleSimOutput(r.ifmapW, r.filterW, r.strideW);
  return { m, k: r.filterH * r.filterW * r.channels, n: r.numFilter, count: 1 };
}

/** Maps a GEMM onto rows x cols: os puts M x N on the array, ws K x N, is K x M. */
export function mapGemm(g: Gemm, rows: number, cols: number, df: DataflowStrategy): ArrayMapping {
  const { sr, sc, t } = df.onArray(g);
  const rowFolds = Math.ceil(sr / rows);
  const colFolds = Math.ceil(sc / cols);
  return { sr, sc, t, rowFolds, colFolds, folds: rowFolds * colFolds };
}

/**
 * Mapping efficiency as a fraction: the mean over folds of rows_used * cols_used / (R * C). Summed over
 * the row folds rows_used is Sr (likewise columns), so the mean is Sr * Sc / (folds * R * C).
 */
export function mappingEfficiency(map: ArrayMapping, rows: number, cols: number): number {
  return (map.sr * map.sc) / (map.folds * rows * cols);
}
