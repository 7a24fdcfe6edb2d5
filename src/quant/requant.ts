/**
 * The one definition of requantization, shared by the golden integer model, the quantizer and (in
 * Verilog) the RTL output stage: y = sat(round_half_away_from_zero((acc + bias) * mult / 2^shift),
 * then ReLU, then the output zero point. Exact in BigInt.
 */

const RANGE8 = Object.freeze({ min: -128, max: 127 });
const RANGE16 = Object.freeze({ min: -32768, max: 32767 });

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

export interface OutputStage {
  bias: bigint;
  mult: number;
  shift: number;
  relu: boolean;
  zeroPoint: number;
  bits: 8 | 16;
}

/** Requantizes one accumulator value to the operand type. */
export function requantize(acc: bigint, s: OutputStage): number {
  let t = roundShift((acc + s.bias) * BigInt(s.mult), s.shift);
  if (s.relu && t < 0n) t = 0n;
  t += BigInt(s.zeroPoint);
  const { min, max } = operandRange(s.bits);
  if (t > BigInt(max)) return max;
  if (t < BigInt(min)) return min;
  return Number(t);
}

/**
 * Fast path of requantize for accumulators whose product with the multiplier stays below 2^53:
 * identical results, no BigInt. Falls back to the exact path otherwise.
 */
export function requantizeNumber(acc: number, bias: number, s: Omit<OutputStage, 'bias'>): number {
  const x = acc + bias;
  const p = x * s.mult;
  const d = 2 ** s.shift;
  if (!Number.isSafeInteger(Math.abs(p) + d / 2)) return requantize(BigInt(acc), { ...s, bias: BigInt(bias) });
  let t: number;
  if (s.shift === 0) t = p;
  else {
    const mag = Math.floor((Math.abs(p) + d / 2) / d);
    t = p < 0 ? -mag : mag;
  }
  if (s.relu && t < 0) t = 0;
  t += s.zeroPoint;
  const { min, max } = operandRange(s.bits);
  return t > max ? max : t < min ? min : t;
}
