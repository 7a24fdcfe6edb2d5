/**
 * Test vectors of the one rounding rule (half away from zero) at exact ties, beside the ties, at small and
 * large shifts, through the whole output stage (multiplier, ReLU, zero point, saturation) in both the
 * BigInt definition and in Numbers, and through NVDLA's CACC conversion.
 */
import { describe, expect, it } from 'vitest';
import { goldenNvdlaLayer } from '../../src/accel/nvdla/cacc.js';
import { NetBuilder } from '../../src/nets/builder.js';
import { macLayers } from '../../src/nets/ir.js';
import { requantize, roundShift } from '../../src/quant/requant.js';
import { requantizeBig, type BigOutputStage as OutputStage } from '../helpers/golden-reference.js';
import type { QuantLayer } from '../../src/quant/tensor.js';

/** x * 2^shift as a BigInt, for x a multiple of 1/2 (so that x * 2^shift is whole for shift >= 1). */
const scaled = (x: number, shift: number) => (BigInt(x * 2) << BigInt(shift)) / 2n;

// value -> rounded, half away from zero
const TIES: [number, number][] = [
  [0.5, 1],
  [-0.5, -1],
  [1.5, 2],
  [-1.5, -2],
  [2.5, 3],
  [-2.5, -3],
  [3.5, 4],
  [-3.5, -4],
  [126.5, 127],
  [-127.5, -128],
  [1000.5, 1001],
  [-1000.5, -1001],
];
const SHIFTS = [1, 2, 3, 5, 8, 16, 30, 31, 47, 62, 63];

describe('rounding half away from zero', () => {
  it.each(SHIFTS)('at exact ties, shift %i', (shift) => {
    for (const [x, want] of TIES)
      expect(roundShift(scaled(x, shift), shift), `${x} at shift ${shift}`).toBe(BigInt(want));
  });

  it.each(SHIFTS.filter((s) => s >= 2))('one below and one above a tie, shift %i', (shift) => {
    for (const [x, want] of TIES) {
      const t = scaled(x, shift);
      const towardZero = want > 0 ? want - 1 : want + 1;
      // A tie moved toward zero by 1/2^shift rounds toward zero; moved away, it rounds away.
      const inner = t > 0n ? t - 1n : t + 1n;
      const outer = t > 0n ? t + 1n : t - 1n;
      expect(roundShift(inner, shift), `${x} - 1/2^${shift}`).toBe(BigInt(towardZero));
      expect(roundShift(outer, shift), `${x} + 1/2^${shift}`).toBe(BigInt(want));
    }
  });

  it('is the identity at shift 0, and never rounds whole quotients', () => {
    for (const x of [0n, 1n, -1n, 7n, -7n, 2n ** 62n, -(2n ** 62n)]) expect(roundShift(x, 0)).toBe(x);
    for (const shift of SHIFTS)
      for (const q of [0n, 1n, -1n, 5n, -5n]) expect(roundShift(q << BigInt(shift), shift)).toBe(q);
  });
});

