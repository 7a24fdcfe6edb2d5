/** The one requantization rule, with test vectors, and the multiplier/shift approximation. */
import { describe, expect, it } from 'vitest';
import { multiplierShift } from '../../src/quant/quantize.js';
import { requantize, roundShift } from '../../src/quant/requant.js';
import { requantizeBig } from '../helpers/golden-reference.js';
import { rng } from '../../src/quant/random.js';

describe('requantization', () => {
  it('rounds half away from zero', () => {
    // x / 2: 5 -> 2.5 -> 3, -5 -> -2.5 -> -3, 3 -> 1.5 -> 2, -3 -> -1.5 -> -2, -4.8 (=-24/5 not exact) cases by shift 2
    expect([5n, -5n, 3n, -3n, 1n, -1n, 4n].map((x) => roundShift(x, 1))).toEqual([3n, -3n, 2n, -2n, 1n, -1n, 2n]);
    expect([9n, -9n, 10n, -10n, 11n, -11n].map((x) => roundShift(x, 2))).toEqual([2n, -2n, 3n, -3n, 3n, -3n]);
    expect(roundShift(-7n, 0)).toBe(-7n);
  });

  it('applies bias, multiplier, shift, ReLU, zero point and saturation in that order', () => {
    const s = { bias: 10n, mult: 3, shift: 2, relu: false, zeroPoint: 5, bits: 8 as const };
    expect(requantizeBig(0n, s)).toBe(Math.round(30 / 4) + 5); // (0+10)*3/4 = 7.5 -> 8, +5
    expect(requantizeBig(-20n, s)).toBe(-8 + 5); // -30/4 = -7.5 -> -8
    expect(requantizeBig(-20n, { ...s, relu: true })).toBe(5); // ReLU before the zero point
    expect(requantizeBig(1000n, s)).toBe(127);
    expect(requantizeBig(-1000n, s)).toBe(-128);
    expect(requantizeBig(100000n, { ...s, bits: 16 })).toBe(32767);
  });

  it('in Numbers equals the BigInt definition', () => {
    const r = rng(9);
    for (let i = 0; i < 2000; i++) {
      const acc = Math.round((r() - 0.5) * 2 ** 40);
      const bias = Math.round((r() - 0.5) * 2 ** 20);
      const st = {
        mult: Math.floor(r() * 2 ** 31),
        shift: Math.floor(r() * 64),
        relu: r() < 0.5,
        zeroPoint: Math.floor(r() * 20) - 10,
        bits: (r() < 0.5 ? 8 : 16) as 8 | 16,
      };
      expect(requantize(acc, bias, st)).toBe(requantizeBig(BigInt(acc), { ...st, bias: BigInt(bias) }));
    }
  });

  it('approximates rescale factors with a 31-bit multiplier and a shift within 0..63', () => {
    for (const m of [1, 0.5, 0.123456, 3.7e-5, 1e-9, 1000]) {
      const { mult, shift } = multiplierShift(m);
      expect(mult).toBeLessThan(2 ** 31);
      expect(shift).toBeGreaterThanOrEqual(0);
      expect(shift).toBeLessThanOrEqual(63);
      expect(Math.abs(mult / 2 ** shift - m) / m).toBeLessThan(1e-8);
    }
  });
});
