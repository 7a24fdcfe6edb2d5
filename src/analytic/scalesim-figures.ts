/**
 * SCALE-Sim v2's per-fold averages, Mapping Efficiency % and Compute Util %: a float per fold, summed in
 * fold order (column fold outer), divided by the fold count and scaled by 100, exactly as its Python does,
 * so the printed digits match. (A count times a value would not: float sums of repeated values are inexact.)
 */
import { dataflowOf } from '../accel/systolic/dataflows/index.js';
import { colsUsed, rowsUsed, type ScaleSimLayer } from './scalesim-geometry.js';

/** Mapping Efficiency % and Compute Util % of a layer, bit-compatible with SCALE-Sim. */
export function scaleSimFoldFigures(L: ScaleSimLayer): { mappingEfficiency: number; computeUtil: number } {
  const R = L.rows,
    C = L.cols,
    T = L.t;
  // Compute Util's fold length: os T+R+C-2, ws/is 2R+2C+T-3 (longer than the real ws/is fold; kept).
  const computeLength = dataflowOf(L.dataflow).scaleSimComputeLength(R, C, T);
  const pes = R * C;
  const denominator = pes * computeLength;
  let mapped = 0,
    computed = 0;
  for (let fc = 0; fc < L.colFolds; fc++) {
    const cu = colsUsed(L, fc);
    for (let fr = 0; fr < L.rowFolds; fr++) {
      const used = rowsUsed(L, fr) * cu;
      mapped += used / pes;
      computed += (used * T) / denominator;
    }
  }
  return { mappingEfficiency: (mapped / L.folds) * 100, computeUtil: (computed / L.folds) * 100 };
}
