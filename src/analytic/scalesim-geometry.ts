/**
 * The shape of one SCALE-Sim v2 layer on the array and its demand streams: the operand matrices
 * (im2col in NHWC order, out-of-image entries marked -1), the folds (column fold outer, row fold inner)
 * and, per fold, which demand row asks for which address. Everything the memory model walks comes from here.
 */
import type { Dataflow, SystolicConfig } from '../config/schema.js';
import { dataflowOf } from '../accel/systolic/dataflows/index.js';
import { scaleSimOutput, type ScaleSimRow } from '../nets/scalesim-csv.js';
import { MactileError } from '../util/errors.js';

export type ReadOperand = 'ifmap' | 'filter';

/** A layer as SCALE-Sim lays it onto an R x C array. Addresses carry no offsets (they change no count). */
export interface ScaleSimLayer {
  /** The topology row's name (for messages). */
  name: string;
  h: number;
  w: number;
  rf: number;
  sf: number;
  ch: number;
  n: number;
  sh: number;
  sw: number;
  eh: number;
  ew: number;
  m: number;
  k: number;
  rows: number;
  cols: number;
  dataflow: Dataflow;
  /** Array rows take Sr, columns Sc, time T (see reference/scalesim.md). */
  sr: number;
  sc: number;
  t: number;
  rowFolds: number;
  colFolds: number;
  folds: number;
  /** Demand rows per fold (the fold length). */
  foldLength: number;
}

/** One fold: its indices, first row/column in Sr/Sc, rows/columns used and unused array rows. */
export interface Fold {
  fc: number;
  fr: number;
  rs: number;
  cs: number;
  ru: number;
  cu: number;
  rd: number;
}

/** The geometry of a depthwise-split topology row on the config's array. */
export function scaleSimLayer(
  row: ScaleSimRow,
  cfg: Pick<SystolicConfig, 'rows' | 'cols' | 'dataflow'>,
): ScaleSimLayer {
  const eh = scaleSimOutput(row.ifmapH, row.filterH, row.strideH);
  const ew = scaleSimOutput(row.ifmapW, row.filterW, row.strideW);
  const m = eh * ew;
  const k = row.filterH * row.filterW * row.channels;
  const R = cfg.rows,
    C = cfg.cols,
    df = cfg.dataflow;
  const strategy = dataflowOf(df);
  const { sr, sc, t } = strategy.onArray({ m, k, n: row.numFilter, count: 1 });
  const rowFolds = Math.ceil(sr / R),
    colFolds = Math.ceil(sc / C);
  checkExact(row.name, [
    ['MACs (M x K x N)', m * k * row.numFilter],
    ['IFMAP addresses (height x width x channels)', row.ifmapH * row.ifmapW * row.channels],
    ['demand rows (folds x fold length)', rowFolds * colFolds * strategy.foldLength(R, C, t)],
    ['demand entries (folds x rows x columns x T)', rowFolds * colFolds * R * C * t],
  ]);
  return {
    name: row.name,
    h: row.ifmapH,
    w: row.ifmapW,
    rf: row.filterH,
    sf: row.filterW,
    ch: row.channels,
    n: row.numFilter,
    sh: row.strideH,
    sw: row.strideW,
    eh,
    ew,
    m,
    k,
    rows: R,
    cols: C,
    dataflow: df,
    sr,
    sc,
    t,
    rowFolds,
    colFolds,
    folds: rowFolds * colFolds,
    foldLength: strategy.foldLength(R, C, t),
  };
}

/** Counts the model must hold exactly: a double is exact up to 2^53. */
const EXACT_LIMIT = 2 ** 53;

/** Refuses a layer one of whose counts would be past what a double holds exactly. */
function checkExact(name: string, sizes: [string, number][]): void {
  for (const [what, v] of sizes) {
    if (!(v < EXACT_LIMIT)) {
      throw new MactileError(
        `layer ${name}: the SCALE-Sim-compatible model would count ${v.toExponential(2)} ${what}, past the 2^53 a double holds exactly`,
      );
    }
  }
}

/**
 * The most entries a plain walk (walkStream, the is IFMAP walk, USER mode's line lookup) holds in one address
 * array: 2^27, 512 MB each. The closed forms and fold-by-fold walks hold none.
 */
const WALK_BUDGET = 2 ** 27;

/** Refuses a walk whose address arrays would be past WALK_BUDGET, before any is allocated. */
export function checkWalkBudget(L: ScaleSimLayer, sizes: [string, number][]): void {
  for (const [what, v] of sizes) {
    if (v > WALK_BUDGET) {
      throw new MactileError(
        `layer ${L.name}: the SCALE-Sim-compatible model walks this layer's ${what} address by address and would hold ${v.toLocaleString('en-US')} entries in memory, past its ${WALK_BUDGET.toLocaleString('en-US')} (2^27) per array (${L.dataflow}, ${L.rows}x${L.cols}); analyze it without --compat scalesim (mactile's own model is closed-form)`,
      );
    }
  }
}

