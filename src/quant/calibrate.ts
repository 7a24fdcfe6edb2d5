/**
 * Activation calibration: statistics of every tensor over calibration inputs (min, max and a histogram of
 * magnitudes), and the clipping threshold each method picks: `minmax` (the largest magnitude),
 * `percentile` (99.99 % of magnitudes) or `mse` (the threshold minimising the mean squared quantization
 * error over the histogram, a TensorRT-style error-minimising search).
 */
export type CalibrationMethod = 'minmax' | 'percentile' | 'mse';
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['minmax', 'percentile', 'mse'];

const BINS = 2048;

/** Running statistics of one tensor. */
export class TensorStats {
  min = Infinity;
  max = -Infinity;
  absMax = 0;
  /** Histogram of |x| over [0, histMax), rebuilt when a larger value arrives. */
  hist = new Float64Array(BINS);
  histMax = 0;
  count = 0;

  /** Adds the values of one run. */
  add(x: Float32Array): void {
    let lo = this.min;
    let hi = this.max;
    let am = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      const a = v < 0 ? -v : v;
      if (a > am) am = a;
    }
    this.min = lo;
    this.max = hi;
    if (am > this.histMax) this.rescale(am);
    this.absMax = Math.max(this.absMax, am);
    const k = this.histMax > 0 ? BINS / this.histMax : 0;
    for (let i = 0; i < x.length; i++) {
      const a = Math.abs(x[i]!);
      this.hist[Math.min(BINS - 1, Math.floor(a * k))]! += 1;
    }
    this.count += x.length;
  }

  private rescale(newMax: number): void {
    const target = newMax * 1.25;
    if (this.histMax > 0) {
      const old = this.hist;
      this.hist = new Float64Array(BINS);
      const ratio = this.histMax / target;
      for (let b = 0; b < BINS; b++)
        if (old[b]) this.hist[Math.min(BINS - 1, Math.floor((b + 0.5) * ratio))]! += old[b]!;
    }
    this.histMax = target;
  }

  /** The magnitude below which a fraction `p` of the values lie. */
  percentile(p: number): number {
    const goal = p * this.count;
    let acc = 0;
    for (let b = 0; b < BINS; b++) {
      acc += this.hist[b]!;
      if (acc >= goal) return Math.min(this.absMax, ((b + 1) * this.histMax) / BINS);
    }
    return this.absMax;
  }

  /**
   * The threshold t in (0, absMax] minimising the squared quantization error: symmetric, `levels` steps on
   * each side of zero; asymmetric (`steps` given), that many steps across [max(min, -t), min(max, t)], so a
   * tensor that is mostly of one sign gets the finer step it will have.
   */
  mseThreshold(levels: number, steps?: number): number {
    if (this.absMax === 0) return 0;
    const width = this.histMax / BINS;
    let best = this.absMax;
    let bestErr = Infinity;
    for (let i = 1; i <= 100; i++) {
      const t = (this.absMax * i) / 100;
      // The asymmetric range always holds zero, as activationQuant's does.
      const range = Math.max(0, Math.min(this.max, t)) - Math.min(0, Math.max(this.min, -t));
      const step = steps === undefined ? t / levels : range / steps;
      let err = 0;
      for (let b = 0; b < BINS; b++) {
        const n = this.hist[b]!;
        if (!n) continue;
        const v = (b + 0.5) * width;
        const e = v > t ? v - t : v - Math.round(v / step) * step;
        err += n * e * e;
      }
      if (err < bestErr) {
        bestErr = err;
        best = t;
      }
    }
    return best;
  }

  /** The clipping threshold (largest magnitude kept) a calibration method picks (`steps`: asymmetric, as mseThreshold). */
  threshold(method: CalibrationMethod, levels: number, steps?: number): number {
    if (method === 'minmax') return this.absMax;
    if (method === 'percentile') return this.percentile(0.9999);
    return this.mseThreshold(levels, steps);
  }
}
