/**
 * The golden integer model of a MAC layer: every output's window sum over the original tensors (padding,
 * stride, dilation and groups applied here, independently of the tile planner: padded taps hold the input
 * zero point), then the shared requantization. Fast and exact: the windows of a layer are gathered (im2col)
 * and multiplied by the weights in a WebAssembly SIMD integer GEMM (gemm-wasm.ts), or, where its lanes
 * could overflow (an INT16 weight of -32768), four output channels at a time in doubles, which are exact
 * integers because every layer's worst-case sum is checked below 2^53; depthwise layers run eight channels
 * per SIMD step over an input padded with the zero point. In modes rhaz and ort the output stage runs in the
 * kernels' output pass (requant-wasm.ts), straight into the output tensor; mode gemmlowp and the kernel in
 * doubles requantize through requant.ts. It imports nothing from sim/, so an im2col or padding bug cannot hide on both sides.
 */
import { batchOf, batchOutShape, imageLayer, imageValues } from '../nets/batch.js';
import type { MacLayer } from '../nets/ir.js';
import { MactileError } from '../util/errors.js';
import { depthwiseArena, gemmArena, type RequantPass } from './golden-wasm.js';
import { channelStages, operandRange, requantizeInto, type ChannelStages } from './requant.js';
import { stageParams } from './requant-wasm.js';
import { zeros, type IntTensor, type QuantLayer } from './tensor.js';

/** Per-layer constants of the kernels, computed once per QuantLayer. */
interface Prepared {
  weights: Float64Array;
  /** A depthwise layer (one input channel per output channel). */
  dw: boolean;
  /** Depthwise lanes: 64-bit (INT16, exact for every product) or 32-bit (INT8). */
  dwWide: boolean;
  /** Its weights as [tap][channel], channels padded to a multiple of 8. */
  dwTaps: Int16Array;
  stages: ChannelStages;
  /** The GEMM's weights, one padded matrix per group (columns to a multiple of 4, K to a multiple of 8), when it applies. */
  gemm: { b: Int16Array[]; np: number; kp: number; wide: boolean } | undefined;
  /** The output stage fused into the WebAssembly kernels' output pass, where requant-wasm.ts is exact for it. */
  pass: RequantPass | undefined;
}

/** Where a kernel's results go: raw accumulators, or requantized straight into the output. */
type Sink = { acc: Float64Array } | { y: Int16Array; pass: RequantPass };

const prepared = new WeakMap<QuantLayer, Prepared>();
let patch: Float64Array = new Float64Array(1024);
let input: Float64Array = new Float64Array(1024);
let accBuf: Float64Array = new Float64Array(1024);

const grow = (a: Float64Array, n: number): Float64Array =>
  a.length >= n ? a : new Float64Array(Math.max(n, 2 * a.length));

/**
 * The largest |accumulator + bias| a layer can reach (operands at the most negative value); the kernels
 * refuse a layer whose bound reaches 2^53, where doubles stop being exact integers.
 */
export function accumulatorBound(l: MacLayer, q: QuantLayer): number {
  const k = l.kernel.h * l.kernel.w * (l.inShape.c / l.groups);
  const xMax = -operandRange(q.bits).min;
  let worst = 0;
  for (let co = 0; co < l.outShape.c; co++) {
    let s = 0;
    for (let i = 0; i < k; i++) s += Math.abs(q.weights[co * k + i]!);
    worst = Math.max(worst, s * xMax + Math.abs(Number(q.bias[co] ?? 0n)));
  }
  return worst;
}

/** Padded weight matrices of the WebAssembly GEMM; none when an INT16 weight of -32768 could overflow its lanes. */
function gemmWeights(l: MacLayer, q: QuantLayer, bound: number): Prepared['gemm'] {
  if (q.bits === 16 && q.weights.includes(-32768)) return undefined;
  const k = l.kernel.h * l.kernel.w * (l.inShape.c / l.groups);
  const coutG = l.outShape.c / l.groups;
  const np = Math.ceil(coutG / 4) * 4;
  const kp = Math.ceil(k / 8) * 8;
  const b = Array.from({ length: l.groups }, (_, g) => {
    const m = new Int16Array(np * kp);
    for (let j = 0; j < coutG; j++) m.set(q.weights.subarray((g * coutG + j) * k, (g * coutG + j + 1) * k), j * kp);
    return m;
  });
  // 32-bit lanes while the whole sum (so every partial sum of a lane) stays below 2^31.
  return { b, np, kp, wide: q.bits === 16 || bound >= 2 ** 31 };
}

