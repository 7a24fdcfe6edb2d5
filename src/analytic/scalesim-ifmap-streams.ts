/**
 * The ws and is IFMAP demand streams fold by fold, as ranges of im2col columns and output pixels
 * (scalesim-taps.ts). An entry's key orders the stream inside its fold: ws (skewed band) key = row * R + column,
 * column c holding im2col column rs + c and pixel row - R - c; is (stationary block) key = row * C + column, row r
 * holding im2col column rs + R - 1 - r and column c pixel cs + c.
 */
import { colsUsed, rowsUsed, type ScaleSimLayer } from './scalesim-geometry.js';
import type { KRange } from './scalesim-taps.js';

/** One IFMAP stream: per fold its key range, the ranges of a key interval, and whole folds at once. */
export interface FoldStream {
  keyMin(f: number): number;
  keyMax(f: number): number;
  /** Pushes the entries of fold f with keys in [k1, k2]. */
  part(f: number, k1: number, k2: number, out: KRange[]): void;
  /** Pushes every entry of folds fa..fb (fa <= fb). */
  whole(fa: number, fb: number, out: KRange[]): void;
  /** The demand row (inside its fold) of key k. */
  rowOfKey(k: number): number;
}

/** Pushes column k with pixels [a, b], merged into the previous range when that holds the same pixels. */
function pushColumn(out: KRange[], start: number, k: number, a: number, b: number): void {
  const prev = out.length > start ? out[out.length - 1]! : undefined;
  if (prev && prev.spans.length === 1 && prev.spans[0]![0] === a && prev.spans[0]![1] === b) {
    if (prev.k2 === k - 1) {
      prev.k2 = k;
      return;
    }
    if (prev.k1 === k + 1) {
      prev.k1 = k;
      return;
    }
  }
  out.push({ k1: k, k2: k, spans: [[a, b]] });
}

/** The ws IFMAP stream: per fold a band of T = M pixels over the fold's rows used (im2col columns). */
export function wsStream(L: ScaleSimLayer): FoldStream {
  const R = L.rows,
    T = L.t,
    RF = L.rowFolds;
  return {
    keyMin: () => R * R,
    keyMax: (f) => (T - 1 + R + rowsUsed(L, f % RF) - 1) * R + rowsUsed(L, f % RF) - 1,
    part(f, k1, k2, out) {
      const fr = f % RF,
        ru = rowsUsed(L, fr),
        start = out.length;
      for (let c = 0; c < ru; c++) {
        const a = Math.max(0, Math.ceil((k1 - c) / R) - R - c),
          b = Math.min(T - 1, Math.floor((k2 - c) / R) - R - c);
        if (a <= b) pushColumn(out, start, fr * R + c, a, b);
      }
    },
    whole(fa, fb, out) {
      if (fb - fa + 1 >= RF) {
        out.push({ k1: 0, k2: L.k - 1, spans: [[0, T - 1]] });
        return;
      }
      const a = fa % RF,
        b = fb % RF;
      const last = (fr: number) => Math.min(L.k, (fr + 1) * R) - 1;
      if (a <= b) out.push({ k1: a * R, k2: last(b), spans: [[0, T - 1]] });
      else out.push({ k1: a * R, k2: L.k - 1, spans: [[0, T - 1]] }, { k1: 0, k2: last(b), spans: [[0, T - 1]] });
    },
    rowOfKey: (k) => Math.floor(k / R),
  };
}

/** The is IFMAP stream: per fold a stationary block of the fold's pixels (columns) and im2col columns (rows). */
export function isStream(L: ScaleSimLayer): FoldStream {
  const R = L.rows,
    C = L.cols,
    RF = L.rowFolds;
  const chunk = (fc: number): [number, number] => [fc * C, fc * C + colsUsed(L, fc) - 1];
  return {
    keyMin: (f) => (R - rowsUsed(L, f % RF)) * C,
    keyMax: (f) => (R - 1) * C + colsUsed(L, Math.floor(f / RF)) - 1,
    part(f, k1, k2, out) {
      const fc = Math.floor(f / RF),
        fr = f % RF,
        cu = colsUsed(L, fc),
        rd = R - rowsUsed(L, fr),
        start = out.length;
      for (let r = Math.max(rd, Math.floor(k1 / C)); r <= Math.min(R - 1, Math.floor(k2 / C)); r++) {
        const a = Math.max(0, k1 - r * C),
          b = Math.min(cu - 1, k2 - r * C);
        if (a <= b) pushColumn(out, start, fr * R + R - 1 - r, fc * C + a, fc * C + b);
      }
    },
    whole(fa, fb, out) {
      const ca = Math.floor(fa / RF),
        cb = Math.floor(fb / RF);
      const rows = (fc: number, r1: number, r2: number) =>
        out.push({ k1: r1 * R, k2: Math.min(L.k, (r2 + 1) * R) - 1, spans: [chunk(fc)] });
      if (ca === cb) {
        rows(ca, fa % RF, fb % RF);
        return;
      }
      const c1 = fa % RF === 0 ? ca : ca + 1,
        c2 = fb % RF === RF - 1 ? cb : cb - 1;
      if (c1 > ca) rows(ca, fa % RF, RF - 1);
      if (c2 < cb) rows(cb, 0, fb % RF);
      if (c1 <= c2) out.push({ k1: 0, k2: L.k - 1, spans: [[chunk(c1)[0], chunk(c2)[1]]] });
    },
    rowOfKey: (k) => Math.floor(k / C),
  };
}