/** Fold number f (f = fc * rowFolds + fr). */
export function foldOf(L: ScaleSimLayer, f: number): Fold {
  const fc = Math.floor(f / L.rowFolds),
    fr = f % L.rowFolds;
  const rs = fr * L.rows,
    cs = fc * L.cols;
  const ru = Math.min(L.rows, L.sr - rs);
  return { fc, fr, rs, cs, ru, cu: Math.min(L.cols, L.sc - cs), rd: L.rows - ru };
}

/** Rows used by row fold fr, columns used by column fold fc. */
export const rowsUsed = (L: ScaleSimLayer, fr: number) => Math.min(L.rows, L.sr - fr * L.rows);
export const colsUsed = (L: ScaleSimLayer, fc: number) => Math.min(L.cols, L.sc - fc * L.cols);

// ---------------------------------------------------------------- skewed bands
/**
 * A skewed band: before the skew, block rows lo..hi are valid in columns 0..width-1; after it, demand row r
 * column c holds block row r - c. Counts below are of valid entries.
 */
export interface Band {
  lo: number;
  hi: number;
  width: number;
}

/** Sum over c < w of max(x - c, 0). */
function ramp(x: number, w: number): number {
  if (x <= 0) return 0;
  const p = Math.min(w, x);
  return p * x - (p * (p - 1)) / 2;
}

/** Entries of the band in demand rows 0..r. */
export function bandCum(b: Band, r: number): number {
  const x = r - b.lo + 1;
  return ramp(x, b.width) - ramp(x - (b.hi - b.lo + 1), b.width);
}

/** Entries of the band in demand row r. */
export function bandCount(b: Band, r: number): number {
  return Math.max(0, Math.min(b.width - 1, r - b.lo) - Math.max(0, r - b.hi) + 1);
}

/** The demand row of the j-th (0-based) entry of the band. */
export function bandRowOfEntry(b: Band, j: number): number {
  let a = b.lo,
    z = b.hi + b.width - 1;
  while (a < z) {
    const mid = Math.floor((a + z) / 2);
    if (bandCum(b, mid) >= j + 1) z = mid;
    else a = mid + 1;
  }
  return a;
}

/** The OFMAP band of a fold (os: flipped rows after T-1 idle rows; ws/is: after the 2R-1 row preload). */
export function ofmapBand(L: ScaleSimLayer, fd: Fold): Band {
  if (L.dataflow === 'os') return { lo: L.t - 1 + fd.rd, hi: L.t + L.rows - 2, width: fd.cu };
  return { lo: 2 * L.rows - 1, hi: 2 * L.rows + L.t - 2, width: fd.cu };
}

// ---------------------------------------------------------------- operand addresses
/** Address of ifmap[m][k], or -1 outside the image (SCALE-Sim's ceiling output size lets windows stick out). */
export interface IfmapAddresser {
  addr(m: number, k: number): number;
  range: number;
}

/** ifmap[m][k] computed on demand (no per-row arrays; addresses stay exact past 2^31). */
export function ifmapAddresser(L: ScaleSimLayer): IfmapAddresser {
  const { ew, sh, sw, sf, ch, w, h } = L;
  const rowWords = w * ch,
    kRow = sf * ch;
  return {
    addr: (m, k) => {
      const ir = Math.floor(m / ew) * sh,
        ic = (m % ew) * sw;
      const cr = Math.floor(k / kRow),
        rem = k % kRow,
        cc = Math.floor(rem / ch);
      return cr < h - ir && cc < w - ic ? (ir + cr) * rowWords + (ic + cc) * ch + (rem % ch) : -1;
    },
    range: h * w * ch,
  };
}

/**
 * How an operand's demand stream is laid out in a fold. `band`: skewed, block row t = r - lo - c of column c;
 * `block`: stationary (ws filter, is ifmap), unskewed in rows rd..R-1 with cu entries each.
 * `at(fd, a, c)` is the address of entry (t or row a, column c), -1 when none.
 */
export interface DemandLayout {
  kind: 'band' | 'block';
  lo: number;
  width(fd: Fold): number;
  at(fd: Fold, a: number, c: number): number;
  range: number;
}

/** The demand layout of an IFMAP or FILTER stream under the layer's dataflow. */
export function demandLayout(L: ScaleSimLayer, op: ReadOperand, ifm?: IfmapAddresser): DemandLayout {
  const R = L.rows,
    K = L.k,
    df = L.dataflow;
  const rowsW = (fd: Fold) => fd.ru,
    colsW = (fd: Fold) => fd.cu;
  if (op === 'filter') {
    const range = K * L.n;
    if (df === 'os') return { kind: 'band', lo: 0, width: colsW, at: (fd, t, c) => (fd.cs + c) * K + t, range };
    if (df === 'is') return { kind: 'band', lo: R, width: rowsW, at: (fd, t, c) => t * K + fd.rs + c, range };
    return { kind: 'block', lo: 0, width: colsW, at: (fd, r, c) => (fd.cs + c) * K + fd.rs + R - 1 - r, range };
  }
  const I = ifm ?? ifmapAddresser(L);
  if (df === 'os') return { kind: 'band', lo: 0, width: rowsW, at: (fd, t, c) => I.addr(fd.rs + c, t), range: I.range };
  if (df === 'ws') return { kind: 'band', lo: R, width: rowsW, at: (fd, t, c) => I.addr(t, fd.rs + c), range: I.range };
  return { kind: 'block', lo: 0, width: colsW, at: (fd, r, c) => I.addr(fd.cs + c, fd.rs + R - 1 - r), range: I.range };
}

