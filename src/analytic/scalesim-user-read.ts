/**
 * SCALE-Sim v2's USER-mode read buffer (read_buffer.py as of 48f6938) for one operand: the prefetch order is
 * cut into hashed lines of ceil(words/100) valid entries; the lines of the active half form a circular window,
 * and a demanded word in no line of the window moves it by one prefetch. Which rows miss does not depend on
 * timing, so one walk of the demand stream finds them; folds and passes that must repeat an earlier miss-free
 * fold or an earlier pass are not walked again.
 */
import {
  checkWalkBudget,
  demandLayout,
  forEachInFold,
  ifmapAddresser,
  validIfmapEntries,
  type ReadOperand,
  type ScaleSimLayer,
} from './scalesim-geometry.js';

/** One read operand's USER-mode buffer and the demand rows where it misses. */
export interface UserReadBuffer {
  /** Lines of bw words fetched before cycle 0, and per later prefetch. */
  activeLines: number;
  prefetchLines: number;
  bw: number;
  /** Demand rows with a miss (ascending) and the number of prefetches issued up to and including that row. */
  missRows: number[];
  missCount: number[];
}

/** True for the operands whose prefetch matrix is read anti-diagonal by anti-diagonal. */
function rolledOut(L: ScaleSimLayer, op: ReadOperand): boolean {
  return L.dataflow === 'os' || (L.dataflow === 'ws' && op === 'ifmap') || (L.dataflow === 'is' && op === 'filter');
}

/**
 * Visits the operand's prefetch matrix flattened in SCALE-Sim's order (-1 entries included). Rolled-out
 * operands stack one (T x width) block per fold (row folds, or column folds for the os filter) and read it
 * anti-diagonal by anti-diagonal; ws FILTER and is IFMAP are read row by row, one K x C block per column fold.
 */
function forEachPrefetch(L: ScaleSimLayer, op: ReadOperand, visit: (addr: number) => void): void {
  const C = L.cols,
    K = L.k,
    df = L.dataflow;
  const ifm = op === 'ifmap' ? ifmapAddresser(L) : undefined;
  if (!rolledOut(L, op)) {
    for (let fc = 0; fc < L.colFolds; fc++) {
      for (let k = 0; k < K; k++) {
        for (let c = 0; c < C; c++) {
          const j = fc * C + c; // ws: filter[k][j]; is: ifmap[j][k]
          visit(j >= L.sc ? -1 : op === 'filter' ? j * K + k : ifm!.addr(j, k));
        }
      }
    }
    return;
  }
  const byCol = df === 'os' && op === 'filter';
  const width = byCol ? C : L.rows;
  const limit = byCol ? L.sc : L.sr;
  const T = L.t;
  const at = (rho: number, c: number): number => {
    const j = Math.floor(rho / T) * width + c,
      t = rho % T;
    if (j >= limit) return -1;
    if (op === 'filter') return df === 'os' ? j * K + t : t * K + j; // os: filter[t][j]; is: filter[j][t]
    return df === 'os' ? ifm!.addr(j, t) : ifm!.addr(t, j); // os: ifmap[j][t]; ws: ifmap[t][j]
  };
  const rows = (byCol ? L.colFolds : L.rowFolds) * T;
  for (let d = 0; d < rows + width - 1; d++) {
    const rMin = Math.max(0, d - width + 1);
    for (let r = Math.min(d, rows - 1); r >= rMin; r--) visit(at(r, d - r));
  }
}

/** Entries of the prefetch matrix, -1 padding included. */
function prefetchSize(L: ScaleSimLayer, op: ReadOperand): number {
  if (!rolledOut(L, op)) return L.colFolds * L.k * L.cols;
  return (L.dataflow === 'os' && op === 'filter' ? L.colFolds * L.cols : L.rowFolds * L.rows) * L.t;
}

/** For every address, the hashed lines holding it: `(a, visit)` calls visit(line) until it returns true. */
type LineLookup = (a: number, inWindow: (line: number) => boolean) => boolean;

/** Builds the address -> lines lookup (a flat array when no address sits in two lines, CSR arrays otherwise). */
function lineLookup(L: ScaleSimLayer, op: ReadOperand, range: number, perLine: number): LineLookup {
  const first = new Int32Array(range).fill(-1),
    count = new Int32Array(range + 1);
  let j = 0,
    shared = false;
  forEachPrefetch(L, op, (a) => {
    if (a < 0) return;
    const line = Math.floor(j++ / perLine);
    if (first[a] === -1) first[a] = line;
    else if (first[a] !== line) shared = true;
  });
  if (!shared) return (a, inWindow) => inWindow(first[a]!);
  let last = first.fill(-1);
  j = 0;
  forEachPrefetch(L, op, (a) => {
    // count the distinct lines of each address (visited in ascending order)
    if (a < 0) return;
    const line = Math.floor(j++ / perLine);
    if (last[a] !== line) {
      last[a] = line;
      count[a + 1]!++;
    }
  });
  for (let a = 0; a < range; a++) count[a + 1]! += count[a]!;
  const lines = new Int32Array(count[range]!),
    cursor = count.slice(0, range);
  last = last.fill(-1);
  j = 0;
  forEachPrefetch(L, op, (a) => {
    if (a < 0) return;
    const line = Math.floor(j++ / perLine);
    if (last[a] !== line) {
      last[a] = line;
      lines[cursor[a]!++] = line;
    }
  });
  return (a, inWindow) => {
    for (let i = count[a]!; i < count[a + 1]!; i++) if (inWindow(lines[i]!)) return true;
    return false;
  };
}

