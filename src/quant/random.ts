/**
 * Seeded random quantized layers and inputs, for simulating networks before a trained model exists:
 * uniform INT8/INT16 activations and weights, and output-stage parameters that spread the results over
 * the output range (so that requantization, rounding and saturation are all exercised).
 */
import type { MacLayer, Shape } from '../nets/ir.js';
import { operandRange } from './requant.js';
import type { IntTensor, QuantLayer } from './tensor.js';

/** A small, fast, seedable PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [min, max]. */
function randInt(r: () => number, min: number, max: number): number {
  return min + Math.floor(r() * (max - min + 1));
}

/** A random feature map of a shape. */
export function randomTensor(shape: Shape, bits: 8 | 16, seed: number): IntTensor {
  const r = rng(seed);
  const { min, max } = operandRange(bits);
  const data = new Int16Array(shape.h * shape.w * shape.c);
  for (let i = 0; i < data.length; i++) data[i] = randInt(r, min, max);
  return { shape, data };
}

/**
 * Random quantized parameters for a MAC layer (weights, bias, multiplier and shift per output channel).
 * `caccTruncate` (NVDLA: the bits CACC drops so that accumulators fit 32 bits) scales the output stage to it.
 */
export function randomQuantLayer(l: MacLayer, bits: 8 | 16, seed: number, opts: { caccTruncate?: number } = {}): QuantLayer {
  const r = rng(seed ^ 0x9e3779b9);
  const { min, max } = operandRange(bits);
  const k = l.kernel.h * l.kernel.w * (l.inShape.c / l.groups);
  const weights = new Int16Array(l.outShape.c * k);
  for (let i = 0; i < weights.length; i++) weights[i] = randInt(r, min, max);
  // Uniform operands have a standard deviation of about range/sqrt(12); an accumulator of K products
  // about sqrt(K) * sigma^2. Map three of those to the top of the output range.
  const sigma = (max - min) / Math.sqrt(12);
  const truncate = opts.caccTruncate ?? 0;
  const accSigma = (Math.sqrt(k) * sigma * sigma) / 2 ** truncate;
  const shift = bits === 8 ? 30 : 31;
  const scale = max / (3 * accSigma);
  const mult = Math.min(2 ** 31 - 1, Math.max(1, Math.round(scale * 2 ** shift)));
  const biasRange = Math.floor(accSigma);
  const zp = randInt(r, -4, 4);
  return {
    bits,
    weights,
    bias: Array.from({ length: l.outShape.c }, () => BigInt(randInt(r, -biasRange, biasRange))),
    mult: Array.from({ length: l.outShape.c }, () => Math.max(1, mult + randInt(r, -mult >> 4, mult >> 4))),
    shift: Array.from({ length: l.outShape.c }, () => shift),
    relu: r() < 0.5,
    inZeroPoint: randInt(r, -3, 3),
    outZeroPoint: zp,
    ...(opts.caccTruncate !== undefined ? { caccTruncate: truncate } : {}),
  };
}