function prepare(l: MacLayer, q: QuantLayer): Prepared {
  let p = prepared.get(q);
  if (p) return p;
  const bound = accumulatorBound(l, q);
  if (!(bound < 2 ** 53))
    throw new MactileError(
      `golden model: layer ${l.name}'s accumulators can reach ${bound.toExponential(3)}, beyond 2^53 where the kernels are exact`,
    );
  const c = l.outShape.c;
  const weights = Float64Array.from(q.weights);
  const dw = l.groups === l.inShape.c && l.groups === c;
  // 32-bit lanes for INT8 while the whole sum stays below 2^31; 64-bit lanes are exact for every INT16 product.
  const dwWide = q.bits === 16 || bound >= 2 ** 31;
  const taps = l.kernel.h * l.kernel.w;
  const cp = Math.ceil(c / 8) * 8;
  const dwTaps = new Int16Array(dw ? taps * cp : 0);
  if (dw) for (let ch = 0; ch < c; ch++) for (let t = 0; t < taps; t++) dwTaps[t * cp + ch] = q.weights[ch * taps + t]!;
  const stages = channelStages(q);
  const packed = stageParams(stages);
  const pass = packed && {
    ort: packed.ort,
    narrow: bound < 2 ** 31,
    params: packed.bytes,
    relu: stages.relu,
    zeroPoint: stages.zeroPoint,
    min: stages.min,
    max: stages.max,
  };
  p = {
    weights,
    pass,
    dw,
    dwWide,
    dwTaps,
    stages,
    gemm: dw ? undefined : gemmWeights(l, q, bound),
  };
  prepared.set(q, p);
  return p;
}

/** Output channels co..co+n-1 (n <= 4) of one pixel: dot products of a gathered window with their weights. */
function dot4(
  acc: Float64Array,
  ob: number,
  co: number,
  n: number,
  w: Float64Array,
  x: Float64Array,
  xo: number,
  k: number,
): void {
  const w0 = co * k;
  if (n === 4) {
    const w1 = w0 + k;
    const w2 = w1 + k;
    const w3 = w2 + k;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < k; i++) {
      const v = x[xo + i]!;
      s0 += v * w[w0 + i]!;
      s1 += v * w[w1 + i]!;
      s2 += v * w[w2 + i]!;
      s3 += v * w[w3 + i]!;
    }
    acc[ob + co] = s0;
    acc[ob + co + 1] = s1;
    acc[ob + co + 2] = s2;
    acc[ob + co + 3] = s3;
    return;
  }
  for (let j = 0; j < n; j++) {
    const wb = w0 + j * k;
    let s = 0;
    for (let i = 0; i < k; i++) s += x[xo + i]! * w[wb + i]!;
    acc[ob + co + j] = s;
  }
}

/** Accumulators of a depthwise layer by the WebAssembly kernel: input padded with the zero point, channels to a multiple of 8. */
function depthwiseWasm(l: MacLayer, x: Int16Array, zp: number, w: Int16Array, wide: boolean, sink: Sink): void {
  const { inShape: is, outShape: os, kernel, stride, dilation, pad } = l;
  const c = os.c;
  const cp = Math.ceil(c / 8) * 8;
  const taps = kernel.h * kernel.w;
  const ph = Math.max(is.h + pad.top, (os.h - 1) * stride.h + (kernel.h - 1) * dilation.h + 1);
  const pw = Math.max(is.w + pad.left, (os.w - 1) * stride.w + (kernel.w - 1) * dilation.w + 1);
  const m = os.h * os.w;
  const g = depthwiseArena(ph * pw * cp, taps, cp, m, 'y' in sink ? sink.pass.params.length : 0);
  const gx = g.x;
  gx.fill(zp);
  if (c === cp)
    for (let h = 0; h < is.h; h++)
      gx.set(x.subarray(h * is.w * c, (h + 1) * is.w * c), ((h + pad.top) * pw + pad.left) * cp);
  else
    for (let h = 0; h < is.h; h++)
      for (let wi = 0; wi < is.w; wi++) {
        const src = (h * is.w + wi) * c;
        const dst = ((h + pad.top) * pw + pad.left + wi) * cp;
        for (let ch = 0; ch < c; ch++) gx[dst + ch] = x[src + ch]!;
      }
  g.w.set(w);
  for (let kh = 0; kh < kernel.h; kh++)
    for (let kw = 0; kw < kernel.w; kw++)
      g.offsets[kh * kernel.w + kw] = (kh * dilation.h * pw + kw * dilation.w) * cp * 2;
  g.run(wide, os.h, os.w, stride.h * pw * cp, stride.w * cp);
  if ('y' in sink) return g.requant(sink.pass, c, sink.y);
  const { acc } = sink;
  const out = g.out;
  for (let p = 0; p < m; p++) for (let ch = 0; ch < c; ch++) acc[p * c + ch] = out[p * cp + ch]!;
}

