/**
 * Activation calibration: the MSE threshold is searched for the quantizer that will be used. A tensor after
 * ReLU or SiLU is (almost) non-negative: asymmetric quantization spends all 255 INT8 steps on [min, t]
 * where symmetric spends 127 on [0, t], so its error-minimising threshold clips less.
 */
import { describe, expect, it } from 'vitest';
import { TensorStats } from '../../src/quant/calibrate.js';
import { rng } from '../../src/quant/random.js';

/** Values of a SiLU after a Laplace pre-activation: a long positive tail, a minimum near -0.28. */
function siluValues(n: number): Float32Array {
  const r = rng(5);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const z = (r() < 0.5 ? 1 : -1) * Math.log(1 - r());
    x[i] = z / (1 + Math.exp(-z));
  }
  return x;
}

/** Mean squared error of INT8 asymmetric quantization of `x` clipped at threshold t (as quantizeModel does it). */
function asymmetricError(x: Float32Array, s: TensorStats, t: number): number {
  const lo = Math.min(0, Math.max(s.min, -t));
  const hi = Math.max(0, Math.min(s.max, t));
  const scale = (hi - lo) / 255;
  const zp = Math.round(-128 - lo / scale);
  let err = 0;
  for (const v of x) {
    const q = Math.max(-128, Math.min(127, Math.round(v / scale) + zp));
    err += (scale * (q - zp) - v) ** 2;
  }
  return err / x.length;
}

describe('TensorStats.mseThreshold', () => {
  const x = siluValues(200_000);
  const s = new TensorStats();
  s.add(x);

  it('for an asymmetric quantizer keeps more of a mostly non-negative tensor than for a symmetric one', () => {
    expect(s.min).toBeGreaterThan(-0.3);
    const symmetric = s.mseThreshold(127);
    const asymmetric = s.mseThreshold(127, 255);
    expect(asymmetric).toBeGreaterThan(symmetric);
    expect(asymmetric).toBeLessThanOrEqual(s.absMax);
  });

  it("gives the asymmetric quantizer a lower error than the symmetric search's threshold would", () => {
    const mine = asymmetricError(x, s, s.threshold('mse', 127, 255));
    const borrowed = asymmetricError(x, s, s.threshold('mse', 127));
    expect(mine).toBeLessThan(borrowed);
  });

  it('leaves min/max and percentile calibration as they are', () => {
    expect(s.threshold('minmax', 127, 255)).toBe(s.absMax);
    expect(s.threshold('percentile', 127, 255)).toBe(s.threshold('percentile', 127));
  });
});
