/**
 * NVDLA CACC's arithmetic: accumulators that could exceed 32 bits are truncated (rounded half away from
 * zero) and saturated to 32 bits before the SDP requantizes them. The golden model of a layer on the core
 * is the shared golden accumulators followed by this conversion.
 */
import { batchOutShape } from '../../nets/batch.js';
import type { MacLayer } from '../../nets/ir.js';
import { goldenAccumulators } from '../../quant/golden.js';
import { operandRange, requantizeTo, roundShift, roundShiftNumber } from '../../quant/requant.js';
import { zeros, type IntTensor, type QuantLayer } from '../../quant/tensor.js';
import { MactileError } from '../../util/errors.js';

/** Bits NVDLA's CACC truncates from the layer's accumulators so that the worst case (all operands at the
 * most negative value) fits 32 bits; 0 when it already does. */
export function caccTruncateBits(l: MacLayer, bits: 8 | 16): number {
  const k = l.kernel.h * l.kernel.w * (l.inShape.c / l.groups);
  const worst = k * 2 ** (2 * bits - 2);
  return Math.max(0, Math.ceil(Math.log2(worst + 1)) - 30);
}

/** NVDLA CACC's conversion of an accumulator to 32 bits: sat32(round_half_away_from_zero(acc / 2^t)). */
function caccConvert(acc: number, truncate: number): number {
  const t = roundShiftNumber(acc, truncate);
  return t > 2147483647 ? 2147483647 : t < -2147483648 ? -2147483648 : t;
}

/** The golden model of a layer on the NVDLA-style core: the same accumulators, CACC's conversion, then the SDP. */
export function goldenNvdlaLayer(l: MacLayer, x: IntTensor, q: QuantLayer): IntTensor {
  const acc = goldenAccumulators(l, x, q);
  const out = zeros(batchOutShape(l));
  const c = l.outShape.c;
  const bias = q.bias.map(Number);
  const t = q.caccTruncate ?? 0;
  const { min, max } = operandRange(q.bits);
  for (let i = 0; i < acc.length; i++) {
    const co = i % c;
    out.data[i] = requantizeTo(
      caccConvert(acc[i]!, t) + bias[co]!,
      q.mult[co]!,
      q.shift[co]!,
      q.relu,
      q.outZeroPoint,
      min,
      max,
    );
  }
  return out;
}

/**
 * The layer as the NVDLA-style core runs it: CACC truncates accumulators that could exceed 32 bits, and
 * the bias and shift of the SDP move to the truncated scale.
 */
export function nvdlaQuantLayer(l: MacLayer, q: QuantLayer): QuantLayer {
  const t = caccTruncateBits(l, q.bits);
  if (t === 0) return { ...q, caccTruncate: 0 };
  const shift = q.shift.map((s) => s - t);
  if (shift.some((s) => s < 0))
    throw new MactileError(
      `layer ${l.name}: the NVDLA-style core would need a negative SDP shift after truncating ${t} bits`,
    );
  return { ...q, caccTruncate: t, bias: q.bias.map((b) => roundShift(b, t)), shift };
}