/** Folds with equal keys demand the same addresses in the same rows (-1: every fold differs). */
function foldKey(L: ScaleSimLayer, op: ReadOperand, f: number): number {
  const fc = Math.floor(f / L.rowFolds),
    fr = f % L.rowFolds;
  if (rolledOut(L, op)) return L.dataflow === 'os' && op === 'filter' ? fc : fr;
  return -1;
}

/**
 * Walks the demand stream against the circular window of `nAct` lines (moved by `nPf` lines per prefetch)
 * and records the rows that miss. A fold equal to a miss-free previous fold is skipped (the window is where it
 * was); for os/ws IFMAP and is FILTER, whose passes over the row folds repeat per column fold, the window start
 * at a pass start fixes the whole pass, so once a start repeats the remaining passes are copied.
 */
function missWalk(L: ScaleSimLayer, op: ReadOperand, lookup: LineLookup, numLines: number, nAct: number, nPf: number) {
  const lay = demandLayout(L, op);
  const missRows: number[] = [],
    missCount: number[] = [];
  let s = 0,
    e = nAct,
    k = 0;
  const hitAt = new Int32Array(lay.range).fill(-1);
  const inWindow = (l: number) => (s < e ? l >= s && l < e : l >= s || l < e);
  const periodic = rolledOut(L, op) && !(L.dataflow === 'os' && op === 'filter');
  const passRows = L.rowFolds * L.foldLength;
  const passAt = new Map<number, number>(); // window start at a pass start -> pass
  const passFirstMiss: number[] = [],
    passK: number[] = []; // per pass: index of its first miss, k at its start
  let prevKey = -2,
    prevMissFree = false;
  for (let f = 0; f < L.folds; f++) {
    if (periodic && f % L.rowFolds === 0) {
      const p = f / L.rowFolds;
      passFirstMiss.push(missRows.length);
      passK.push(k);
      const q = passAt.get(s);
      if (q !== undefined) {
        copyPasses(missRows, missCount, passFirstMiss, passK, q, p, L.colFolds, passRows);
        return { missRows, missCount };
      }
      passAt.set(s, p);
    }
    const key = foldKey(L, op, f);
    if (key !== -1 && key === prevKey && prevMissFree) continue;
    const before = missRows.length,
      base = f * L.foldLength;
    forEachInFold(L, lay, f, (r, a) => {
      if (hitAt[a] === k) return; // found since the window last moved
      let missed = false;
      while (!lookup(a, inWindow)) {
        s = (s + nPf) % numLines;
        e = (s + nAct) % numLines;
        k++;
        missed = true;
      }
      hitAt[a] = k;
      if (!missed) return;
      if (missRows[missRows.length - 1] === base + r) missCount[missCount.length - 1] = k;
      else {
        missRows.push(base + r);
        missCount.push(k);
      }
    });
    prevKey = key;
    prevMissFree = missRows.length === before;
  }
  return { missRows, missCount };
}

/** Repeats passes q..p-1 (a cycle of window starts) over passes p..passes-1, shifting rows and counts. */
function copyPasses(
  rows: number[],
  counts: number[],
  firstMiss: number[],
  kAt: number[],
  q: number,
  p: number,
  passes: number,
  passRows: number,
) {
  // firstMiss and kAt have an entry for pass p (its start), so pass t's misses are firstMiss[t]..firstMiss[t+1]-1.
  let k = kAt[p]!;
  for (let pp = p; pp < passes; pp++) {
    const t = q + ((pp - p) % (p - q));
    for (let i = firstMiss[t]!; i < firstMiss[t + 1]!; i++) {
      rows.push(rows[i]! + (pp - t) * passRows);
      counts.push(k + counts[i]! - kAt[t]!);
    }
    k += kAt[t + 1]! - kAt[t]!;
  }
}

/** Builds an operand's USER-mode read buffer and, when its prefetch stream exceeds the active half, its misses. */
export function userReadBuffer(L: ScaleSimLayer, op: ReadOperand, sramWords: number, bw: number): UserReadBuffer {
  const active = Math.ceil(sramWords * 0.5);
  const pf = sramWords - active;
  const perLine = Math.ceil(sramWords / 100);
  const valid = op === 'filter' ? L.k * L.n : validIfmapEntries(L);
  const numLines = Math.floor(valid / perLine) + 1;
  const maxActive = Math.ceil(active / perLine);
  const buf: UserReadBuffer = {
    activeLines: Math.min(Math.ceil(active / bw), Math.ceil(prefetchSize(L, op) / bw)),
    prefetchLines: Math.ceil(pf / bw),
    bw,
    missRows: [],
    missCount: [],
  };
  if (numLines <= maxActive) return buf; // everything fits the active half: no miss
  const range = demandLayout(L, op).range;
  checkWalkBudget(L, [
    [`${op.toUpperCase()} (USER mode)`, range],
    [`${op.toUpperCase()} prefetch order (USER mode)`, prefetchSize(L, op)],
  ]);
  const lookup = lineLookup(L, op, range, perLine);
  const nPf = Math.min(numLines - maxActive, Math.ceil(pf / perLine));
  return { ...buf, ...missWalk(L, op, lookup, numLines, maxActive, nPf) };
}