/** Accumulators of a conv, grouped conv or FC layer: im2col one output pixel and group at a time, then GEMM. */
function convolve(l: MacLayer, x: Float64Array, zp: number, w: Float64Array, acc: Float64Array): void {
  const { inShape: is, outShape: os, kernel, stride, dilation, pad, groups } = l;
  const cinG = is.c / groups;
  const coutG = os.c / groups;
  const k = kernel.h * kernel.w * cinG;
  // A 1x1 window without padding is a contiguous run of the input: no gather.
  const direct = kernel.h === 1 && kernel.w === 1 && pad.top === 0 && pad.left === 0;
  patch = grow(patch, k);
  const p = patch;
  for (let oh = 0; oh < os.h; oh++) {
    for (let ow = 0; ow < os.w; ow++) {
      const ob = (oh * os.w + ow) * os.c;
      for (let g = 0; g < groups; g++) {
        let src = p;
        let so = 0;
        if (direct && oh * stride.h < is.h && ow * stride.w < is.w) {
          src = x;
          so = (oh * stride.h * is.w + ow * stride.w) * is.c + g * cinG;
        } else {
          let o = 0;
          for (let kh = 0; kh < kernel.h; kh++) {
            const ih = oh * stride.h - pad.top + kh * dilation.h;
            for (let kw = 0; kw < kernel.w; kw++) {
              const iw = ow * stride.w - pad.left + kw * dilation.w;
              if (ih < 0 || ih >= is.h || iw < 0 || iw >= is.w) p.fill(zp, o, o + cinG);
              else {
                const xb = (ih * is.w + iw) * is.c + g * cinG;
                for (let ci = 0; ci < cinG; ci++) p[o + ci] = x[xb + ci]!;
              }
              o += cinG;
            }
          }
        }
        const end = (g + 1) * coutG;
        for (let co = g * coutG; co < end; co += 4) dot4(acc, ob, co, Math.min(4, end - co), w, src, so, k);
      }
    }
  }
}

/** Accumulators of a conv, grouped conv or FC layer: im2col of the whole layer, then the WebAssembly GEMM per group. */
function convolveWasm(l: MacLayer, x: Int16Array, zp: number, gm: NonNullable<Prepared['gemm']>, sink: Sink): void {
  const { inShape: is, outShape: os, kernel, stride, dilation, pad, groups } = l;
  const cinG = is.c / groups;
  const coutG = os.c / groups;
  const { np, kp } = gm;
  const m = os.h * os.w;
  // A 1x1 stride-1 layer without padding whose channels fill K: A is the input itself.
  const direct =
    kernel.h === 1 &&
    kernel.w === 1 &&
    groups === 1 &&
    kp === is.c &&
    stride.h === 1 &&
    stride.w === 1 &&
    pad.top === 0 &&
    pad.left === 0 &&
    os.h === is.h &&
    os.w === is.w;
  // Otherwise a padded copy of the input and the window as segments: one per kernel row when its taps are
  // contiguous (one group, no horizontal dilation), else one per tap.
  const rows = groups === 1 && dilation.w === 1;
  const ph = Math.max(is.h + pad.top, (os.h - 1) * stride.h + (kernel.h - 1) * dilation.h + 1);
  const pw = Math.max(is.w + pad.left, (os.w - 1) * stride.w + (kernel.w - 1) * dilation.w + 1);
  const nseg = direct ? 0 : rows ? kernel.h : kernel.h * kernel.w;
  const fused = 'y' in sink ? sink.pass : undefined;
  const g = gemmArena(m, np, kp, direct ? 0 : ph * pw * is.c, nseg, fused ? m * os.c : 0, fused);
  if (direct) g.a.set(x.subarray(0, m * kp));
  else {
    g.x.fill(zp);
    for (let h = 0; h < is.h; h++)
      g.x.set(x.subarray(h * is.w * is.c, (h + 1) * is.w * is.c), ((h + pad.top) * pw + pad.left) * is.c);
    for (let kh = 0; kh < kernel.h; kh++)
      for (let kw = 0; kw < (rows ? 1 : kernel.w); kw++)
        g.offsets[rows ? kh : kh * kernel.w + kw] = (kh * dilation.h * pw + kw * dilation.w) * is.c * 2;
  }
  for (let gi = 0; gi < groups; gi++) {
    if (!direct) g.gather(gi * cinG, rows ? kernel.w * is.c : cinG, os.h, os.w, stride.h * pw * is.c, stride.w * is.c);
    g.b.set(gm.b[gi]!);
    g.run(gm.wide);
    if (fused) {
      g.requant(fused, coutG, gi * coutG, os.c);
      continue;
    }
    const { acc } = sink as { acc: Float64Array };
    const c = g.c;
    for (let p = 0; p < m; p++) {
      const ob = p * os.c + gi * coutG;
      const cb = p * np;
      for (let j = 0; j < coutG; j++) acc[ob + j] = c[cb + j]!;
    }
  }
  if (fused) g.output((sink as { y: Int16Array }).y, os.c);
}

