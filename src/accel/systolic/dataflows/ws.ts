/** Weight stationary: K x N on the array (weights preloaded), M in time; partial sums over K folds. */
import { half, matrix, type DataflowStrategy } from './dataflow.js';
import { DATAFLOW_CODES } from '../codes.js';
import { partialReads, spilledWords, stationaryComputeLength, stationaryFoldLength } from './stationary.js';

export const weightStationary: DataflowStrategy = {
  name: 'ws',
  code: DATAFLOW_CODES.ws,
  onArray: (g) => ({ sr: g.k, sc: g.n, t: g.m }),
  foldLength: stationaryFoldLength,
  preload: (rows) => rows,
  scaleSimComputeLength: stationaryComputeLength,
  sramAccesses: (g, map, _rows, _cols, compat) => ({
    ifmapReads: map.colFolds * g.m * g.k,
    filterReads: g.k * g.n,
    ofmapWrites: map.rowFolds * g.m * g.n,
    ofmapReads: partialReads(g, map, compat),
  }),
  dramWords(g, map, cols, ifmapUnique, sram, accWords) {
    const ifmap = ifmapUnique <= half(sram.ifmap) ? ifmapUnique : ifmapUnique * map.colFolds;
    const spill = spilledWords(g, map, g.m * Math.min(cols, g.n), sram, accWords);
    return { ifmapWords: ifmap, filterWords: g.k * g.n, ofmapWords: g.m * g.n + spill };
  },
  layout: (a, w, n) => {
    const out = { rows: n, cols: a.rows };
    return {
      p1: matrix(a.cols, a.rows, (kk, mm) => a.data[mm * a.cols + kk]!),
      p2: matrix(n, a.cols, (j, kk) => w(kk, j)),
      out,
      acc: out,
    };
  },
  // The array writes O = C^T: rows are output channels.
  resultAt: (o, m, j, g) => o.data[j * g.m + m]!,
  stationary: true,
  qLanes: (cols) => cols,
  qRowSignal: 't_row',
  arrayTemplate: 'mt_array_ws.sv',
};
