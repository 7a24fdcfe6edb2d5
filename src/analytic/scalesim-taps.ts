/**
 * Distinct IFMAP words of a set of im2col entries given per column k of the M x K operand: a k range and the
 * raster intervals of output pixels it holds. Column k is filter tap (cr, cc) and channel h; pixel (e, x) at that
 * tap reads image position (e*sh + cr, x*sw + cc), channel h. Two entries read the same word only with the same
 * channel and the same residues (cr mod sh, cc mod sw), so per channel and residue class the words are lattice
 * points (e + floor(cr/sh), x + floor(cc/sw)), and their count is the area of a union of row pieces. Channels
 * that meet the same taps with the same intervals give the same count, so channel intervals are counted once.
 */
import type { Span } from './scalesim-cover.js';
import type { ScaleSimLayer } from './scalesim-geometry.js';

/** The im2col columns k1..k2, each holding the output pixels of `spans` (raster intervals). */
export interface KRange {
  k1: number;
  k2: number;
  spans: Span[];
}

/** Pushes the row pieces (y1, y2, x1, x2) of a raster interval of pixels shifted by (dy, dx). */
function pushPieces(ew: number, [p1, p2]: Span, dy: number, dx: number, out: number[]): void {
  const e1 = Math.floor(p1 / ew),
    e2 = Math.floor(p2 / ew),
    x1 = p1 - e1 * ew,
    x2 = p2 - e2 * ew;
  if (e1 === e2) {
    out.push(e1 + dy, e1 + dy, x1 + dx, x2 + dx);
    return;
  }
  out.push(e1 + dy, e1 + dy, x1 + dx, ew - 1 + dx);
  if (e2 > e1 + 1) out.push(e1 + 1 + dy, e2 - 1 + dy, dx, ew - 1 + dx);
  out.push(e2 + dy, e2 + dy, dx, x2 + dx);
}

/** Area of the union of pieces (flat quads y1, y2, x1, x2) clipped to rows 0..ymax and columns 0..xmax. */
function unionArea(p: number[], ymax: number, xmax: number): number {
  const q: number[][] = [],
    ys: number[] = [];
  for (let i = 0; i < p.length; i += 4) {
    const y1 = Math.max(0, p[i]!),
      y2 = Math.min(ymax, p[i + 1]!),
      x1 = p[i + 2]!,
      x2 = Math.min(xmax, p[i + 3]!);
    if (y1 > y2 || x1 > x2) continue;
    q.push([y1, y2, x1, x2]);
    ys.push(y1, y2 + 1);
  }
  if (q.length === 0) return 0;
  if (q.length === 1) return (q[0]![1]! - q[0]![0]! + 1) * (q[0]![3]! - q[0]![2]! + 1);
  q.sort((u, v) => u[2]! - v[2]!);
  ys.sort((u, v) => u - v);
  let area = 0;
  for (let j = 0; j + 1 < ys.length; j++) {
    const u = ys[j]!,
      v = ys[j + 1]!;
    if (u === v) continue;
    let len = 0,
      a = -1,
      b = -2;
    for (const [y1, y2, x1, x2] of q) {
      if (u < y1! || u > y2!) continue;
      if (x1! > b + 1) {
        len += b - a + 1;
        a = x1!;
        b = x2!;
      } else b = Math.max(b, x2!);
    }
    area += (len + b - a + 1) * (v - u);
  }
  return area;
}

/** Distinct valid IFMAP words read by the entries of the ranges (ranges may share columns). */
export function tapWords(L: ScaleSimLayer, ranges: KRange[]): number {
  const { ch, sh, sw, sf } = L,
    taps = L.rf * sf;
  const cuts = new Set<number>([0, ch]);
  for (const r of ranges) cuts.add(r.k1 % ch).add((r.k2 + 1) % ch);
  const hs = [...cuts].sort((u, v) => u - v);
  const classes = sh * sw;
  let words = 0;
  for (let i = 0; i + 1 < hs.length; i++) {
    const h = hs[i]!,
      width = hs[i + 1]! - h;
    if (width <= 0) continue;
    // The pieces of channel h, per residue class a * sw + b.
    const pieces: number[][] = Array.from({ length: classes }, () => []);
    for (const r of ranges) {
      const tLo = Math.max(0, Math.ceil((r.k1 - h) / ch)),
        tHi = Math.min(taps - 1, Math.floor((r.k2 - h) / ch));
      for (let t = tLo; t <= tHi; t++) {
        const cr = Math.floor(t / sf),
          cc = t - cr * sf;
        const a = cr % sh,
          b = cc % sw;
        const out = pieces[a * sw + b]!;
        for (const s of r.spans) pushPieces(L.ew, s, (cr - a) / sh, (cc - b) / sw, out);
      }
    }
    let n = 0;
    for (let c = 0; c < classes; c++) {
      if (pieces[c]!.length === 0) continue;
      const a = Math.floor(c / sw),
        b = c % sw;
      n += unionArea(pieces[c]!, Math.ceil((L.h - a) / sh) - 1, Math.ceil((L.w - b) / sw) - 1);
    }
    words += n * width;
  }
  return words;
}
