/**
 * The CALC-mode set walk (scalesim-read-calc.ts) of a ws or is IFMAP stream, segment by segment instead of entry
 * by entry. A segment (the words since the last group boundary) is a key interval of one fold plus whole folds
 * plus a key prefix of a later fold; its distinct words are counted from column and pixel ranges
 * (scalesim-taps.ts). The fold where the G-th distinct word falls is found by galloping over whole folds, the
 * entry inside it by bisection on the key. The ws stream repeats every pass (rowFolds folds), so once a segment
 * start (row fold, key) recurs, whole cycles are skipped. Cost: O(boundaries * log(stream) * ranges); memory: at
 * most CYCLE_STATES remembered segment starts.
 */
import { distinctWords, type ScaleSimLayer } from './scalesim-geometry.js';
import { isStream, wsStream, type FoldStream } from './scalesim-ifmap-streams.js';
import { tapWords, type KRange } from './scalesim-taps.js';
import type { WindowWalk } from './scalesim-read-calc.js';

/** Segment starts remembered while looking for a cycle (bounds the memory). */
const CYCLE_STATES = 2 ** 20;

/** The set walk of a ws or is IFMAP stream with group G. */
export function segmentIfmapWalk(L: ScaleSimLayer, G: number): WindowWalk {
  const S: FoldStream = L.dataflow === 'ws' ? wsStream(L) : isStream(L);
  const F = L.folds,
    FL = L.foldLength,
    RF = L.rowFolds;
  const all = distinctWords(L, 'ifmap');
  let f0 = 0,
    k0 = S.keyMin(0),
    words = 0,
    boundaries = 0,
    lastBoundaryRow = -1;
  // Distinct words from (f0, k0) to key E of fold fb (whole folds between).
  const D = (fb: number, E: number): number => {
    if (L.dataflow === 'ws' && fb - f0 - 1 >= RF) return all;
    const ranges: KRange[] = [];
    S.part(f0, k0, fb === f0 ? E : Infinity, ranges);
    if (fb > f0) {
      if (fb > f0 + 1) S.whole(f0 + 1, fb - 1, ranges);
      S.part(fb, -Infinity, E, ranges);
    }
    return tapWords(L, ranges);
  };
  const periodic = L.dataflow === 'ws' && L.colFolds > 1;
  const keySpan = FL * L.rows + 1,
    seen = new Map<number, { b: number; f: number }>();
  let looking = periodic && keySpan * RF < 2 ** 53;
  while (f0 < F) {
    if (looking) {
      const at = (f0 % RF) * keySpan + k0,
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
    const ends = (f: number) => D(f, S.keyMax(f));
    let fb = f0;
    if (ends(f0) < G) {
      if (f0 === F - 1 || ends(F - 1) < G) {
        words += ends(F - 1);
        break;
      }
      let lo = f0,
        step = 1;
      while (lo + step < F - 1 && ends(lo + step) < G) {
        lo += step;
        step *= 2;
      }
      let hi = Math.min(F - 1, lo + step);
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (ends(mid) >= G) hi = mid;
        else lo = mid;
      }
      fb = hi;
    }
    let a = fb === f0 ? k0 : S.keyMin(fb),
      z = S.keyMax(fb);
    while (a < z) {
      const mid = Math.floor((a + z) / 2);
      if (D(fb, mid) >= G) z = mid;
      else a = mid + 1;
    }
    words += G;
    boundaries++;
    lastBoundaryRow = fb * FL + S.rowOfKey(a);
    f0 = fb;
    k0 = a + 1;
    if (k0 > S.keyMax(f0)) {
      f0++;
      if (f0 < F) k0 = S.keyMin(f0);
    }
  }
  return { words, boundaries, lastBoundaryRow };
}
