/**
 * The CALC-mode set walk (scalesim-read-calc.ts) of an os IFMAP stream, fold by fold instead of entry by entry.
 * Fold f demands the windows of output pixels rs..rs+ru-1 (raster order), anti-diagonal by anti-diagonal; the
 * pass over the row folds repeats per column fold. A segment (the words since the last group boundary) is its
 * start inside a fold plus whole folds, so its distinct words are a count over pixel intervals
 * (scalesim-cover.ts); only the fold where the G-th distinct word falls is looked at word by word, and there per
 * image position (y, x): channel h of it is demanded at the keys kappa + h*R (key = demand row * R + column).
 * Segments that are translates of one another, and whole cycles of segment starts over the passes, are not
 * recomputed. Cost: O(boundaries * (fold positions + log folds)); memory: a few folds' positions and at most
 * CYCLE_STATES remembered segment starts.
 */
import { distinctWords, type ScaleSimLayer } from './scalesim-geometry.js';
import { windowsHold, windowWords } from './scalesim-cover.js';
import { foldPositions, foldSpans, interior, type Position } from './scalesim-os-folds.js';
import type { WindowWalk } from './scalesim-read-calc.js';

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
    for (let i = 0; i < n && c < need; i++)
      if (mid >= st[i]!) c += Math.min(cn[i]!, Math.floor((mid - st[i]!) / R) + 1);
    if (c >= need) z = mid;
    else a = mid + 1;
  }
  return a;
}

/** Segment starts remembered while looking for a cycle (bounds the memory). */
const CYCLE_STATES = 2 ** 20;

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
  // The stream repeats every pass (rowFolds folds): once a segment start (row fold, key) recurs, so does all
  // that follows, and whole cycles are skipped (at least one is left to walk, which sets lastBoundaryRow).
  const keySpan = FL * R + 1,
    seen = new Map<number, { b: number; f: number }>();
  let looking = keySpan * L.rowFolds < 2 ** 53;
  for (;;) {
    if (looking) {
      const at = (f0 % L.rowFolds) * keySpan + S0,
        first = seen.get(at);
      if (first === undefined) {
        if (seen.size < CYCLE_STATES) seen.set(at, { b: boundaries, f: f0 });
      } else {
        const df = f0 - first.f,
          cycles = Math.floor((F - 1 - f0) / df) - 1;
        if (cycles > 0) {
          const db = boundaries - first.b;
          boundaries += cycles * db;
          words += cycles * db * G;
          f0 += cycles * df;
        }
        looking = false;
        seen.clear();
      }
    }
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
    let farTail: typeof tail | undefined;
    const dMemo = new Map<number, number>();
    const D = (f: number): number => {
      if (f === f0) return inTail;
      if (f - f0 >= L.rowFolds) return all;
      const known = dMemo.get(f);
      if (known !== undefined) return known;
      const set = foldSpans(L, f0 + 1, f);
      let n = windowWords(L, set);
      const next = foldSpans(L, f0 + 1, f0 + 1);
      farTail ??= tail.filter((t) => !windowsHold(L, next, t.y, t.x));
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
