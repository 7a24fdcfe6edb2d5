/**
 * The requantization modes besides rhaz, with test vectors computed independently (numpy float32 for ort, a
 * Python transcription of TFLite's MultiplyByQuantizedMultiplier for gemmlowp): ties, accumulators above
 * 2^24 whose float32 conversion changes the result, and the golden layer loop taking the layer's mode.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOnnxModel } from '../../src/nets/onnx-import.js';
import { calibrationDigits } from '../../src/quant/mnist.js';
import { readQuantFile, writeQuantFile } from '../../src/quant/store.js';
import { projectRoot } from '../../src/util/paths.js';
import { collectStats, multiplierShift, quantizeModel } from '../../src/quant/quantize.js';
import { channelStages, requantize, requantizeInto } from '../../src/quant/requant.js';
import {
  ortFactor,
  quantizeOrt,
  requantizeGemmlowp,
  requantizeOrt,
  roundHalfEven,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../../src/quant/requant-modes.js';

describe('requantization mode ort (onnxruntime MlasRequantizeOutput)', () => {
  it('rounds half to even', () => {
    expect([2.5, 3.5, -2.5, -3.5, 1.5, 0.4999999999999999, 2.5000001].map(roundHalfEven)).toEqual([
      2, 4, -2, -4, 2, 0, 3,
    ]);
    // x * 0.5 at ties: 5 -> 2 where rhaz gives 3, -5 -> -2 where rhaz gives -3, 7 -> 4.
    const r = (x: number) => requantizeOrt(x, 0.5, false, 0, -128, 127);
    expect([5, -5, 7, -7, 3].map(r)).toEqual([2, -2, 4, -4, 2]);
    expect(requantize(5, 0, { mult: 1, shift: 1, relu: false, zeroPoint: 0, bits: 8 })).toBe(3);
    expect(
      requantize(5, 0, { mult: 1, shift: 1, relu: false, zeroPoint: 0, bits: 8, mode: 'ort', ortFactor: 0.5 }),
    ).toBe(2);
  });

  it('converts accumulators above 2^24 to float32 first (numpy float32 vectors; the exact product rounds the other way)', () => {
    // [acc + bias, float32 factor, numpy's rint(float32(float32(x) * f)), exact round half away from zero]
    const vectors: [number, number, number, number][] = [
      [1750760247, 0x13eea8a * 2 ** -50, 32, 33],
      [-1130655960, 0x1396382 * 2 ** -48, -82, -83],
      [452110488, 0x1d89dae * 2 ** -47, 100, 99],
      [1220945189, 0x1d3dc02 * 2 ** -49, 66, 67],
      [1118877426, 0x168d506 * 2 ** -50, 24, 23],
      [-738563130, 0x162bbc0 * 2 ** -49, -30, -31],
    ];
    for (const [x, f, ort, exact] of vectors) {
      expect(Math.fround(f), 'the factor is a float32 value').toBe(f);
      expect(requantizeOrt(x, f, false, 0, -128, 127), `${x} * ${f}`).toBe(ort);
      const { mult, shift } = multiplierShift(f);
      expect(requantize(x, 0, { mult, shift, relu: false, zeroPoint: 0, bits: 8 }), `rhaz ${x}`).toBe(exact);
    }
  });

  it('rounds the float32 product before rounding to an integer (products that become ties)', () => {
    // float32(x) * f rounds to k + 0.5 exactly in float32 although the exact product is not a tie.
    const vectors: [number, number, number][] = [
      [300194, 0x1c298a8 * 2 ** -37, 64],
      [640596, 0x1561b66 * 2 ** -37, 104],
      [541962, 0x179481a * 2 ** -37, 98],
      [697000, 0x13769de * 2 ** -37, 104],
    ];
    for (const [x, f, want] of vectors) expect(requantizeOrt(x, f, false, 0, -128, 127), `${x} * ${f}`).toBe(want);
  });

  it('applies ReLU before the zero point and saturates after it', () => {
    expect(requantizeOrt(-100, 0.25, true, 3, -128, 127)).toBe(3);
    expect(requantizeOrt(-100, 0.25, false, 3, -128, 127)).toBe(-22);
    expect(requantizeOrt(1e6, 0.25, false, 3, -128, 127)).toBe(127);
    expect(requantizeOrt(-1e6, 0.25, false, 3, -128, 127)).toBe(-128);
  });

  it('computes the factor as fround(fround(x_scale * w_scale) / y_scale)', () => {
    const [xs, ws, ys] = [Math.fround(0.0123), Math.fround(0.00471), Math.fround(0.0377)];
    const f = ortFactor(xs, ws, ys);
    expect(f).toBe(Math.fround(Math.fround(xs * ws) / ys));
    expect(Math.fround(f)).toBe(f);
  });

  it('quantizes floats as QuantizeLinear: float32 quotient, half to even (numpy vectors at float32 ties)', () => {
    const vectors: [number, number, number][] = [
      [-0x12a9e62 * 2 ** -25, 0x1e879ac * 2 ** -33, -156],
      [0x1031596 * 2 ** -24, 0x10561b2 * 2 ** -33, 508],
      [0x163d394 * 2 ** -23, 0x1516050 * 2 ** -29, 68],
      [0x1fb0caa * 2 ** -24, 0x1e0c20c * 2 ** -30, 68],
    ];
    for (const [v, s, want] of vectors) expect(quantizeOrt(v, s, 0, -32768, 32767), `${v} / ${s}`).toBe(want);
    expect(quantizeOrt(2.5, 1, 0, -128, 127)).toBe(2);
    expect(quantizeOrt(1000, 1, 4, -128, 127)).toBe(127);
  });
});

describe('requantization mode gemmlowp (TFLite MultiplyByQuantizedMultiplier)', () => {
  it('SaturatingRoundingDoublingHighMul and RoundingDivideByPOT as gemmlowp defines them', () => {
    expect(saturatingRoundingDoublingHighMul(2n ** 30n, 2n ** 30n)).toBe(2n ** 29n);
    expect(saturatingRoundingDoublingHighMul(-(2n ** 31n), -(2n ** 31n))).toBe(2n ** 31n - 1n);
    // -5 * 2^30 / 2^31 = -2.5: the nudge 1 - 2^30 and truncation give -2.
    expect(saturatingRoundingDoublingHighMul(-5n, 2n ** 30n)).toBe(-2n);
    expect(saturatingRoundingDoublingHighMul(5n, 2n ** 30n)).toBe(3n);
    expect([5n, -5n, 6n, -6n, 7n, -7n].map((x) => roundingDivideByPOT(x, 1))).toEqual([3n, -3n, 3n, -3n, 4n, -4n]);
    expect([-6n, 6n, -5n, 5n].map((x) => roundingDivideByPOT(x, 2))).toEqual([-2n, 2n, -1n, 1n]);
  });

  it('equals the TFLite transcription on its vectors, including where its double rounding differs from rhaz', () => {
    // [x, Q31 multiplier, mactile shift (31 - TFLite's exponent), TFLite's result]
    const vectors: [number, number, number, number][] = [
      [1000, 1690499128, 37, 12],
      [-1000, 1690499128, 37, -12],
      [5, 1073741824, 31, 3],
      [-5, 1073741824, 31, -2],
      [6, 1073741824, 32, 2],
      [-6, 1073741824, 32, -2],
      [51, 1825361101, 30, 87],
      [166667, 1649267442, 39, 500],
      [-166667, 1649267442, 39, -500],
      [3497, 1532634445, 38, 20],
      [167, 1321899790, 32, 52],
      [-67, 1078427631, 33, -9],
      [-187, 1525835388, 32, -67],
    ];
    for (const [x, mult, shift, want] of vectors) {
      expect(requantizeGemmlowp(x, mult, shift, false, 0, -32768, 32767), `${x} ${mult} ${shift}`).toBe(want);
    }
    // The same quantized multipliers from mactile's own approximation of the factor.
    expect(multiplierShift(0.0123)).toEqual({ mult: 1690499128, shift: 37 });
    expect(multiplierShift(1.7)).toEqual({ mult: 1825361101, shift: 30 });
    // rhaz on the last four: single rounding gives one less in magnitude.
    expect(requantize(3497, 0, { mult: 1532634445, shift: 38, relu: false, zeroPoint: 0, bits: 8 })).toBe(19);
  });
});

describe('the golden layer loop', () => {
  it('requantizes each output channel in the layer mode (three modes, three answers)', () => {
    // Channel 0 scales by 0.5, channel 1 by 2^-22; pixels [5, 39845887], [-5, -39845887], [7, 5 * 2^21].
    const acc = Float64Array.from([5, 39845887, -5, -39845887, 7, 10485760]);
    const layer = {
      bias: [0n, 0n],
      mult: [2 ** 30, 2 ** 30],
      shift: [31, 52],
      relu: false,
      outZeroPoint: 0,
      bits: 8 as const,
    };
    const run = (extra: object) => {
      const out = new Int16Array(6);
      requantizeInto(acc, 6, channelStages({ ...layer, ...extra }), out);
      return [...out];
    };
    // ort: 2.5 -> 2; float32(39845887) = 39845888 -> 9.5 -> 10; -9.5 -> -10; 2.5 -> 2.
    expect(run({ requant: 'ort', ortFactor: [0.5, 2 ** -22] })).toEqual([2, 10, -2, -10, 4, 2]);
    // gemmlowp: -2.5 -> -2 (its nudge), 9.4999998 -> 10 and -9.4999998 -> -9 (double rounding).
    expect(run({ requant: 'gemmlowp' })).toEqual([3, 10, -2, -9, 4, 3]);
    // rhaz: exact products, half away from zero.
    expect(run({})).toEqual([3, 9, -3, -9, 4, 3]);
    expect(() => channelStages({ ...layer, requant: 'ort' })).toThrow(/mode ort needs 2 float32 factors/);
  });
});

describe('the mode in the quantized model file', () => {
  it('a model quantized in mode ort reads back with its mode and float32 factors; a factor that is not float32 is refused', () => {
    const m = loadOnnxModel(join(projectRoot(), 'models', 'lenet5.onnx'));
    const stats = collectStats(
      m,
      calibrationDigits(10).map((d) => d.pixels),
    );
    const qm = quantizeModel(m, stats, {
      bits: 8,
      calibration: 'minmax',
      granularity: 'channel',
      symmetric: true,
      requant: 'ort',
    });
    const l = Object.values(qm.layers)[0]!;
    expect(l.requant).toBe('ort');
    expect(l.ortFactor!.every((f) => Math.fround(f) === f)).toBe(true);
    expect(Object.values(qm.tensors).every((t) => Math.fround(t.scale) === t.scale)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'mactile-requant-'));
    const file = join(dir, 'q.json');
    writeQuantFile(file, { version: 1, source: 'lenet5', data: 'mnist', models: { int8: qm } });
    const back = readQuantFile(file).models.int8!;
    expect(back.options.requant).toBe('ort');
    expect(back.layers).toEqual(qm.layers);
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    const first = Object.keys(raw.models.int8.layers)[0]!;
    raw.models.int8.layers[first].ortFactor[0] = 0.1;
    writeFileSync(file, JSON.stringify(raw));
    expect(() => readQuantFile(file)).toThrow(
      `models.int8.layers.${first}.ortFactor[0]: expected a float32 value (onnxruntime's factor is one), received 0.1`,
    );
    raw.models.int8.layers[first].ortFactor[0] = 0.5;
    delete raw.models.int8.layers[first].requant;
    writeFileSync(file, JSON.stringify(raw));
    expect(() => readQuantFile(file)).toThrow(
      `models.int8.layers.${first}.requant: expected ort (the model's options.requant), received rhaz`,
    );
  });
});
