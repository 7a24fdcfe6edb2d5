/**
 * The folds of an os IFMAP stream as the fold-by-fold walk (scalesim-os-ifmap.ts) sees them: the pixel intervals
 * of a run of folds, and the image positions a fold's windows hold with the keys (demand row * R + column) at
 * which their channel-0 words are demanded. Interior folds (whole, in one output row, every window inside the
 * image) hold the same positions shifted, so those are computed once.
 */
import type { ScaleSimLayer } from './scalesim-geometry.js';
import type { Span } from './scalesim-cover.js';

/** One in-image position (y, x) of a fold: the keys of its channel-0 entries, ascending. */
export interface Position {
  y: number;
  x: number;
  keys: number[];
}

/** A fold's positions, relative to (y0, x0). */
export interface FoldPositions {
  list: Position[];
  y0: number;
  x0: number;
}

/** The positions the windows of pixels p0..p0+ru-1 hold, relative to the first pixel's window origin. */
function positionsOf(L: ScaleSimLayer, p0: number, ru: number): Position[] {
  const R = L.rows,
    byAt = new Map<number, Position>();
  const e0 = Math.floor(p0 / L.ew),
    y0 = e0 * L.sh,
    x0 = (p0 % L.ew) * L.sw;
  for (let c = 0; c < ru; c++) {
    const p = p0 + c,
      e = Math.floor(p / L.ew),
      xo = p % L.ew;
    for (let i = 0; i < L.rf && e * L.sh + i < L.h; i++)
      for (let j = 0; j < L.sf && xo * L.sw + j < L.w; j++) {
        const y = e * L.sh + i - y0,
          x = xo * L.sw + j - x0,
          at = y * L.w + x;
        let pos = byAt.get(at);
        if (!pos) byAt.set(at, (pos = { y, x, keys: [] }));
        pos.keys.push((c + (i * L.sf + j) * L.ch) * R + c);
      }
  }
  const out = [...byAt.values()];
  for (const pos of out) pos.keys.sort((u, v) => u - v);
  return out;
}

/**
 * The positions a fold's windows hold, with their keys (row * R + column). They depend on the row fold only, and
 * every interior fold (see interior) holds the same ones shifted, so those are computed once.
 */
export function foldPositions(L: ScaleSimLayer, f: number, cache: Map<number | 'interior', Position[]>): FoldPositions {
  const fr = f % L.rowFolds,
    p0 = fr * L.rows;
  const y0 = Math.floor(p0 / L.ew) * L.sh,
    x0 = (p0 % L.ew) * L.sw;
  const key = interior(L, f, f) ? 'interior' : fr;
  let list = cache.get(key);
  if (!list) {
    list = positionsOf(L, p0, Math.min(L.rows, L.m - p0));
    if (cache.size >= 8) cache.clear();
    cache.set(key, list);
  }
  return { list, y0, x0 };
}

/** The pixel intervals of global folds f1..f2 (f2 - f1 < rowFolds), wrapping over the pass. */
export function foldSpans(L: ScaleSimLayer, f1: number, f2: number): Span[] {
  if (f2 < f1) return [];
  const RF = L.rowFolds,
    a = f1 % RF,
    n = f2 - f1 + 1;
  const end = (fr: number) => Math.min(fr * L.rows, L.m) - 1;
  if (a + n <= RF) return [[a * L.rows, end(a + n)]];
  return [
    [a * L.rows, L.m - 1],
    [0, end(a + n - RF)],
  ];
}

/** True when global folds fa..fb are whole, in one pass and one output row, with every window inside the image. */
export function interior(L: ScaleSimLayer, fa: number, fb: number): boolean {
  const RF = L.rowFolds;
  if (Math.floor(fa / RF) !== Math.floor(fb / RF)) return false;
  const pa = (fa % RF) * L.rows,
    pb = (fb % RF) * L.rows + L.rows - 1;
  if (pb >= L.m) return false;
  const e = Math.floor(pa / L.ew);
  if (Math.floor(pb / L.ew) !== e || e * L.sh + L.rf > L.h) return false;
  return (pb - e * L.ew) * L.sw + L.sf <= L.w;
}