/** Demand rows (within the fold) that can hold entries of the layout: first and last. */
function layoutRows(L: ScaleSimLayer, lay: DemandLayout, fd: Fold): [number, number] {
  if (lay.kind === 'block') return [fd.rd, L.rows - 1];
  return [lay.lo, lay.lo + L.t + lay.width(fd) - 2];
}

/** Visits the valid entries of demand row r (within fold fd) in column order. */
function forEachInRow(L: ScaleSimLayer, lay: DemandLayout, fd: Fold, r: number, visit: (addr: number) => void): void {
  const w = lay.width(fd);
  if (lay.kind === 'block') {
    if (r < fd.rd || r >= L.rows) return;
    for (let c = 0; c < w; c++) {
      const a = lay.at(fd, r, c);
      if (a >= 0) visit(a);
    }
    return;
  }
  const cmax = Math.min(w - 1, r - lay.lo);
  for (let c = Math.max(0, r - lay.lo - L.t + 1); c <= cmax; c++) {
    const a = lay.at(fd, r - lay.lo - c, c);
    if (a >= 0) visit(a);
  }
}

/** Visits the valid entries of fold f in stream order (row, then column) with their row within the fold. */
export function forEachInFold(
  L: ScaleSimLayer,
  lay: DemandLayout,
  f: number,
  visit: (row: number, addr: number) => void,
): void {
  const fd = foldOf(L, f);
  const [r0, r1] = layoutRows(L, lay, fd);
  for (let r = r0; r <= r1; r++) forEachInRow(L, lay, fd, r, (a) => visit(r, a));
}

function rowHasEntry(L: ScaleSimLayer, lay: DemandLayout, fd: Fold, r: number): boolean {
  let any = false;
  forEachInRow(L, lay, fd, r, () => {
    any = true;
  });
  return any;
}

/** First and last demand rows (global, before stalls) holding a valid entry of the operand. */
export function validRowSpan(L: ScaleSimLayer, lay: DemandLayout): { first: number; last: number } {
  let first = -1,
    last = -1;
  for (let f = 0; f < L.folds && first < 0; f++) {
    const fd = foldOf(L, f);
    const [r0, r1] = layoutRows(L, lay, fd);
    for (let r = r0; r <= r1; r++)
      if (rowHasEntry(L, lay, fd, r)) {
        first = f * L.foldLength + r;
        break;
      }
  }
  for (let f = L.folds - 1; f >= 0 && last < 0; f--) {
    const fd = foldOf(L, f);
    const [r0, r1] = layoutRows(L, lay, fd);
    for (let r = r1; r >= r0; r--)
      if (rowHasEntry(L, lay, fd, r)) {
        last = f * L.foldLength + r;
        break;
      }
  }
  return { first, last };
}

// ---------------------------------------------------------------- counts
/** Sum over output positions of the window rows (or columns) inside the image. */
function insideSum(outs: number, stride: number, kernel: number, size: number): number {
  let s = 0;
  for (let e = 0; e < outs; e++) s += Math.max(0, Math.min(kernel, size - e * stride));
  return s;
}

/** Image rows (or columns) any window touches. */
function coverSize(outs: number, stride: number, kernel: number, size: number): number {
  return stride >= kernel ? insideSum(outs, stride, kernel, size) : Math.min(size, (outs - 1) * stride + kernel);
}

/** Distinct valid words an operand touches. */
export function distinctWords(L: ScaleSimLayer, op: ReadOperand): number {
  if (op === 'filter') return L.k * L.n;
  return coverSize(L.eh, L.sh, L.rf, L.h) * coverSize(L.ew, L.sw, L.sf, L.w) * L.ch;
}

/** Valid (in-image) entries of the M x K ifmap operand matrix. */
export function validIfmapEntries(L: ScaleSimLayer): number {
  return insideSum(L.eh, L.sh, L.rf, L.h) * insideSum(L.ew, L.sw, L.sf, L.w) * L.ch;
}

/** True when no two windows share a word and none leaves the image: every im2col entry is a distinct word. */
export function ifmapEntriesDistinct(L: ScaleSimLayer): boolean {
  const overlap = (L.eh > 1 && L.sh < L.rf) || (L.ew > 1 && L.sw < L.sf);
  const outside = (L.eh - 1) * L.sh + L.rf > L.h || (L.ew - 1) * L.sw + L.sf > L.w;
  return !overlap && !outside;
}
