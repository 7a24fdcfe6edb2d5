/**
 * The shipped models: the float executor agrees with onnxruntime-node on real digits, LeNet-5 reaches the
 * accuracy the study promises, and a whole INT8/INT16 inference through the RTL gives the golden logits.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadOnnxModel } from '../../src/nets/onnx-import.js';
import { outputOf, runFloat } from '../../src/quant/float-exec.js';
import { calibrationDigits, mnistSplit } from '../../src/quant/mnist.js';
import { collectStats, quantizeModel } from '../../src/quant/quantize.js';
import { simulateQuantized } from '../../src/sim/run-quantized.js';
import { projectRoot } from '../../src/util/paths.js';
import { runCliInProcess } from '../helpers/cli.js';
import { systolic } from '../helpers/configs.js';

const models = join(projectRoot(), 'models');
const shipped = readdirSync(models).filter((f) => f.endsWith('.onnx'));

describe('shipped models', () => {
  it('include LeNet-5, AlexNet-style and EfficientNet-B0-style MNIST models', () => {
    expect(shipped).toEqual(
      expect.arrayContaining(['lenet5.onnx', 'alexnet_mnist.onnx', 'efficientnet_b0_mnist.onnx']),
    );
  });

  it.each(shipped)(
    '%s: the float executor matches onnxruntime-node (max |diff| < 1e-4 of the logit range)',
    async (file) => {
      const m = loadOnnxModel(join(models, file));
      const session = await ort.InferenceSession.create(join(models, file));
      for (const d of mnistSplit().test.filter((_, i) => i % 400 === 0)) {
        const ours = outputOf(m, runFloat(m, d.pixels));
        const res = await session.run({
          [session.inputNames[0]!]: new ort.Tensor('float32', d.pixels, [1, 1, 32, 32]),
        });
        const theirs = res[session.outputNames[0]!]!.data as Float32Array;
        const range = Math.max(...theirs) - Math.min(...theirs);
        let diff = 0;
        for (let i = 0; i < theirs.length; i++) diff = Math.max(diff, Math.abs(ours[i]! - theirs[i]!));
        expect(diff / range, `${file}, digit ${d.index} of class ${d.label}`).toBeLessThan(1e-4);
      }
    },
  );

  it('LeNet-5: FP32 >= 98.5 %, INT16 within 0.05 points, INT8 within 0.3 points on the 2,000 held-out digits', async () => {
    const r = await runCliInProcess([
      'quantize',
      '--model',
      join(models, 'lenet5.onnx'),
      '--precision',
      'int8,int16',
      '--calibration',
      'mse',
      '--format',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.data).toMatchObject({ trainDigits: 8000, heldOutDigits: 2000 });
    expect(doc.accuracy.fp32).toBeGreaterThanOrEqual(98.5);
    expect(Math.abs(doc.accuracy.int16 - doc.accuracy.fp32)).toBeLessThanOrEqual(0.05);
    expect(doc.accuracy.fp32 - doc.accuracy.int8).toBeLessThanOrEqual(0.3);
    expect(doc.layers.map((l: { kind: string }) => l.kind)).toEqual(['conv', 'conv', 'fc', 'fc', 'fc']);
    for (const l of doc.layers) expect(l.sqnrDb.int8).toBeGreaterThan(20);
  }, 300_000);

  it('a whole LeNet-5 inference of a real digit through the RTL gives the golden logits (systolic and NVDLA-style, INT8 and INT16)', async () => {
    const m = loadOnnxModel(join(models, 'lenet5.onnx'));
    const stats = collectStats(
      m,
      calibrationDigits(200).map((d) => d.pixels),
    );
    const q8 = quantizeModel(m, stats, { bits: 8, calibration: 'mse', granularity: 'channel', symmetric: true });
    const q16 = quantizeModel(m, stats, { bits: 16, calibration: 'minmax', granularity: 'channel', symmetric: true });
    const digit = mnistSplit().test[1234]!;
    for (const [qm, cfg] of [
      [q8, systolic(8, 8, 'os')],
      [q8, loadConfig('nv_small')],
      [q16, systolic(4, 4, 'ws', 'pipelined', 'int16')],
      [q16, loadConfig('nv_full_int16')],
    ] as const) {
      const r = await simulateQuantized(qm, cfg, [digit]);
      expect(r.layers).toHaveLength(5);
      for (const l of r.layers) {
        expect(l.outputsChecked, `${cfg.name} ${l.name}`).toBe(l.outputsExpected);
        expect([l.bitExact, l.cycleExact], `${cfg.name} ${l.name}`).toEqual([true, true]);
      }
      expect(r.logits).toEqual(r.goldenLogits);
      expect(r.logitsIdentical).toBe(true);
      expect(r.predicted).toBe(digit.label);
    }
  }, 600_000);
});

describe('quantize and sim --quantized from the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mactile-q-'));
  /** `quantize` of LeNet-5 at INT8 on 200 held-out digits with extra options, written to `file`: its INT8 model. */
  async function quantized(file: string, ...extra: string[]) {
    const q = join(dir, file);
    const args = ['--precision', 'int8', '--test-images', '200', '--out', q, ...extra];
    const r = await runCliInProcess(['quantize', '--model', join(models, 'lenet5.onnx'), ...args]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(q)).toBe(true);
    const model = JSON.parse(readFileSync(q, 'utf8')).models.int8;
    const zeroPoints = Object.values(model.tensors as Record<string, { zeroPoint: number }>).map((t) => t.zeroPoint);
    return { q, model, zeroPoints, stdout: r.stdout };
  }

  it('quantizes activations asymmetrically by default; --symmetric gives zero points of 0, --asymmetric the default', async () => {
    const byDefault = await quantized('lenet5-default.json');
    expect(byDefault.stdout).toMatch(/not held out, asymmetric activations;/);
    expect(byDefault.model.options.symmetric).toBe(false);
    // After a fused ReLU a tensor holds no negative value: its zero point is the bottom of the range.
    expect(byDefault.zeroPoints).toContain(-128);
    const sym = await quantized('lenet5-sym.json', '--symmetric');
    expect(sym.stdout).toMatch(/not held out, symmetric activations;/);
    expect(sym.model.options.symmetric).toBe(true);
    expect(new Set(sym.zeroPoints)).toEqual(new Set([0]));
    const asym = await quantized('lenet5-asym.json', '--asymmetric');
    expect(asym.model).toEqual(byDefault.model);
  }, 300_000);

  it('writes a quantized model (asymmetric activations) that sim --quantized runs through the RTL', async () => {
    const { q, zeroPoints } = await quantized('lenet5-q.json');
    expect(zeroPoints.some((z) => z !== 0)).toBe(true);
    // The input zero point is folded into the bias, the output zero point added by the output stage (both cores).
    for (const config of ['sa-8x8-ws', 'nv_small']) {
      const s = await runCliInProcess([
        'sim',
        '--quantized',
        q,
        '--image',
        '7',
        '--config',
        config,
        '--format',
        'json',
      ]);
      expect(s.code, s.stderr).toBe(0);
      const doc = JSON.parse(s.stdout);
      expect(doc.logitsIdentical, config).toBe(true);
      expect(doc.logits).toHaveLength(10);
      const exact = doc.layers.every((l: { bitExact: boolean; cycleExact: boolean }) => l.bitExact && l.cycleExact);
      expect(exact, config).toBe(true);
    }
    const wrong = await runCliInProcess(['sim', '--quantized', q, '--config', 'sa-8x8-ws', '--precision', 'int16']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/expected a int16 model for config sa-8x8-ws, the file holds int8/);
  }, 300_000);

  it.each([
    [
      ['quantize', '--model', 'models/lenet5.onnx', '--precision', 'int4'],
      /--precision: expected int8 \| int16 .*received "int4"/,
    ],
    [
      ['quantize', '--model', 'models/lenet5.onnx', '--data', 'cifar10'],
      /--data: expected mnist, idx:IMAGES,LABELS, .*received "cifar10"/,
    ],
    [
      ['quantize', '--model', 'models/lenet5.onnx', '--calibration', 'kl'],
      /--calibration: expected minmax \| percentile \| mse .*received "kl"/,
    ],
    [['quantize', '--model', 'models/absent.onnx'], /ONNX model models\/absent\.onnx: cannot read it \(ENOENT\)/],
    [
      ['quantize', '--model', 'models/lenet5.onnx', '--symmetric', '--asymmetric'],
      /--symmetric, --asymmetric: expected at most one of them, received both/,
    ],
    [
      ['sim', '--quantized', 'models/lenet5.onnx', '--config', 'sa-8x8-os'],
      /--quantized models\/lenet5\.onnx: expected a quantized model .*received a float ONNX model; quantize it first/,
    ],
    [
      ['report', '--net', 'lenet5', '--model', 'models/lenet5.onnx', '--configs', 'sa-8x8-os', '--image', '2000'],
      /--image: expected a held-out digit from 0 to 1999, received 2000/,
    ],
  ])('rejects %j', async (args, message) => {
    const r = await runCliInProcess(args as string[]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
