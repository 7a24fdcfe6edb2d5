/** Output stationary: M x N on the array, K in time; each PE accumulates one output. */
import { matrix, half, type DataflowStrategy } from './dataflow.js';
import { DATAFLOW_CODES } from '../codes.js';

export const outputStationary: DataflowStrategy = {
  name: 'os',
  code: DATAFLOW_CODES.os,
  onArray: (g) => ({ sr: g.m, sc: g.n, t: g.k }),
  foldLength: (rows, cols, t) => t + rows + cols - 2,
  preload: () => 0,
  scaleSimComputeLength: (rows, cols, t) => t + rows + cols - 2,
  sramAccesses(g, map, rows, cols, compat) {
    const doubleCount = compat ? map.folds * (rows + cols) : 0;
    return {
      ifmapReads: map.colFolds * g.m * g.k,
      filterReads: map.rowFolds * g.k * g.n,
      ofmapWrites: g.m * g.n + doubleCount,
      ofmapReads: 0,
    };
  },
  dramWords(g, map, cols, ifmapUnique, sram) {
    const ifmap = ifmapUnique <= half(sram.ifmap) ? ifmapUnique : ifmapUnique * map.colFolds;
    const sliceFits = g.k * Math.min(cols, g.n) <= half(sram.filter);
    return { ifmapWords: ifmap, filterWords: sliceFits ? g.k * g.n : g.k * g.n * map.rowFolds, ofmapWords: g.m * g.n };
  },
  layout: (a, w, n) => ({
    p1: a,
    p2: matrix(n, a.cols, (j, kk) => w(kk, j)),
    out: { rows: n, cols: a.rows },
    acc: { rows: 0, cols: 0 },
  }),
  // The array writes O = C^T: rows are output channels.
  resultAt: (o, m, j, g) => o.data[j * g.m + m]!,
  stationary: false,
  qLanes: (cols) => cols,
  qRowSignal: 't_row',
  arrayTemplate: 'mt_array_os.sv',
};
