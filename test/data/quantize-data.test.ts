/**
 * `mactile quantize` on data sets made on the fly: MNIST digits written as float64 .npy score exactly as the
 * built-in digits do, uint8 IDX digits through LeNet-5 from the command line, and a CIFAR-like 32x32x3 set
 * (PNG folder, NCHW uint8 .npz, NHWC float32 .npy: the same results) through a tiny 3-channel ONNX model whose
 * class is the brightest colour channel, so channel order and per-channel normalisation decide the accuracy.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quantizeStudy } from '../../src/cli/quantize.js';
import { heldOutImages } from '../../src/data/held-out.js';
import { mnistImages } from '../../src/data/mnist.js';
import { mnistSplit } from '../../src/quant/mnist.js';
import { rng } from '../../src/quant/random.js';
import { macLayers } from '../../src/nets/ir.js';
import { simulateQuantized } from '../../src/sim/run-quantized.js';
import { runCliInProcess } from '../helpers/cli.js';
import { systolic } from '../helpers/configs.js';
import { idxBytes, npyBytes, npzBytes, pngBytes, writeFiles } from '../helpers/datasets.js';
import { OnnxGraphBuilder } from '../helpers/onnx-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-qdata-'));
const study = { precision: 'int8', calibration: 'minmax', granularity: 'channel', format: 'json' };
/** What a study scored: FP32 and every variant's accuracy and per-layer SQNR. */
const scores = (s: ReturnType<typeof quantizeStudy>) => ({
  fp32: s.fp32,
  variants: s.variants.map((v) => ({ accuracy: v.accuracy, layers: v.layers })),
});

