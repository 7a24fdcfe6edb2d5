/**
 * Quantized ONNX models in: mactile's own export reads back as the same model; a QDQ model as onnxruntime's
 * quantizer writes it (uint8 activations with zero points, per-axis int8 weights, int32 biases, a ReLU folded
 * into its QuantizeLinear, a Gemm) imports with its scales as given and equals onnxruntime bit for bit;
 * unsupported operators and bad scales or zero points are refused naming the node or the tensor; `quantize`
 * evaluates such a model as it is and `sim --quantized` refuses mode ort for the RTL.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadOnnxModel } from '../../src/nets/onnx-import.js';
import { importQdqOnnx } from '../../src/nets/qdq-import.js';
import { dequantize, runQuant } from '../../src/quant/int-exec.js';
import { exportQdqOnnx } from '../../src/quant/onnx-export.js';
import { collectStats, quantizeModel, type QuantOptions } from '../../src/quant/quantize.js';
import { rng } from '../../src/quant/random.js';
import { projectRoot } from '../../src/util/paths.js';
import { asRhaz, simulateQuantized } from '../../src/sim/run-quantized.js';
import { calibrationDigits, mnistSplit } from '../../src/quant/mnist.js';
import { runCliInProcess } from '../helpers/cli.js';
import { systolic } from '../helpers/configs.js';
import { OnnxGraphBuilder } from '../helpers/onnx-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-qdq-'));
const models = join(projectRoot(), 'models');

function saved(name: string, bytes: Uint8Array): string {
  const f = join(dir, name);
  writeFileSync(f, bytes);
  return f;
}

describe('QDQ import', () => {
  it.each([
    ['lenet5.onnx', { symmetric: true, granularity: 'channel' as const }],
    ['lenet5.onnx', { symmetric: false, granularity: 'tensor' as const }],
    ['efficientnet_b0_mnist.onnx', { symmetric: false, granularity: 'channel' as const }],
  ])('%s %j: export then import gives the same model', (file, o) => {
    const m = loadOnnxModel(join(models, file));
    const stats = collectStats(
      m,
      calibrationDigits(20).map((d) => d.pixels),
    );
    const opts: QuantOptions = { bits: 8, calibration: 'minmax', requant: 'ort', ...o };
    const qm = quantizeModel(m, stats, opts);
    const back = importQdqOnnx(saved(`rt-${file}`, exportQdqOnnx(qm)));
    expect(back.net.layers).toEqual(qm.net.layers);
    expect(back.tensors).toEqual(qm.tensors);
    expect(back.layers).toEqual(qm.layers);
    expect(back.fused).toEqual(qm.fused);
    expect(back.hostModes).toEqual(qm.hostModes);
    // Granularity as the file shows it: per-tensor weights are written as one scale per channel.
    expect(back.options).toEqual({ ...opts, calibration: 'given', granularity: 'channel' });
  });

  /** A QDQ model as onnxruntime's quantizer writes one: uint8 activations, per-axis int8 weights, int32 biases. */
  function quantizerStyle(): { bytes: Uint8Array; out: string } {
    const r = rng(11);
    const g = new OnnxGraphBuilder(3);
    const sc = (v: number) => g.typed([], 1, [v]);
    const u8 = (v: number) => g.typed([], 2, [v]);
    const ints = (n: number, lo: number, hi: number) =>
      Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
    const xq = g.node('QuantizeLinear', ['input', sc(0.02), u8(128)]);
    const x = g.node('DequantizeLinear', [xq, sc(0.02), u8(128)]);
    // Conv 4 filters 3x3 over 2 channels, per-axis weight scales.
    const wScale = g.typed([4], 1, [0.011, 0.007, 0.013, 0.009]);
    const w = g.node(
      'DequantizeLinear',
      [g.typed([4, 2, 3, 3], 3, ints(72, -127, 127)), wScale, g.typed([4], 3, [0, 0, 0, 0])],
      { axis: 0 },
    );
    const b = g.node(
      'DequantizeLinear',
      [
        g.typed([4], 6, ints(4, -3000, 3000)),
        g.typed([4], 1, [0.02 * 0.011, 0.02 * 0.007, 0.02 * 0.013, 0.02 * 0.009]),
        g.typed([4], 6, [0, 0, 0, 0]),
      ],
      { axis: 0 },
    );
    const conv = g.node('Conv', [x, w, b], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    const relu = g.node('Relu', [conv]);
    const yq = g.node('QuantizeLinear', [relu, sc(0.05), u8(0)]);
    const pooled = g.node('MaxPool', [yq], { kernel_shape: [2, 2], strides: [2, 2] });
    const flat = g.node('Flatten', [pooled], { axis: 1 });
    const fx = g.node('DequantizeLinear', [flat, sc(0.05), u8(0)]);
    const fw = g.node('DequantizeLinear', [g.typed([3, 64], 3, ints(192, -127, 127)), sc(0.004), g.typed([], 3, [0])]);
    const fb = g.node('DequantizeLinear', [g.typed([3], 6, ints(3, -500, 500)), sc(0.05 * 0.004), g.typed([], 6, [0])]);
    const gemm = g.node('Gemm', [fx, fw, fb], { transB: 1 });
    const oq = g.node('QuantizeLinear', [gemm, sc(0.1), u8(120)]);
    const out = g.node('DequantizeLinear', [oq, sc(0.1), u8(120)]);
    return { bytes: g.build(['N', 2, 8, 8], out, [32, 3]), out };
  }

  it("a model written as onnxruntime's quantizer writes it imports with its scales and equals onnxruntime bit for bit", async () => {
    const { bytes } = quantizerStyle();
    const qm = importQdqOnnx(saved('quantizer-style.onnx', bytes));
    expect(qm.net.layers.map((l) => l.kind)).toEqual(['conv', 'relu', 'maxpool', 'flatten', 'fc']);
    expect(qm.options).toMatchObject({
      requant: 'ort',
      granularity: 'channel',
      symmetric: false,
      calibration: 'given',
    });
    // uint8 zero point 128 is int8 zero point 0; the scales are the file's float32 values.
    expect(qm.tensors.input).toEqual({ scale: Math.fround(0.02), zeroPoint: 0 });
    const conv = qm.layers[qm.net.layers[0]!.name]!;
    expect(conv.weightScale).toEqual([0.011, 0.007, 0.013, 0.009].map(Math.fround));
    expect(conv.relu).toBe(true);
    const n = 32;
    const r = rng(4);
    const images = Array.from({ length: n }, () => Float32Array.from({ length: 128 }, () => (r() * 2 - 1) * 2.4));
    const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    const px = new Float32Array(n * 128);
    // NCHW in onnxruntime; mactile reads NHWC.
    images.forEach((im, i) => px.set(im, i * 128));
    const res = await s.run({ input: new ort.Tensor('float32', px, [n, 2, 8, 8]) });
    const theirs = res[s.outputNames[0]!]!.data as Float32Array;
    images.forEach((im, i) => {
      const nhwc = new Float32Array(128);
      for (let c = 0; c < 2; c++) for (let p = 0; p < 64; p++) nhwc[p * 2 + c] = im[c * 64 + p]!;
      const run = runQuant(qm, nhwc);
      const ours = dequantize(run.tensors.get(run.outputName)!, qm.tensors[run.outputName]!);
      expect([...ours], `image ${i}`).toEqual([...theirs.subarray(i * 3, i * 3 + 3)]);
    });
  });

  it('QLinearMatMul (per-column weight scales, no bias) equals onnxruntime bit for bit', async () => {
    const r = rng(8);
    const g = new OnnxGraphBuilder(2);
    const [k, n] = [40, 5];
    const xs = g.typed([], 1, [0.03]);
    const xz = g.typed([], 3, [-7]);
    const q = g.node('QuantizeLinear', ['input', xs, xz]);
    const b = g.typed(
      [k, n],
      3,
      Array.from({ length: k * n }, () => Math.round((r() * 2 - 1) * 127)),
    );
    const bs = g.typed([n], 1, [0.01, 0.02, 0.005, 0.013, 0.008]);
    const bz = g.typed([n], 3, [0, 0, 0, 0, 0]);
    const ys = g.typed([], 1, [0.2]);
    const yz = g.typed([], 3, [4]);
    const y = g.node('QLinearMatMul', [q, xs, xz, b, bs, bz, ys, yz]);
    const out = g.node('DequantizeLinear', [y, ys, yz]);
    const bytes = g.build(['N', k], out, [64, n]);
    const qm = importQdqOnnx(saved('qlinearmatmul.onnx', bytes), { inputShape: { h: 1, w: 1, c: k } });
    expect(qm.net.layers.map((l) => l.kind)).toEqual(['fc']);
    const images = 64;
    const px = Float32Array.from({ length: images * k }, () => (r() * 2 - 1) * 3.5);
    const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    const theirs = (await s.run({ input: new ort.Tensor('float32', px, [images, k]) }))[s.outputNames[0]!]!
      .data as Float32Array;
    for (let i = 0; i < images; i++) {
      const run = runQuant(qm, px.subarray(i * k, (i + 1) * k));
      const ours = dequantize(run.tensors.get(run.outputName)!, qm.tensors[run.outputName]!);
      expect([...ours], `input ${i}`).toEqual([...theirs.subarray(i * n, (i + 1) * n)]);
    }
  });

  it('refuses unsupported quantized operators naming the node and the operator', () => {
    const g = new OnnxGraphBuilder(1);
    const s = g.typed([], 1, [0.1]);
    const z = g.typed([], 3, [0]);
    const q = g.node('QuantizeLinear', ['input', s, z]);
    const out = g.node('QLinearAveragePool', [q, s, z, s, z], { kernel_shape: [2, 2] });
    const f = saved('unsupported.onnx', g.build([1, 1, 4, 4], out));
    expect(() => importQdqOnnx(f)).toThrow(
      /node qlinearaveragepool_\d+ \(QLinearAveragePool\): unsupported operator QLinearAveragePool/,
    );
  });

  it.each([
    ['a zero scale', 1, [0], 3, [0], /scale c\d+: expected positive finite values, received 0/],
    ['a NaN scale', 1, [NaN], 3, [0], /scale c\d+: expected positive finite values, received NaN/],
    [
      'an int8 zero point of 200',
      1,
      [0.1],
      3,
      [200],
      /zero point c\d+: expected whole int8 values from -128 to 127, received 200/,
    ],
    [
      'an int32 zero point',
      1,
      [0.1],
      6,
      [0],
      /zero point c\d+: expected an int8 or uint8 tensor, received ONNX data type 6/,
    ],
  ])('refuses %s naming the tensor', (_what, st, sv, zt, zv, message) => {
    const g = new OnnxGraphBuilder(1);
    const q = g.node('QuantizeLinear', ['input', g.typed([], st, sv), g.typed([], zt, zv)]);
    const f = saved('bad-scale.onnx', g.build([1, 1, 4, 4], q));
    expect(() => importQdqOnnx(f)).toThrow(message);
  });

  it('quantize --model evaluates a QDQ model as it is; sim --quantized refuses mode ort for the RTL', async () => {
    const m = loadOnnxModel(join(models, 'lenet5.onnx'));
    const stats = collectStats(
      m,
      calibrationDigits(50).map((d) => d.pixels),
    );
    const qm = quantizeModel(m, stats, {
      bits: 8,
      calibration: 'minmax',
      granularity: 'channel',
      symmetric: true,
      requant: 'ort',
    });
    const f = saved('lenet-qdq.onnx', exportQdqOnnx(qm));
    const r = await runCliInProcess(['quantize', '--model', f, '--test-images', '200', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.best).toEqual({ int8: { calibration: 'given', granularity: 'channel' } });
    expect(doc.accuracy.int8).toBeGreaterThan(97);
    expect(doc.variants).toHaveLength(1);
    const s = await runCliInProcess(['sim', '--quantized', f, '--config', 'sa-8x8-os', '--precision', 'int8']);
    expect(s.code).not.toBe(0);
    expect(s.stderr).toMatch(
      /requantizes in mode ort \(layer features_features\.0_Conv\), but the RTL output stage of sa-8x8-os computes mode rhaz .*requant: ort, or pass --requant rhaz/,
    );
  }, 60_000);

  it('an imported QDQ model through the RTL in mode rhaz (sim --requant rhaz): refused in mode ort, then every layer bit- and cycle-exact', async () => {
    // The LeNet-5 export, imported, with each layer's nearest integer multiplier (the RTL's output stage).
    const m = loadOnnxModel(join(models, 'lenet5.onnx'));
    const stats = collectStats(
      m,
      calibrationDigits(20).map((d) => d.pixels),
    );
    const qm = quantizeModel(m, stats, {
      bits: 8,
      calibration: 'minmax',
      granularity: 'channel',
      symmetric: false,
      requant: 'ort',
    });
    const imported = importQdqOnnx(saved('lenet-rtl.onnx', exportQdqOnnx(qm)));
    await expect(simulateQuantized(imported, systolic(8, 8, 'os'), [mnistSplit().test[7]!])).rejects.toThrow(
      /mode ort/,
    );
    const r = await simulateQuantized(asRhaz(imported), systolic(8, 8, 'os'), [mnistSplit().test[7]!]);
    expect(r.layers.map((l) => [l.name, l.bitExact, l.cycleExact])).toEqual(
      imported.net.layers.filter((l) => imported.layers[l.name]).map((l) => [l.name, true, true]),
    );
    expect(r.logitsIdentical).toBe(true);
  }, 600_000);
});
