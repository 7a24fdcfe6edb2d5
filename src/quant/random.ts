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
 * The output stages of the probe channels, in the order a layer takes them (from a seeded offset): the
 * right shift, the multiplier and the spread of the outputs (their standard deviation as a fraction of
 * the top of the output range). With a shift s >= 1 and an odd multiplier, about 1 in 2^s results is an
 * exact .5 tie; shift 0 with multiplier 1 takes the RTL's no-rounding branch; a spread of 0.35 keeps
 * most results inside the range, a spread of 1.5 saturates many of them, at both ends.
 */
const PROBES: readonly { shift: number; mult: number; spread: number }[] = [
  { shift: 1, mult: 1, spread: 0.35 },
  { shift: 0, mult: 1, spread: 0.35 },
  { shift: 2, mult: 3, spread: 0.35 },
  { shift: 1, mult: 1, spread: 1.5 },
  { shift: 0, mult: 1, spread: 1.5 },
  { shift: 2, mult: 1, spread: 0.35 },
];

/**
 * Random quantized parameters for a MAC layer (weights, bias, multiplier and shift per output channel).
 * `caccTruncate` (NVDLA: the bits CACC drops so that accumulators fit 32 bits) scales the output stage to it.
 *
 * Most output channels have uniform weights and a 30- or 31-bit shift that spreads the outputs over the
 * output range. About a quarter of them (at least one of a layer with two or more channels; chosen from
 * the seed) are probe channels instead: a few small weights and a small shift and multiplier (see
 * PROBES), so that exact .5 ties, both signs, saturation at both ends and shift 0 all occur in the
 * outputs, not only in theory. With a CACC truncation t > 0 a probe channel's weights are multiples of
 * 2^(t-1), so that half of its accumulators are exact ties of CACC's rounding too.
 */
export function randomQuantLayer(
  l: MacLayer,
  bits: 8 | 16,
  seed: number,
  opts: { caccTruncate?: number } = {},
): QuantLayer {
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
  const q: QuantLayer = {
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
  addProbeChannels(q, l.outShape.c, k, sigma, truncate, seed);
  return q;
}

/**
 * Turns some output channels of `q` into probe channels (see PROBES), from their own random stream so
 * that the other channels keep the parameters they always had for a seed.
 */
function addProbeChannels(
  q: QuantLayer,
  channels: number,
  k: number,
  sigma: number,
  truncate: number,
  seed: number,
): void {
  const r = rng(seed ^ 0x5bd1e995);
  const { max } = operandRange(q.bits);
  const count = channels >= 2 ? Math.max(1, Math.round(channels / 4)) : r() < 0.25 ? 1 : 0;
  // A seeded choice of `count` channels (a partial Fisher-Yates shuffle) and of the first probe.
  const order = Array.from({ length: channels }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = randInt(r, i, channels - 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const first = randInt(r, 0, PROBES.length - 1);
  // With CACC truncating t bits, weights in multiples of 2^(t-1): the accumulator is an exact tie of
  // CACC's rounding whenever the sum of inputs times quanta is odd.
  const quantum = truncate === 0 ? 1 : Math.min(2 ** (truncate - 1), 2 ** Math.floor(Math.log2(max)));
  for (let i = 0; i < count; i++) {
    const co = order[i]!;
    const p = PROBES[(first + i) % PROBES.length]!;
    // Output = sum(x w) / 2^t * mult / 2^shift: weights of norm spread * max * 2^(t+shift) / (sigma * mult).
    const norm = (p.spread * max * 2 ** (truncate + p.shift)) / (sigma * p.mult);
    const taps = Math.min(k, randInt(r, 1, 3));
    const w = q.weights.subarray(co * k, (co + 1) * k);
    w.fill(0);
    for (let n = 0; n < taps; n++) {
      const units = Math.max(1, Math.round((norm / Math.sqrt(taps) / quantum) * (0.75 + 0.5 * r())));
      // The first weight an odd number of quanta, so that the low bits of the sum follow the inputs.
      const odd = n === 0 && units % 2 === 0 ? units - 1 : units;
      const mag = Math.min(odd * quantum, Math.floor(max / quantum) * quantum);
      let at = randInt(r, 0, k - 1);
      while (w[at] !== 0) at = (at + 1) % k;
      w[at] = r() < 0.5 ? -mag : mag;
    }
    // A bias of up to a quarter of the output range (in accumulator units after CACC), so outputs stay centred.
    const biasRange = Math.floor((0.25 * max * 2 ** p.shift) / p.mult);
    q.bias[co] = BigInt(randInt(r, -biasRange, biasRange));
    q.mult[co] = p.mult;
    q.shift[co] = p.shift;
  }
}