describe('MNIST digits from files', () => {
  // Digits 7,900 to 8,099 of the built-in order: 100 training digits, then the first 100 held out.
  const mnist = mnistImages();
  const [first, n] = [7900, 200];
  const f = writeFiles(join(dir, 'mnist'), {
    'x.npy': npyBytes([n, 28, 28], mnist.pixels.slice(first * 784, (first + n) * 784) as Float64Array),
    'y.npy': npyBytes([n], mnist.labels.slice(first, first + n)),
    'images-idx3-ubyte': idxBytes(
      [n, 28, 28],
      Uint8Array.from(mnist.pixels.subarray(first * 784, (first + n) * 784), (v) => Math.round(v * 255)),
    ),
    'labels-idx1-ubyte': idxBytes([n], mnist.labels.subarray(first, first + n)),
  });

  it('the built-in digits as the shipped models were trained: 28x28 padded by 2 zero pixels, (x - 0.1307) / 0.3081', () => {
    const classes = createRequire(import.meta.url)('mnist') as { length: number; get(i: number): number[] }[];
    const { train, test } = mnistSplit();
    expect([train.length, test.length]).toEqual([8000, 2000]);
    for (const d of [train[0]!, train[7999]!, test[0]!, test[1234]!, test[1999]!]) {
      const raw = classes[d.label]!.get(d.index);
      const want = new Float32Array(32 * 32).fill((0 - 0.1307) / 0.3081);
      for (let y = 0; y < 28; y++)
        for (let x = 0; x < 28; x++) want[(y + 2) * 32 + x + 2] = (raw[y * 28 + x]! - 0.1307) / 0.3081;
      expect(d.pixels).toEqual(want);
    }
    expect(test[1999]!.index).toBe(classes[9]!.length - 1);
    // --image N of sim and report: held-out digit N.
    const images = heldOutImages({ data: 'mnist' }, { h: 32, w: 32, c: 1 }, 'm.onnx', 1234, 2);
    expect(images.map((i) => [i.label, i.pixels])).toEqual([1234, 1235].map((n) => [test[n]!.label, test[n]!.pixels]));
  });

  it('float64 .npy digits with MNIST --mean/--std score exactly as the built-in digits (accuracy and SQNR)', () => {
    const builtIn = quantizeStudy({
      ...study,
      model: 'models/lenet5.onnx',
      data: 'mnist',
      calibrationImages: { start: first, end: first + 100 },
      testImages: { start: first + 100, end: first + n },
    });
    const npy = quantizeStudy({
      ...study,
      model: 'models/lenet5.onnx',
      data: `npy:${f['x.npy']},${f['y.npy']}`,
      mean: [0.1307],
      std: [0.3081],
      calibrationImages: { start: 0, end: 100 },
      testImages: { start: 100, end: n },
    });
    expect(npy.test).toBe(100);
    expect(scores(npy)).toEqual(scores(builtIn));
    expect(builtIn.fp32).toBeGreaterThanOrEqual(95);
  }, 60_000);

  it('uint8 IDX digits from the command line: the split and normalisation it used, and a good accuracy', async () => {
    const out = join(dir, 'idx-q.json');
    const r = await runCliInProcess([
      'quantize',
      '--model',
      'models/lenet5.onnx',
      '--data',
      `idx:${f['images-idx3-ubyte']},${f['labels-idx1-ubyte']}`,
      '--mean',
      '0.1307',
      '--std',
      '0.3081',
      '--calibration-images',
      '50',
      '--precision',
      'int8',
      '--calibration',
      'minmax',
      '--format',
      'json',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const spec = `idx:${f['images-idx3-ubyte']},${f['labels-idx1-ubyte']}`;
    expect(doc.data).toEqual({
      name: spec,
      trainDigits: 160,
      heldOutDigits: 40,
      calibrationImages: 50,
      calibration: `50 evenly spaced of the 160 images of ${spec} not held out`,
      test: `the last 40 images of ${spec} (160:200)`,
      input: { h: 32, w: 32, c: 1 },
      mean: [0.1307],
      std: [0.3081],
    });
    expect(doc.accuracy.fp32).toBeGreaterThanOrEqual(95);
    expect(doc.accuracy.fp32 - doc.accuracy.int8).toBeLessThanOrEqual(5);
    // The same data options are needed to run it: the default MNIST held-out digit 40 does not exist here.
    const sim = await runCliInProcess([
      'sim',
      '--quantized',
      out,
      '--config',
      'sa-8x8-ws',
      '--data',
      spec,
      '--image',
      '40',
    ]);
    expect(sim.code).toBe(2);
    expect(sim.stderr).toMatch(/--image: expected a held-out image from 0 to 39, received 40/);
  }, 60_000);
});

describe('a CIFAR-like 32x32x3 data set and a 3-channel model', () => {
  const [N, S] = [30, 32];
  const r = rng(5);
  const labels = Int32Array.from({ length: N }, (_, i) => i % 3);
  // NHWC: the labelled channel bright (150-255), the other two dim (0-120).
  const rgb = new Uint8Array(N * S * S * 3);
  for (let i = 0; i < rgb.length; i++) {
    const bright = i % 3 === labels[Math.floor(i / (S * S * 3))];
    rgb[i] = bright ? 150 + Math.floor(r() * 106) : Math.floor(r() * 121);
  }
  const nchw = new Uint8Array(rgb.length);
  for (let n = 0; n < N; n++)
    for (let p = 0; p < S * S; p++)
      for (let k = 0; k < 3; k++) nchw[(n * 3 + k) * S * S + p] = rgb[(n * S * S + p) * 3 + k]!;
  const files: Record<string, Uint8Array | string> = {
    'rgb.npz': npzBytes({ images: npyBytes([N, 3, S, S], nchw), labels: npyBytes([N], labels) }),
    'x.npy': npyBytes(
      [N, S, S, 3],
      Float32Array.from(rgb, (v) => v / 255),
    ),
    'y.npy': npyBytes([N], labels),
    'labels.csv': `filename,label\n${[...labels].map((l, n) => `img${n}.png,${l}`).join('\n')}\n`,
  };
  for (let n = 0; n < N; n++)
    files[`img${n}.png`] = pngBytes(S, S, 3, rgb.subarray(n * S * S * 3, (n + 1) * S * S * 3));
  const f = writeFiles(dir, files);
  // Conv 3->4 (3x3, centre tap: output channel k = input channel k, channel 3 = 0), ReLU, global average, FC 4->3.
  const g = new OnnxGraphBuilder(9);
  const w = new Array(4 * 3 * 9).fill(0);
  for (let k = 0; k < 3; k++) w[(k * 3 + k) * 9 + 4] = 1;
  let x = g.node('Conv', ['input', g.tensor([4, 3, 3, 3], w), g.tensor([4], [0, 0, 0, 0])], { pads: [1, 1, 1, 1] });
  x = g.node('Relu', [x]);
  x = g.node('GlobalAveragePool', [x]);
  x = g.node('Flatten', [x]);
  x = g.node('Gemm', [x, g.tensor([3, 4], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]), g.tensor([3], [0, 0, 0])], {
    transB: 1,
  });
  const model = join(dir, 'rgb.onnx');
  writeFileSync(model, g.build([1, 3, S, S], x, [1, 3]));

  it('PNG folder, NCHW uint8 .npz and NHWC float32 .npy give the same scores, all images right', () => {
    const runs = [`images:${dir}`, `npz:${f['rgb.npz']}`, `npy:${f['x.npy']},${f['y.npy']}`].map((data) =>
      quantizeStudy({ ...study, model, data }),
    );
    expect(runs[0]!.test).toBe(6);
    expect(runs[0]!.split.test.shape).toEqual({ h: 32, w: 32, c: 3 });
    expect(runs[0]!.fp32).toBe(100);
    expect(runs[0]!.variants[0]!.accuracy).toBe(100);
    expect(scores(runs[1]!)).toEqual(scores(runs[0]!));
    expect(scores(runs[2]!)).toEqual(scores(runs[0]!));
  }, 60_000);

  it('a 3-channel inference through the RTL (the 8x8 output-stationary array models.test builds) gives the golden logits', async () => {
    const data = `npz:${f['rgb.npz']}`;
    const qm = quantizeStudy({ ...study, model, data }).best.int8!.model;
    const images = heldOutImages({ data }, { h: S, w: S, c: 3 }, model, 1, 1);
    expect(images[0]!.label).toBe(labels[N - 6 + 1]);
    const r = await simulateQuantized(qm, systolic(8, 8, 'os'), images);
    expect(r.layers.map((l) => [l.name, l.bitExact, l.cycleExact])).toEqual(
      macLayers(qm.net).map((l) => [l.name, true, true]),
    );
    expect(r.logits).toEqual(r.goldenLogits);
    expect(r.predicted).toBe(images[0]!.label);
  }, 300_000);

  it('--mean per channel: subtracting 0.9 from red only loses the red test images (2 of 6)', () => {
    const s = quantizeStudy({ ...study, model, data: `npz:${f['rgb.npz']}`, mean: [0.9, 0, 0], std: [1] });
    expect(s.fp32).toBeCloseTo((4 / 6) * 100, 10);
  }, 60_000);

  it('refuses a model whose input the data does not fit, naming both sizes', async () => {
    const r = await runCliInProcess(['quantize', '--model', 'models/lenet5.onnx', '--data', `npz:${f['rgb.npz']}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /rgb\.npz: 32x32x3 images \(HxWxC\), the model models\/lenet5\.onnx takes 32x32x1: the channel counts differ/,
    );
  });
});
