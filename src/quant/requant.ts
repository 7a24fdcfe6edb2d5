/**
 * The one definition of requantization, shared by the golden integer model, the quantizer and (in
 * Verilog, mt_requant) the RTL output stage: y = sat(round_half_away_from_zero((acc + bias) * mult / 2^shift),
 * then ReLU, then the output zero point. Exact for every |acc + bias| < 2^53 without BigInt: the product
 * (up to 2^84) is formed in two Numbers (hi * 2^32 + lo) when it does not fit one. That is mode `rhaz`, the
 * default; a layer in mode `ort` or `gemmlowp` goes through requant-modes.ts instead.
 */
import { requantizeGemmlowp, requantizeOrt, type RequantMode } from './requant-modes.js';

const RANGE8 = Object.freeze({ min: -128, max: 127 });
const RANGE16 = Object.freeze({ min: -32768, max: 32767 });
const TWO32 = 2 ** 32;

/** Operand range of a precision. */
export function operandRange(bits: 8 | 16): { min: number; max: number } {
  return bits === 8 ? RANGE8 : RANGE16;
}

/** Accumulator width of a precision: 32 bits for INT8, 48 for INT16. */
export function accumulatorBits(bits: 8 | 16): 32 | 48 {
  return bits === 8 ? 32 : 48;
}

/** Divides by 2^shift rounding half away from zero (-2.5 -> -3, 2.5 -> 3, -2.4 -> -2). */
export function roundShift(x: bigint, shift: number): bigint {
  if (shift === 0) return x;
  const half = 1n << BigInt(shift - 1);
  const mag = x < 0n ? -x : x;
  const r = (mag + half) >> BigInt(shift);
  return x < 0n ? -r : r;
}

/** roundShift of a whole Number with |x| < 2^53, exact. */
export function roundShiftNumber(x: number, shift: number): number {
  if (shift === 0) return x;
  const mag = x < 0 ? -x : x;
  // mag + 2^(shift-1) is exact below 2^53; above, mag / 2^shift rounds to at most 1 either way.
  const r = shift > 52 ? (mag >= 2 ** (shift - 1) ? 1 : 0) : Math.floor((mag + 2 ** (shift - 1)) / 2 ** shift);
  return x < 0 ? -r : r;
}

/**
 * floor((a * mult + 2^(shift-1)) / 2^shift) for whole a in [0, 2^53), mult in [0, 2^31), shift in 0..63:
 * exact whenever the result is below 2^53 (and at least 2^53 otherwise, which every precision saturates).
 */
function mulRoundShift(a: number, mult: number, shift: number): number {
  const p = a * mult;
  if (p <= 9007199254740991 && shift <= 52) {
    const s = p + (shift === 0 ? 0 : 2 ** (shift - 1));
    if (s <= 9007199254740991) return Math.floor(s / 2 ** shift);
  }
  // a * mult = hi * 2^32 + lo, 0 <= lo < 2^32, every partial product below 2^53.
  const aL = a % TWO32;
  const aH = (a - aL) / TWO32;
  const mL = mult % 65536;
  const mH = (mult - mL) / 65536;
  const u = aL * mH;
  const uL = u % 65536;
  let lo = aL * mL + uL * 65536;
  const c = Math.floor(lo / TWO32);
  lo -= c * TWO32;
  let hi = aH * mult + (u - uL) / 65536 + c;
  if (shift === 0) return hi * TWO32 + lo;
  if (shift <= 32) {
    lo += 2 ** (shift - 1);
    if (lo >= TWO32) {
      lo -= TWO32;
      hi += 1;
    }
    return hi * 2 ** (32 - shift) + Math.floor(lo / 2 ** shift);
  }
  // lo / 2^32 < 1 never carries the quotient past a multiple of 2^(shift - 32).
  return Math.floor((hi + 2 ** (shift - 33)) / 2 ** (shift - 32));
}

export interface OutputStage {
  mult: number;
  shift: number;
  relu: boolean;
  zeroPoint: number;
  bits: 8 | 16;
  /** Rounding mode (default rhaz); `ort` reads `ortFactor`, the others mult and shift. */
  mode?: RequantMode;
  ortFactor?: number;
}

/** Requantizes one accumulator (a whole Number, |acc + bias| < 2^53) to the operand type. */
export function requantize(acc: number, bias: number, s: OutputStage): number {
  const { min, max } = operandRange(s.bits);
  const x = acc + bias;
  if (s.mode === 'ort') return requantizeOrt(x, s.ortFactor ?? NaN, s.relu, s.zeroPoint, min, max);
  if (s.mode === 'gemmlowp') return requantizeGemmlowp(x, s.mult, s.shift, s.relu, s.zeroPoint, min, max);
  return requantizeTo(x, s.mult, s.shift, s.relu, s.zeroPoint, min, max);
}

