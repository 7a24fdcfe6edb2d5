/** Input stationary: K x M on the array (inputs preloaded), N in time; partial sums over K folds. */
import { half, matrix, type DataflowStrategy } from './dataflow.js';
import { DATAFLOW_CODES } from '../codes.js';
import { partialReads, spilledWords, stationaryComputeLength, stationaryFoldLength } from './stationary.js';

export const inputStationary: DataflowStrategy = {
  name: 'is',
  code: DATAFLOW_CODES.is,
  onArray: (g) => ({ sr: g.k, sc: g.m, t: g.n }),
  foldLength: stationaryFoldLength,
  preload: (rows) => rows,
  scaleSimComputeLength: stationaryComputeLength,
  sramAccesses: (g, map, _rows, _cols, compat) => ({
    ifmapReads: g.k * g.m,
    filterReads: map.colFolds * g.k * g.n,
    ofmapWrites: map.rowFolds * g.m * g.n,
    ofmapReads: partialReads(g, map, compat),
  }),
  dramWords(g, map, cols, ifmapUnique, sram, accWords) {
    const filterUnique = g.k * g.n;
    const filter = filterUnique <= half(sram.filter) ? filterUnique : filterUnique * map.colFolds;
    const spill = spilledWords(g, map, Math.min(cols, g.m) * g.n, sram, accWords);
    return { ifmapWords: ifmapUnique, filterWords: filter, ofmapWords: g.m * g.n + spill };
  },
  layout: (a, w, n) => {
    const out = { rows: a.rows, cols: n };
    return { p1: matrix(a.cols, n, (kk, j) => w(kk, j)), p2: a, out, acc: out };
  },
  // The array writes O = C.
  resultAt: (o, m, j, g) => o.data[m * g.n + j]!,
  stationary: true,
  // The columns are output pixels: one lane of parameters, indexed by the streamed output channel.
  qLanes: () => 1,
  qRowSignal: 't_col',
  arrayTemplate: 'mt_array_ws.sv',
};