describe('the output stage at ties', () => {
  const stage = (o: Partial<OutputStage>): OutputStage => ({
    bias: 0n,
    mult: 1,
    shift: 1,
    relu: false,
    zeroPoint: 0,
    bits: 8,
    ...o,
  });
  /** Both paths of requantization on one accumulator. */
  const both = (acc: bigint, s: OutputStage) => {
    const exact = requantizeBig(acc, s);
    expect(requantize(Number(acc), Number(s.bias), s), `Number path of ${acc}`).toBe(exact);
    return exact;
  };

  it('rounds (acc + bias) * mult / 2^shift half away from zero, whatever the multiplier', () => {
    // (acc + bias) * 3 / 4: acc + bias = 10 -> 7.5 -> 8, -10 -> -7.5 -> -8, 6 -> 4.5 -> 5, -6 -> -5.
    for (const [acc, want] of [
      [10n, 8],
      [-10n, -8],
      [6n, 5],
      [-6n, -5],
      [9n, 7],
      [-9n, -7],
      [2n, 2],
      [-2n, -2],
    ] as const) {
      expect(both(acc, stage({ mult: 3, shift: 2 })), `${acc} * 3 / 4`).toBe(want);
    }
    // The bias joins before rounding: (3 + 2) / 2 = 2.5 -> 3, (-7 + 2) / 2 = -2.5 -> -3.
    expect(both(3n, stage({ bias: 2n }))).toBe(3);
    expect(both(-7n, stage({ bias: 2n }))).toBe(-3);
    // A 31-bit multiplier with a 31-bit shift: 2^30 * 5 / 2^31 = 2.5 -> 3.
    expect(both(5n, stage({ mult: 2 ** 30, shift: 31 }))).toBe(3);
    expect(both(-5n, stage({ mult: 2 ** 30, shift: 31 }))).toBe(-3);
  });

  it('applies ReLU after rounding and the zero point after ReLU', () => {
    expect(both(-1n, stage({ relu: true }))).toBe(0); // -0.5 -> -1 -> 0
    expect(both(-1n, stage({ relu: true, zeroPoint: 3 }))).toBe(3);
    expect(both(-5n, stage({ zeroPoint: 3 }))).toBe(0); // -2.5 -> -3, + 3
    expect(both(5n, stage({ zeroPoint: -3 }))).toBe(0); // 2.5 -> 3, - 3
  });

  it('saturates after rounding, at both ends of INT8 and INT16', () => {
    expect(both(253n, stage({}))).toBe(127); // 126.5 -> 127
    expect(both(255n, stage({}))).toBe(127); // 127.5 -> 128 -> 127
    expect(both(-255n, stage({}))).toBe(-128); // -127.5 -> -128, in range
    expect(both(-257n, stage({}))).toBe(-128); // -128.5 -> -129 -> -128
    expect(both(256n, stage({ shift: 0 }))).toBe(127);
    expect(both(-129n, stage({ shift: 0 }))).toBe(-128);
    expect(both(-128n, stage({ shift: 0 }))).toBe(-128);
    expect(both(65533n, stage({ bits: 16 }))).toBe(32767); // 32766.5 -> 32767
    expect(both(65535n, stage({ bits: 16 }))).toBe(32767);
    expect(both(-65535n, stage({ bits: 16 }))).toBe(-32768); // -32767.5 -> -32768
    expect(both(-65537n, stage({ bits: 16 }))).toBe(-32768);
  });
});

describe("NVDLA's CACC conversion at ties", () => {
  // A one-input, one-output FC layer: its accumulator is x * w, CACC divides it by 2^t, the SDP passes it on.
  const b = new NetBuilder('cacc-ties', { h: 1, w: 1, c: 1 });
  b.fc('fc', 1);
  const layer = macLayers(b.build())[0]!;
  const run = (x: number, w: number, t: number) => {
    const q: QuantLayer = {
      bits: 16,
      weights: Int16Array.of(w),
      bias: [0n],
      mult: [1],
      shift: [0],
      relu: false,
      inZeroPoint: 0,
      outZeroPoint: 0,
      caccTruncate: t,
    };
    return goldenNvdlaLayer(layer, { shape: layer.inShape, data: Int16Array.of(x) }, q).data[0];
  };

  it.each([1, 2, 5, 9, 13])('rounds x * 2^(t-1) / 2^t half away from zero, t = %i', (t) => {
    const half = 2 ** (t - 1);
    for (const [x, want] of [
      [5, 3],
      [-5, -3],
      [1, 1],
      [-1, -1],
      [3, 2],
      [-3, -2],
      [4, 2],
      [-4, -2],
    ] as const)
      expect(run(x, half, t), `${x}/2 at t=${t}`).toBe(want);
    if (t >= 2) {
      // Just below a tie (2.5 - 1/2^t): toward zero.
      expect(run(5 * half - 1, 1, t)).toBe(2);
      expect(run(-(5 * half - 1), 1, t)).toBe(-2);
    }
  });
});