/** 2^-shift for shift 0..63. */
const INV_POW2 = Float64Array.from({ length: 64 }, (_, i) => 2 ** -i);
/** Below this distance from a rounding boundary, the estimate in doubles could be on the wrong side. */
const MARGIN = 2 ** -30;

/**
 * round_half_away_from_zero(a * mult / 2^shift) for whole a in [0, 2^53), factor = mult * 2^-shift (exact in
 * a double). The double estimate a * factor has a relative error below 2^-53, so an absolute one below 2^-35
 * where the result does not saturate (below 2^17); it decides unless it lies within 2^-30 of a rounding
 * boundary (exact ties among them), where mulRoundShift decides exactly.
 */
function magnitude(a: number, mult: number, shift: number, factor: number): number {
  const f = a * factor + 0.5;
  const r = Math.floor(f);
  // Beyond 2^17 every precision saturates whatever the low bits are.
  if (f >= 131072) return r;
  const d = f - r;
  return d < MARGIN || d > 1 - MARGIN ? mulRoundShift(a, mult, shift) : r;
}

/** The output stage on x = acc + bias with its parameters as scalars. */
export function requantizeTo(
  x: number,
  mult: number,
  shift: number,
  relu: boolean,
  zeroPoint: number,
  min: number,
  max: number,
): number {
  const r = magnitude(x < 0 ? -x : x, mult, shift, mult * INV_POW2[shift]!);
  let t = x < 0 ? -r : r;
  if (relu && t < 0) t = 0;
  t += zeroPoint;
  return t > max ? max : t < min ? min : t;
}

/** Per-output-channel parameters of a layer's output stage, as the layer loop reads them. */
export interface ChannelStages {
  bias: Float64Array;
  mult: Float64Array;
  shift: Int32Array;
  factor: Float64Array;
  relu: boolean;
  zeroPoint: number;
  min: number;
  max: number;
  mode: RequantMode;
  /** Mode ort: the float32 factor per channel. */
  ortFactor: Float64Array;
}

/** The output stages of a quantized layer (bias, multiplier and shift per channel; the ort factors in mode ort). */
export function channelStages(q: {
  bias: bigint[];
  mult: number[];
  shift: number[];
  relu: boolean;
  outZeroPoint: number;
  bits: 8 | 16;
  requant?: RequantMode;
  ortFactor?: number[];
}): ChannelStages {
  const { min, max } = operandRange(q.bits);
  const mode = q.requant ?? 'rhaz';
  if (mode === 'ort' && q.ortFactor?.length !== q.bias.length)
    throw new Error(`requant: mode ort needs ${q.bias.length} float32 factors, received ${q.ortFactor?.length ?? 0}`);
  return {
    mode,
    ortFactor: Float64Array.from(q.ortFactor ?? []),
    bias: Float64Array.from(q.bias, Number),
    mult: Float64Array.from(q.mult),
    shift: Int32Array.from(q.shift),
    factor: Float64Array.from(q.mult, (m, i) => m * INV_POW2[q.shift[i]!]!),
    relu: q.relu,
    zeroPoint: q.outZeroPoint,
    min,
    max,
  };
}

/** Requantizes n accumulators (NHWC, channels innermost) into `out`: requantizeTo for every output. */
export function requantizeInto(acc: Float64Array, n: number, s: ChannelStages, out: Int16Array): void {
  const { bias, mult, shift, factor, relu, zeroPoint, min, max } = s;
  const c = bias.length;
  if (s.mode !== 'rhaz') {
    const { ortFactor, mode } = s;
    for (let b = 0; b < n; b += c)
      for (let co = 0; co < c; co++) {
        const x = acc[b + co]! + bias[co]!;
        out[b + co] =
          mode === 'ort'
            ? requantizeOrt(x, ortFactor[co]!, relu, zeroPoint, min, max)
            : requantizeGemmlowp(x, mult[co]!, shift[co]!, relu, zeroPoint, min, max);
      }
    return;
  }
  for (let b = 0; b < n; b += c) {
    for (let co = 0; co < c; co++) {
      const x = acc[b + co]! + bias[co]!;
      const r = magnitude(x < 0 ? -x : x, mult[co]!, shift[co]!, factor[co]!);
      let t = x < 0 ? -r : r;
      if (relu && t < 0) t = 0;
      t += zeroPoint;
      out[b + co] = t > max ? max : t < min ? min : t;
    }
  }
}
