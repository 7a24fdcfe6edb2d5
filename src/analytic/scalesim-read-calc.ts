/**
 * SCALE-Sim v2's IFMAP and FILTER DRAM figures in CALC mode (read_buffer_estimate_bw): the SRAM is cut into
 * 100 sets of floor(words/100) addresses; a demanded word hits only if it was fetched since the last group
 * boundary (50 completed sets, G words), so words are fetched again once their reuse distance exceeds G.
 * The reads equal the insertions of that walk; the DRAM window runs from the prefetch of the first group
 * (before cycle 0, at 10 words/cycle) to the last group boundary. Closed forms where the stream allows, the
 * circle map for the periodic os/ws IFMAP stream, a plain walk otherwise.
 */
import { osIfmapWalk } from './scalesim-os-ifmap.js';
import { segmentIfmapWalk } from './scalesim-segments.js';
import {
  bandRowOfEntry,
  checkWalkBudget,
  demandLayout,
  distinctWords,
  foldOf,
  forEachInFold,
  ifmapEntriesDistinct,
  rowsUsed,
  validRowSpan,
  type ReadOperand,
  type ScaleSimLayer,
} from './scalesim-geometry.js';
import type { Dataflow } from '../config/schema.js';
import type { OperandTrace } from './scalesim-memory.js';

/** Bandwidth of the first (active-half) prefetch, words/cycle. */
const FIRST_FETCH_BW = 10;

/** What a walk of an operand's stream against the set window gives. */
export interface WindowWalk {
  /** Insertions = DRAM words. */
  words: number;
  /** Group boundaries reached. */
  boundaries: number;
  /** Demand row (global, before stalls) of the last boundary, -1 without one. */
  lastBoundaryRow: number;
}

/** Words per set and per group of 50 sets for an SRAM of `sramWords`. */
export function calcSets(sramWords: number): { items: number; group: number } {
  const items = Math.floor(sramWords / 100);
  return { items, group: 50 * items };
}

/** The walk of §5.2 done entry by entry over the whole stream (reference and fallback). */
export function walkStream(L: ScaleSimLayer, op: ReadOperand, group: number): WindowWalk {
  const lay = demandLayout(L, op);
  checkWalkBudget(L, [[`${op.toUpperCase()} (CALC mode)`, lay.range]]);
  const stamp = new Int32Array(lay.range);
  let epoch = 1,
    g = 0,
    words = 0,
    boundaries = 0,
    lastBoundaryRow = -1;
  for (let f = 0; f < L.folds; f++) {
    const base = f * L.foldLength;
    forEachInFold(L, lay, f, (r, a) => {
      if (stamp[a] === epoch) return;
      stamp[a] = epoch;
      words++;
      if (++g === group) {
        boundaries++;
        lastBoundaryRow = base + r;
        epoch++;
        g = 0;
      }
    });
  }
  return { words, boundaries, lastBoundaryRow };
}

/**
 * The os/ws IFMAP stream is one pass P (the row folds of column fold 0) repeated colFolds times. With
 * e[x] = the entry where the G-th distinct word of P∞[x..] appears, segments hop from boundary to boundary
 * in O(|P|) whatever the number of column folds.
 */
export function circleMapWalk(L: ScaleSimLayer, group: number): WindowWalk {
  const lay = demandLayout(L, 'ifmap');
  const cap = L.rowFolds * L.rows * L.t;
  checkWalkBudget(L, [['IFMAP pass (CALC mode)', Math.max(cap, lay.range)]]);
  const P = new Int32Array(cap),
    rowOff = new Int32Array(cap);
  let n = 0;
  for (let f = 0; f < L.rowFolds; f++) {
    const base = f * L.foldLength;
    forEachInFold(L, lay, f, (r, a) => {
      P[n] = a;
      rowOff[n] = base + r;
      n++;
    });
  }
  const cnt = new Int32Array(lay.range);
  const end = new Int32Array(n);
  let distinct = 0,
    y = -1;
  for (let x = 0; x < n; x++) {
    while (distinct < group) {
      y++;
      if (cnt[P[y % n]!]!++ === 0) distinct++;
    }
    end[x] = y;
    if (--cnt[P[x]!]! === 0) distinct--;
  }
  const total = L.colFolds * n;
  let pos = 0,
    boundaries = 0,
    last = -1;
  for (;;) {
    const x = pos % n;
    const stop = pos + end[x]! - x;
    if (stop > total - 1) break;
    boundaries++;
    last = stop;
    pos = stop + 1;
  }
  const seen = new Uint8Array(lay.range);
  let tail = 0;
  for (let p = pos; p < total; p++) {
    const a = P[p % n]!;
    if (!seen[a]) {
      seen[a] = 1;
      tail++;
    }
  }
  const lastBoundaryRow = last < 0 ? -1 : Math.floor(last / n) * L.rowFolds * L.foldLength + rowOff[last % n]!;
  return { words: boundaries * group + tail, boundaries, lastBoundaryRow };
}

/** Row of the j-th entry (0-based) of one pass over the row folds, each a band starting at `lo`. */
function passRowOfEntry(L: ScaleSimLayer, lo: number, j: number): number {
  for (let fr = 0; fr < L.rowFolds; fr++) {
    const ru = rowsUsed(L, fr);
    if (j < ru * L.t) return fr * L.foldLength + bandRowOfEntry({ lo, hi: lo + L.t - 1, width: ru }, j);
    j -= ru * L.t;
  }
  throw new Error('entry beyond the pass');
}

