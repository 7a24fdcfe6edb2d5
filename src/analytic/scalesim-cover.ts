/**
 * Which IFMAP words the im2col windows of a set of output pixels touch, counted without listing them. A pixel set
 * is a union of raster intervals (output pixels in row-major order, as SCALE-Sim's os folds take them); its words
 * are the union of the pixels' windows inside the image, every channel of a covered (row, column) position.
 */
import type { ScaleSimLayer } from './scalesim-geometry.js';

/** Inclusive interval [a, b]. */
export type Span = [number, number];

/** One axis of the window geometry: output positions o cover [o*stride, o*stride + kernel) inside [0, size). */
interface Axis {
  stride: number;
  kernel: number;
  size: number;
  outs: number;
}

const rowAxis = (L: ScaleSimLayer): Axis => ({ stride: L.sh, kernel: L.rf, size: L.h, outs: L.eh });
const colAxis = (L: ScaleSimLayer): Axis => ({ stride: L.sw, kernel: L.sf, size: L.w, outs: L.ew });

/** Image positions covered by output positions a..b of one axis (windows of one output do not overlap when stride > kernel). */
function coverOne(ax: Axis, a: number, b: number): number {
  const { stride: s, kernel: k, size } = ax;
  if (b < a) return 0;
  if (s <= k) return Math.max(0, Math.min(b * s + k, size) - a * s);
  const oFull = size >= k ? Math.floor((size - k) / s) : -1;
  let n = Math.max(0, Math.min(b, oFull) - a + 1) * k;
  for (let o = Math.max(a, oFull + 1); o <= b && size - o * s > 0; o++) n += size - o * s;
  return n;
}

/** Image positions covered by a union of output-position intervals of one axis. */
function coverCount(ax: Axis, spans: Span[]): number {
  const sorted = spans.filter(([a, b]) => a <= b).sort((p, q) => p[0] - q[0]);
  let n = 0,
    curA = -1,
    curB = -2;
  for (const [a, b] of sorted) {
    // Merge output intervals whose covers touch: overlapping indices, or (stride <= kernel) windows that meet.
    const touches = ax.stride <= ax.kernel ? a * ax.stride <= curB * ax.stride + ax.kernel : a <= curB + 1;
    if (curB >= curA && touches) {
      curB = Math.max(curB, b);
      continue;
    }
    n += coverOne(ax, curA, curB);
    curA = a;
    curB = b;
  }
  return n + coverOne(ax, curA, curB);
}

/** Output positions of one axis whose window holds image position y. */
function coveringOuts(ax: Axis, y: number): Span {
  return [Math.max(0, Math.ceil((y - ax.kernel + 1) / ax.stride)), Math.min(ax.outs - 1, Math.floor(y / ax.stride))];
}

/** The pixel set cut by output row: rows taken whole, and the pieces (row, first, last column) of the others. */
function rowPieces(L: ScaleSimLayer, set: Span[]): { full: Span[]; pieces: [number, number, number][] } {
  const ew = L.ew,
    full: Span[] = [],
    pieces: [number, number, number][] = [];
  const add = (e: number, a: number, b: number) => {
    if (a === 0 && b === ew - 1) full.push([e, e]);
    else pieces.push([e, a, b]);
  };
  for (const [p1, p2] of set) {
    if (p2 < p1) continue;
    const e1 = Math.floor(p1 / ew),
      e2 = Math.floor(p2 / ew);
    if (e1 === e2) add(e1, p1 - e1 * ew, p2 - e1 * ew);
    else {
      add(e1, p1 - e1 * ew, ew - 1);
      if (e2 > e1 + 1) full.push([e1 + 1, e2 - 1]);
      add(e2, 0, p2 - e2 * ew);
    }
  }
  return { full, pieces };
}

/** Distinct IFMAP words of the windows of a pixel set (a union of raster intervals). */
export function windowWords(L: ScaleSimLayer, set: Span[]): number {
  const rows = rowAxis(L),
    cols = colAxis(L);
  const { full, pieces } = rowPieces(L, set);
  const colsFull = coverOne(cols, 0, L.ew - 1);
  let n = coverCount(rows, full) * colsFull;
  const inFull = (e: number) => full.some(([a, b]) => e >= a && e <= b);
  const special = new Set<number>();
  for (const [e] of pieces) for (let y = e * L.sh; y < Math.min(e * L.sh + L.rf, L.h); y++) special.add(y);
  for (const y of special) {
    const [ea, eb] = coveringOuts(rows, y);
    let covered = false;
    for (let e = ea; e <= eb && !covered; e++) covered = inFull(e);
    if (covered) continue;
    const spans: Span[] = pieces.filter(([e]) => e >= ea && e <= eb).map(([, a, b]): Span => [a, b]);
    n += coverCount(cols, spans);
  }
  return n * L.ch;
}

/** True when a window of some pixel of the set holds image position (y, x) (every channel of it). */
export function windowsHold(L: ScaleSimLayer, set: Span[], y: number, x: number): boolean {
  const [ea, eb] = coveringOuts(rowAxis(L), y),
    [xa, xb] = coveringOuts(colAxis(L), x);
  if (xa > xb) return false;
  for (let e = ea; e <= eb; e++) {
    const lo = e * L.ew + xa,
      hi = e * L.ew + xb;
    for (const [p1, p2] of set) if (p1 <= hi && p2 >= lo) return true;
  }
  return false;
}
