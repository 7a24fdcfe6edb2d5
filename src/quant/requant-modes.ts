/**
 * The output stages besides mactile's own (rhaz, requant.ts), exact in doubles:
 * - `ort`: what onnxruntime's CPU QLinearConv computes (MlasRequantizeOutput): the int32 sum acc + bias to
 *   float32 (round to nearest even), times a float32 factor fround(fround(x_scale * w_scale[c]) / y_scale)
 *   (float32 product, rounded), round half to even, then the zero point and saturation.
 * - `gemmlowp`: TFLite's MultiplyByQuantizedMultiplier: a left shift, SaturatingRoundingDoublingHighMul by a
 *   Q31 multiplier, RoundingDivideByPOT (each rounding half away from zero), then the zero point and saturation.
 * Both also quantize float values the way their runtime's QuantizeLinear does (ort: fround(x / scale), half to even).
 */

/** How a layer's output stage rounds: mactile's integer multiplier (rhaz), onnxruntime's float32 steps, TFLite's gemmlowp. */
export const REQUANT_MODES = ['rhaz', 'ort', 'gemmlowp'] as const;
export type RequantMode = (typeof REQUANT_MODES)[number];

/** Rounds a double to the nearest whole number, ties to even (2.5 -> 2, 3.5 -> 4, -2.5 -> -2). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v); // ties toward +infinity
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The float32 factor of the ort output stage: fround(fround(xScale * wScale) / yScale), every scale a float32. */
export function ortFactor(xScale: number, wScale: number, yScale: number): number {
  return Math.fround(Math.fround(Math.fround(xScale) * Math.fround(wScale)) / Math.fround(yScale));
}

/**
 * The ort output stage on x = acc + bias (a whole number): RNE(fround(fround(x) * factor)), ReLU, zero point,
 * saturation. The product of two float32 values is exact in a double, so one fround rounds it as float32 does.
 */
export function requantizeOrt(
  x: number,
  factor: number,
  relu: boolean,
  zeroPoint: number,
  min: number,
  max: number,
): number {
  let t = roundHalfEven(Math.fround(Math.fround(x) * factor));
  if (relu && t < 0) t = 0;
  t += zeroPoint;
  return t > max ? max : t < min ? min : t;
}

/** Quantizes one float32 value as onnxruntime's QuantizeLinear does: RNE(fround(v / scale)) + zero point, saturated. */
export function quantizeOrt(v: number, scale: number, zeroPoint: number, min: number, max: number): number {
  // A double quotient of two float32 values rounds to the correctly rounded float32 quotient (53 >= 2 * 24 + 2).
  const r = roundHalfEven(Math.fround(v / scale)) + zeroPoint;
  return r < min ? min : r > max ? max : r;
}

const I32_MIN = -(2n ** 31n);
const I32_MAX = 2n ** 31n - 1n;

/** gemmlowp's SaturatingRoundingDoublingHighMul: (a * b * 2 + 2^31 rounded) / 2^32, nudged half away from zero. */
export function saturatingRoundingDoublingHighMul(a: bigint, b: bigint): bigint {
  if (a === I32_MIN && b === I32_MIN) return I32_MAX;
  const ab = a * b;
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  // C++ integer division truncates toward zero, as BigInt division does.
  return (ab + nudge) / (1n << 31n);
}

/** gemmlowp's RoundingDivideByPOT: x / 2^e rounded half away from zero (-5 / 2 -> -3, 5 / 2 -> 3). */
export function roundingDivideByPOT(x: bigint, e: number): bigint {
  if (e === 0) return x;
  const mask = (1n << BigInt(e)) - 1n;
  const remainder = x & mask;
  const threshold = (mask >> 1n) + (x < 0n ? 1n : 0n);
  return (x >> BigInt(e)) + (remainder > threshold ? 1n : 0n);
}

/**
 * The gemmlowp output stage on x = acc + bias with mactile's multiplier and shift (factor mult * 2^-shift,
 * mult in [2^30, 2^31) a Q31 multiplier, TFLite's exponent 31 - shift): left shift when the exponent is
 * positive, SaturatingRoundingDoublingHighMul, RoundingDivideByPOT, ReLU, zero point, saturation.
 */
export function requantizeGemmlowp(
  x: number,
  mult: number,
  shift: number,
  relu: boolean,
  zeroPoint: number,
  min: number,
  max: number,
): number {
  const exponent = 31 - shift;
  const left = exponent > 0 ? exponent : 0;
  const right = exponent > 0 ? 0 : -exponent;
  const v = BigInt(x) << BigInt(left);
  let t = Number(roundingDivideByPOT(saturatingRoundingDoublingHighMul(v, BigInt(mult)), right));
  if (relu && t < 0) t = 0;
  t += zeroPoint;
  return t > max ? max : t < min ? min : t;
}
