/**
 * The feature-map layout of the IFMAP scratchpad (`sram.ifmap_layout: nhwc`, docs/MEMORY.md, stage 2): the
 * geometry of a layer's input as DRAM holds it (one channel group's NHWC rows), the block of input rows a tile
 * of output pixels needs (with its halo), and the largest M-tile whose every block fits a scratchpad half.
 * Part of the analytic model: imports nothing from the generator or the runner.
 */
import type { MacLayer } from '../../nets/ir.js';
import type { SystolicConfig } from './config.js';

/** A channel group's input as the RTL's address generator sees it (sizes, stride, padding, dilation). */
export interface FmapGeometry {
  images: number;
  ih: number;
  iw: number;
  /** Channels of one group (depthwise: 1). */
  c: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  /** Padding before the first row and column (the address generator inserts the zero point there). */
  pt: number;
  pl: number;
  dh: number;
  dw: number;
}

/** The geometry of a layer's channel group (every MAC layer is a convolution; FC: 1 x 1 maps, 1 x 1 kernel). */
export function layerFmap(l: MacLayer): FmapGeometry {
  return {
    images: l.batch ?? 1,
    ih: l.inShape.h,
    iw: l.inShape.w,
    c: l.inShape.c / l.groups,
    oh: l.outShape.h,
    ow: l.outShape.w,
    kh: l.kernel.h,
    kw: l.kernel.w,
    sh: l.stride.h,
    sw: l.stride.w,
    pt: l.pad.top,
    pl: l.pad.left,
    dh: l.dilation.h,
    dw: l.dilation.w,
  };
}

/** The feature-map geometry of a layer when the config's IFMAP scratchpad holds NHWC rows (else undefined). */
export function memFmap(l: MacLayer, cfg: SystolicConfig): FmapGeometry | undefined {
  return cfg.sram.ifmap_layout === 'nhwc' ? layerFmap(l) : undefined;
}

/** A tile's block of input rows: the first row (global: image x ih + row), the row count and the words. */
export interface FmapBlock {
  first: number;
  rows: number;
  words: number;
}

const clamp = (x: number, hi: number) => Math.min(Math.max(x, 0), hi);

/**
 * The input rows output pixels m0 .. m0 + mc - 1 need: from the first kernel row of the first pixel's output row
 * to the last kernel row of the last pixel's, each clamped to its image's rows, as one contiguous range of the
 * NHWC tensor (rows of images in between included).
 */
export function fmapBlock(f: FmapGeometry, m0: number, mc: number): FmapBlock {
  const pix = f.oh * f.ow;
  const last = m0 + mc - 1;
  const b0 = Math.floor(m0 / pix);
  const b1 = Math.floor(last / pix);
  const oh0 = Math.floor((m0 % pix) / f.ow);
  const oh1 = Math.floor((last % pix) / f.ow);
  const first = b0 * f.ih + clamp(oh0 * f.sh - f.pt, f.ih - 1);
  const end = b1 * f.ih + clamp(oh1 * f.sh - f.pt + (f.kh - 1) * f.dh, f.ih - 1);
  const rows = end - first + 1;
  return { first, rows, words: rows * f.iw * f.c };
}

/** The largest block (words) of the tiles of mt output pixels out of m. */
export function maxBlockWords(f: FmapGeometry, m: number, mt: number): number {
  let most = 0;
  for (let m0 = 0; m0 < m; m0 += mt) most = Math.max(most, fmapBlock(f, m0, Math.min(mt, m - m0)).words);
  return most;
}

/**
 * The M-tile of the nhwc layout: the largest mt <= upper whose every block fits `half` words, trying multiples of
 * `unit` (the array alignment) while mt >= unit, then every smaller size; 0 when not even one pixel fits.
 */
export function fmapTileM(f: FmapGeometry, m: number, upper: number, unit: number, half: number): number {
  let x = Math.min(upper, m);
  while (x >= 1) {
    if (x >= unit) x -= x % unit;
    if (maxBlockWords(f, m, x) <= half) return x;
    x -= x > unit ? unit : 1;
  }
  return 0;
}
