/**
 * The CALC-mode set walk (scalesim-read-calc.ts) of an os IFMAP stream, fold by fold instead of entry by entry.
 * Fold f demands the windows of output pixels rs..rs+ru-1 (raster order), anti-diagonal by anti-diagonal; the
 * pass over the row folds repeats per column fold. A segment (the words since the last group boundary) is its
 * start inside a fold plus whole folds, so its distinct words are a count over pixel intervals
 * (scalesim-cover.ts); only the fold where the G-th distinct word falls is looked at word by word, and there per
 * image position (y, x): channel h of it is demanded at the keys kappa + h*R (key = demand row * R + column).
 * Cost: O(boundaries * (fold positions + log folds)), memory O(one fold's positions).
 */
import { distinctWords, type ScaleSimLayer } from './scalesim-geometry.js';
import { windowsHold, windowWords, type Span } from './scalesim-cover.js';
import type { WindowWalk } from './scalesim-read-calc.js';

/** One in-image position (y, x) of a fold: the keys of its channel-0 entries, ascending. */
interface Position {
  y: number;
  x: number;
  keys: number[];
}

/** A fold's positions, relative to (y0, x0). */
interface FoldPositions {
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
function foldPositions(L: ScaleSimLayer, f: number, cache: Map<number | 'interior', Position[]>): FoldPositions {
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
function foldSpans(L: ScaleSimLayer, f1: number, f2: number): Span[] {
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

/** A position and the channels of it the segment has not yet demanded: those below `below`. */
interface Open {
  pos: Position;
  below: number;
}

/**
 * The keys at which channels h < below of a position are first demanded at or after key S, as runs of step R:
 * channel h first meets the smallest channel-0 key k with k + h*R >= S.
 */
function firstDemands(keys: number[], S: number, below: number, R: number, starts: number[], counts: number[]): void {
  let hHi = below - 1;
  for (let j = 0; j < keys.length && hHi >= 0; j++) {
    const hLo = Math.max(0, Math.ceil((S - keys[j]!) / R));
    if (hLo <= hHi) {
      starts.push(keys[j]! + hLo * R);
      counts.push(hHi - hLo + 1);
    }
    hHi = Math.min(hHi, hLo - 1);
  }
}

/** The smallest key E of the fold's positions with `need` channels newly demanded in [S, E]. */
function keyOfNth(L: ScaleSimLayer, open: Open[], S: number, need: number): number {
  const R = L.rows,
    starts: number[] = [],
    counts: number[] = [];
  for (const o of open) firstDemands(o.pos.keys, S, Math.min(o.below, L.ch), R, starts, counts);
  const n = starts.length,
    st = Float64Array.from(starts),
    cn = Float64Array.from(counts);
  let a = S,
    z = 0;
  for (let i = 0; i < n; i++) z = Math.max(z, st[i]! + (cn[i]! - 1) * R);
  while (a < z) {
    const mid = Math.floor((a + z) / 2);
    let c = 0;
    for (let i = 0; i < n && c < need; i++) if (mid >= st[i]!) c += Math.min(cn[i]!, Math.floor((mid - st[i]!) / R) + 1);
    if (c >= need) z = mid;
    else a = mid + 1;
  }
  return a;
}

/** True when global folds fa..fb are whole, in one pass and one output row, with every window inside the image. */
function interior(L: ScaleSimLayer, fa: number, fb: number): boolean {
  const RF = L.rowFolds;
  if (Math.floor(fa / RF) !== Math.floor(fb / RF)) return false;
  const pa = (fa % RF) * L.rows,
    pb = (fb % RF) * L.rows + L.rows - 1;
  if (pb >= L.m) return false;
  const e = Math.floor(pa / L.ew);
  if (Math.floor(pb / L.ew) !== e || e * L.sh + L.rf > L.h) return false;
  return (pb - e * L.ew) * L.sw + L.sf <= L.w;
}

/** The set walk of an os IFMAP stream with group G (at least G distinct words in all). */
export function osIfmapWalk(L: ScaleSimLayer, G: number): WindowWalk {
  const F = L.folds,
    FL = L.foldLength,
    R = L.rows,
    ch = L.ch;
  const all = distinctWords(L, 'ifmap');
  const cache = new Map<number | 'interior', Position[]>();
  let f0 = 0,
    S0 = 0,
    words = 0,
    boundaries = 0,
    lastBoundaryRow = -1;
  // Inside one output row, away from the image edges, a segment is a translate of any other with the same start key.
  const bySegmentStart = new Map<number, { d: number; E: number }>();
  for (;;) {
    const hit = bySegmentStart.get(S0);
    if (hit && interior(L, f0, f0 + hit.d)) {
      words += G;
      boundaries++;
      f0 += hit.d;
      lastBoundaryRow = f0 * FL + Math.floor(hit.E / R);
      S0 = hit.E + 1;
      continue;
    }
    // The segment starts at key S0 of fold f0: per position, the channels demanded from S0 on are h >= from.
    const t0 = foldPositions(L, f0, cache);
    const tail: { pos: Position; y: number; x: number; from: number }[] = [];
    let inTail = 0;
    for (const pos of t0.list) {
      const from = Math.max(0, Math.ceil((S0 - pos.keys.at(-1)!) / R));
      if (from >= ch) continue;
      tail.push({ pos, y: t0.y0 + pos.y, x: t0.x0 + pos.x, from });
      inTail += ch - from;
    }
    // Every later range holds fold f0 + 1; D looks only at the tail positions it does not hold.
    const next = foldSpans(L, f0 + 1, f0 + 1);
    const farTail = tail.filter((t) => !windowsHold(L, next, t.y, t.x));
    const dMemo = new Map<number, number>();
    const D = (f: number): number => {
      if (f === f0) return inTail;
      if (f - f0 >= L.rowFolds) return all;
      const known = dMemo.get(f);
      if (known !== undefined) return known;
      const set = foldSpans(L, f0 + 1, f);
      let n = windowWords(L, set);
      for (const t of farTail) if (!windowsHold(L, set, t.y, t.x)) n += ch - t.from;
      dMemo.set(f, n);
      return n;
    };
    let fb: number, need: number, open: Open[], S: number;
    if (inTail >= G) {
      fb = f0;
      need = G;
      S = S0;
      open = tail.map((t) => ({ pos: t.pos, below: ch }));
    } else {
      const fEnd = Math.min(F - 1, f0 + L.rowFolds);
      if (fEnd === f0 || D(fEnd) < G) {
        words += D(fEnd);
        break;
      }
      let lo = f0,
        hi = fEnd,
        step = 1;
      while (lo + step < hi && D(lo + step) < G) {
        lo += step;
        step *= 2;
      }
      hi = Math.min(hi, lo + step);
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (D(mid) >= G) hi = mid;
        else lo = mid;
      }
      fb = hi;
      need = G - D(fb - 1);
      S = 0;
      const set = foldSpans(L, f0 + 1, fb - 1);
      const fromAt = new Map(tail.map((t) => [t.y * L.w + t.x, t.from]));
      const fp = foldPositions(L, fb, cache);
      open = [];
      for (const pos of fp.list) {
        const y = fp.y0 + pos.y,
          x = fp.x0 + pos.x;
        if (!windowsHold(L, set, y, x)) open.push({ pos, below: fromAt.get(y * L.w + x) ?? ch });
      }
    }
    const E = keyOfNth(L, open, S, need);
    if (interior(L, f0, fb)) bySegmentStart.set(S0, { d: fb - f0, E });
    words += G;
    boundaries++;
    lastBoundaryRow = fb * FL + Math.floor(E / R);
    f0 = fb;
    S0 = E + 1;
  }
  return { words, boundaries, lastBoundaryRow };
}