/** Row of the j-th entry (0-based) of a stream of stationary blocks (ru*cu entries per fold, cu per row). */
function blockRowOfEntry(L: ScaleSimLayer, j: number): number {
  for (let f = 0; f < L.folds; f++) {
    const fd = foldOf(L, f);
    if (j < fd.ru * fd.cu) return f * L.foldLength + fd.rd + Math.floor(j / fd.cu);
    j -= fd.ru * fd.cu;
  }
  throw new Error('entry beyond the stream');
}

/** A stream of `words` reads all of which are insertions (every G consecutive reads distinct). */
function allInsertions(words: number, group: number, rowOf: (j: number) => number): WindowWalk {
  const boundaries = Math.floor(words / group);
  return { words, boundaries, lastBoundaryRow: boundaries > 0 ? rowOf(boundaries * group - 1) : -1 };
}

/**
 * FILTER with D >= G in closed form. ws reads every word once; is reads all K*N words once per column fold
 * in the same order; os reads the K*cu words of a column fold rowFolds times in a row (folds of different
 * column folds are disjoint), carrying the fill g of the current group across column folds.
 */
export function filterWalkClosed(L: ScaleSimLayer, group: number): WindowWalk {
  const K = L.k,
    N = L.n;
  if (L.dataflow === 'ws') return allInsertions(K * N, group, (j) => blockRowOfEntry(L, j));
  if (L.dataflow === 'is') {
    const pass = K * N;
    return allInsertions(L.colFolds * pass, group, (j) => {
      const p = Math.floor(j / pass);
      let t = j % pass;
      for (let fr = 0; fr < L.rowFolds; fr++) {
        const ru = rowsUsed(L, fr);
        if (t < ru * N)
          return (
            (p * L.rowFolds + fr) * L.foldLength + bandRowOfEntry({ lo: L.rows, hi: L.rows + L.t - 1, width: ru }, t)
          );
        t -= ru * N;
      }
      throw new Error('entry beyond the pass');
    });
  }
  let g = 0,
    words = 0,
    boundaries = 0,
    lastBoundaryRow = -1;
  const rf = L.rowFolds;
  for (let fc = 0; fc < L.colFolds; fc++) {
    const cu = Math.min(L.cols, L.sc - fc * L.cols);
    const n = K * cu;
    const band = { lo: 0, hi: L.t - 1, width: cu };
    const rowOfRunEntry = (i: number) =>
      (fc * rf + Math.floor((i - 1) / n)) * L.foldLength + bandRowOfEntry(band, (i - 1) % n);
    if (n >= group) {
      const run = rf * n;
      const reached = Math.floor((g + run) / group);
      const iLast = reached * group - g; // 1-based run entry of the last boundary
      if (iLast >= 1) {
        boundaries += reached;
        lastBoundaryRow = rowOfRunEntry(iLast);
      }
      words += run;
      g = (g + run) % group;
    } else if (g + n < group) {
      words += n;
      g += n;
    } else {
      const p = group - g - 1;
      boundaries++;
      lastBoundaryRow = rowOfRunEntry(p + 1);
      words += n;
      g = n - p - 1;
      if (rf >= 2) {
        words += p + 1; // the second fold fetches the prefix again; the rest are hits
        g += p + 1;
      }
    }
  }
  return { words, boundaries, lastBoundaryRow };
}

/** IFMAP with D >= G whose im2col entries are all distinct words (1x1 convs, FC, stride >= kernel). */
export function ifmapDistinctWalkClosed(L: ScaleSimLayer, group: number): WindowWalk {
  const n = L.m * L.k;
  if (L.dataflow === 'is') return allInsertions(n, group, (j) => blockRowOfEntry(L, j));
  const lo = L.dataflow === 'os' ? 0 : L.rows;
  const passRows = L.rowFolds * L.foldLength;
  return allInsertions(L.colFolds * n, group, (j) => Math.floor(j / n) * passRows + passRowOfEntry(L, lo, j % n));
}

/** The walk of an IFMAP stream whose windows overlap (or leave the image), per dataflow. */
const OVERLAPPING_IFMAP_WALK: Record<Dataflow, (L: ScaleSimLayer, group: number) => WindowWalk> = {
  os: osIfmapWalk,
  // The circle map (refused past the walk budget: the segment walk is exact there too, but takes minutes on
  // layers such as yolo's Conv2, measured; a refusal that says so is the better answer until it is faster).
  ws: circleMapWalk,
  is: segmentIfmapWalk,
};

/** The DRAM reads and window of one read operand in CALC mode. */
export function calcReadDram(L: ScaleSimLayer, op: ReadOperand, sramWords: number): OperandTrace {
  const { items, group } = calcSets(sramWords);
  const distinct = distinctWords(L, op);
  if (distinct < group) {
    // No boundary: completeAllPrefetches fetches the whole sets at 10 words/cycle, ending at cycle -1.
    const sets = Math.ceil(distinct / items);
    return { words: distinct, start: -Math.ceil((sets * items) / FIRST_FETCH_BW), stop: -1 };
  }
  let walk: WindowWalk;
  if (op === 'filter') walk = filterWalkClosed(L, group);
  else if (ifmapEntriesDistinct(L)) walk = ifmapDistinctWalkClosed(L, group);
  else walk = OVERLAPPING_IFMAP_WALK[L.dataflow](L, group);
  const first = validRowSpan(L, demandLayout(L, op)).first;
  return { words: walk.words, start: first - Math.ceil(group / FIRST_FETCH_BW), stop: walk.lastBoundaryRow + 1 };
}
