/**
 * The golden integer model of a MAC layer: a direct loop convolution on the original tensors (padding,
 * stride, dilation and groups applied here, independently of the tile planner), then the shared
 * requantization. It imports nothing from sim/, so an im2col or padding bug cannot hide on both sides.
 */
import { batchOf, batchOutShape, imageLayer, imageValues } from '../nets/batch.js';
import type { MacLayer } from '../nets/ir.js';
import { requantizeNumber } from './requant.js';
import { zeros, type IntTensor, type QuantLayer } from './tensor.js';

/**
 * Raw accumulators (before bias and requantization) of a layer, NHWC over the output shape: for every
 * output, the sum over its window of input x weight, padded positions holding the input zero point.
 * A batched layer's images are convolved one by one, each with the same weights.
 */
export function goldenAccumulators(l: MacLayer, x: IntTensor, q: QuantLayer): Float64Array {
  const n = batchOf(l);
  if (n === 1) return imageAccumulators(l, x, q);
  const one = imageLayer(l);
  const [inSize, outSize] = [imageValues(l.inShape), imageValues(l.outShape)];
  const acc = new Float64Array(n * outSize);
  for (let b = 0; b < n; b++) {
    const image = { shape: l.inShape, data: x.data.subarray(b * inSize, (b + 1) * inSize) };
    acc.set(imageAccumulators(one, image, q), b * outSize);
  }
  return acc;
}

/** The accumulators of one image (an unbatched layer). */
function imageAccumulators(l: MacLayer, x: IntTensor, q: QuantLayer): Float64Array {
  const { inShape: is, outShape: os, kernel, stride, dilation, pad, groups } = l;
  const cinG = is.c / groups;
  const coutG = os.c / groups;
  const taps = kernel.h * kernel.w;
  // Offset of each output channel's input-channel group.
  const groupOffset = Int32Array.from({ length: os.c }, (_, co) => Math.floor(co / coutG) * cinG);
  const xd = x.data;
  const wd = q.weights;
  const zp = q.inZeroPoint;
  const acc = new Float64Array(os.h * os.w * os.c);
  // |x * w| <= 2^14 for INT8: a tap's sum over up to 2^16 channels stays below 2^31.
  const small = q.bits === 8 && cinG < 65536;
  // Padded taps contribute zero point x (sum of that tap's weights).
  const wsum = new Float64Array(os.c * taps);
  if (zp !== 0) {
    for (let co = 0; co < os.c; co++) {
      for (let t = 0; t < taps; t++) {
        let s = 0;
        for (let ci = 0; ci < cinG; ci++) s += wd[(co * taps + t) * cinG + ci]!;
        wsum[co * taps + t] = s;
      }
    }
  }
  for (let oh = 0; oh < os.h; oh++) {
    for (let ow = 0; ow < os.w; ow++) {
      const ob = (oh * os.w + ow) * os.c;
      for (let kh = 0; kh < kernel.h; kh++) {
        const ih = oh * stride.h - pad.top + kh * dilation.h;
        for (let kw = 0; kw < kernel.w; kw++) {
          const iw = ow * stride.w - pad.left + kw * dilation.w;
          const t = kh * kernel.w + kw;
          if (ih < 0 || ih >= is.h || iw < 0 || iw >= is.w) {
            if (zp !== 0) for (let co = 0; co < os.c; co++) acc[ob + co]! += zp * wsum[co * taps + t]!;
            continue;
          }
          const xb = (ih * is.w + iw) * is.c;
          for (let co = 0; co < os.c; co++) {
            const xg = xb + groupOffset[co]!;
            const wb = (co * taps + t) * cinG;
            let s = 0;
            if (small) {
              // INT8: every partial sum of one tap fits 32 bits, so integer arithmetic is exact.
              for (let ci = 0; ci < cinG; ci++) s = (s + Math.imul(xd[xg + ci]!, wd[wb + ci]!)) | 0;
            } else {
              for (let ci = 0; ci < cinG; ci++) s += xd[xg + ci]! * wd[wb + ci]!;
            }
            acc[ob + co]! += s;
          }
        }
      }
    }
  }
  return acc;
}

/** The layer's quantized output as the golden model computes it. */
export function goldenLayer(l: MacLayer, x: IntTensor, q: QuantLayer): IntTensor {
  const acc = goldenAccumulators(l, x, q);
  const out = zeros(batchOutShape(l));
  const c = l.outShape.c;
  const bias = q.bias.map(Number);
  for (let i = 0; i < acc.length; i++) {
    const co = i % c;
    out.data[i] = requantizeNumber(acc[i]!, bias[co]!, {
      mult: q.mult[co]!,
      shift: q.shift[co]!,
      relu: q.relu,
      zeroPoint: q.outZeroPoint,
      bits: q.bits,
    });
  }
  return out;
}