/** A layer's results into `sink` (raw accumulators, length >= outputs, or the fused output stage); returns its prepared constants. */
function accumulate(l: MacLayer, x: IntTensor, q: QuantLayer, sink: Sink): Prepared {
  const pr = prepare(l, q);
  if (pr.gemm) convolveWasm(l, x.data, q.inZeroPoint, pr.gemm, sink);
  else if (pr.dw) depthwiseWasm(l, x.data, q.inZeroPoint, pr.dwTaps, pr.dwWide, sink);
  else {
    input = grow(input, x.data.length);
    const xf = input;
    for (let i = 0; i < x.data.length; i++) xf[i] = x.data[i]!;
    convolve(l, xf, q.inZeroPoint, pr.weights, (sink as { acc: Float64Array }).acc);
  }
  return pr;
}

/**
 * Raw accumulators (before bias and requantization) of a layer, NHWC over the output shape: for every
 * output, the sum over its window of input x weight, padded positions holding the input zero point.
 * A batched layer's images are convolved one by one, each with the same weights.
 */
export function goldenAccumulators(l: MacLayer, x: IntTensor, q: QuantLayer): Float64Array {
  const outSize = imageValues(l.outShape);
  const acc = new Float64Array(batchOf(l) * outSize);
  eachImage(l, x, q, (b) => ({ acc: acc.subarray(b * outSize, (b + 1) * outSize) }));
  return acc;
}

/** Every image of a (batched) layer into its sink, image after image. */
function eachImage(l: MacLayer, x: IntTensor, q: QuantLayer, sink: (image: number) => Sink): void {
  const n = batchOf(l);
  if (n === 1) {
    accumulate(l, x, q, sink(0));
    return;
  }
  const one = imageLayer(l);
  const inSize = imageValues(l.inShape);
  for (let b = 0; b < n; b++)
    accumulate(one, { shape: l.inShape, data: x.data.subarray(b * inSize, (b + 1) * inSize) }, q, sink(b));
}

/** The layer's quantized output as the golden model computes it (the output stage fused into the kernels where exact). */
export function goldenLayer(l: MacLayer, x: IntTensor, q: QuantLayer): IntTensor {
  const out = zeros(batchOutShape(l));
  const n = out.data.length;
  const pr = prepare(l, q);
  const { pass } = pr;
  if (pass && (pr.gemm || pr.dw)) {
    const outSize = imageValues(l.outShape);
    eachImage(l, x, q, (b) => ({ y: out.data.subarray(b * outSize, (b + 1) * outSize), pass }));
    return out;
  }
  accBuf = grow(accBuf, n);
  const outSize = imageValues(l.outShape);
  eachImage(l, x, q, (b) => ({ acc: accBuf.subarray(b * outSize, (b + 1) * outSize) }));
  requantizeInto(accBuf, n, pr.stages, out.data);
  return out;
}
