/**
 * The reference arithmetic the fast golden executor must equal exactly: the requantization rule in
 * BigInt, and the direct loop convolution (one window sum per output, padding = the input zero point),
 * as the golden model computed them before the fast kernels.
 */
import type { MacLayer } from '../../src/nets/ir.js';
import { operandRange, roundShift } from '../../src/quant/requant.js';
import { zeros, type IntTensor, type QuantLayer } from '../../src/quant/tensor.js';

/** The output stage of requant.ts, with BigInt bias. */
export interface BigOutputStage {
  bias: bigint;
  mult: number;
  shift: number;
  relu: boolean;
  zeroPoint: number;
  bits: 8 | 16;
}

/** Requantizes one accumulator value in BigInt: sat(rhaz((acc + bias) * mult / 2^shift)), ReLU, zero point. */
export function requantizeBig(acc: bigint, s: BigOutputStage): number {
  let t = roundShift((acc + s.bias) * BigInt(s.mult), s.shift);
  if (s.relu && t < 0n) t = 0n;
  t += BigInt(s.zeroPoint);
  const { min, max } = operandRange(s.bits);
  if (t > BigInt(max)) return max;
  if (t < BigInt(min)) return min;
  return Number(t);
}

/** The accumulators of a layer in BigInt by a direct loop over every output's window. */
export function referenceAccumulators(l: MacLayer, x: IntTensor, q: QuantLayer): bigint[] {
  const { inShape: is, outShape: os, kernel, stride, dilation, pad } = l;
  const cinG = is.c / l.groups;
  const coutG = os.c / l.groups;
  const out: bigint[] = [];
  for (let oh = 0; oh < os.h; oh++) {
    for (let ow = 0; ow < os.w; ow++) {
      for (let co = 0; co < os.c; co++) {
        let acc = 0;
        const g = Math.floor(co / coutG);
        for (let kh = 0; kh < kernel.h; kh++) {
          for (let kw = 0; kw < kernel.w; kw++) {
            const ih = oh * stride.h - pad.top + kh * dilation.h;
            const iw = ow * stride.w - pad.left + kw * dilation.w;
            const inside = ih >= 0 && ih < is.h && iw >= 0 && iw < is.w;
            for (let ci = 0; ci < cinG; ci++) {
              const v = inside ? x.data[(ih * is.w + iw) * is.c + g * cinG + ci]! : q.inZeroPoint;
              // Each product is below 2^30 and every sum here below 2^53 for the layers tested.
              acc += v * q.weights[((co * kernel.h + kh) * kernel.w + kw) * cinG + ci]!;
            }
          }
        }
        out.push(BigInt(acc));
      }
    }
  }
  return out;
}

/** The layer's output by the reference: direct loop accumulators, then BigInt requantization. */
export function referenceLayer(l: MacLayer, x: IntTensor, q: QuantLayer): IntTensor {
  const acc = referenceAccumulators(l, x, q);
  const out = zeros(l.outShape);
  const c = l.outShape.c;
  for (let i = 0; i < acc.length; i++) {
    const co = i % c;
    out.data[i] = requantizeBig(acc[i]!, {
      bias: q.bias[co]!,
      mult: q.mult[co]!,
      shift: q.shift[co]!,
      relu: q.relu,
      zeroPoint: q.outZeroPoint,
      bits: q.bits,
    });
  }
  return out;
}
