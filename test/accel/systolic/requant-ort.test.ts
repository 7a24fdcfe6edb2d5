/**
 * The systolic array's output stage in requantization mode ort (config key requant: ort, mt_requant_ort): the
 * RTL gives the golden executor's integers, and so onnxruntime's, on a layer at float32 ties and sums above
 * 2^24 and on a whole LeNet-5 inference; a layer in another mode than the array's is refused.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/load.js';
import type { SystolicConfig } from '../../../src/config/schema.js';
import { NetBuilder } from '../../../src/nets/builder.js';
import { loadOnnxModel } from '../../../src/nets/onnx-import.js';
import { calibrationDigits, mnistSplit } from '../../../src/quant/mnist.js';
import { exportQdqOnnx } from '../../../src/quant/onnx-export.js';
import { collectStats, quantizeModel, type QuantModel } from '../../../src/quant/quantize.js';
import { simulateQuantized } from '../../../src/sim/run-quantized.js';
import { projectRoot } from '../../../src/util/paths.js';
import { runOrtBatch } from '../../helpers/ort-qdq.js';

const ortArray = (dataflow: 'os' | 'ws'): SystolicConfig =>
  validateConfig(
    { kind: 'systolic', rows: 8, cols: 8, dataflow, requant: 'ort' },
    `test-8x8-${dataflow}-ort`,
  ) as SystolicConfig;

describe('systolic output stage in mode ort', () => {
  it('a layer whose sums float32 rounds the other way, and ties: RTL = golden = onnxruntime', async () => {
    // acc + bias = the numpy float32 vectors of test/quant/requant-modes.test.ts (an all-zero input), then ties.
    const vectors: [number, number, number][] = [
      [1750760247, 0x13eea8a * 2 ** -50, 32],
      [-1130655960, 0x1396382 * 2 ** -48, -82],
      [452110488, 0x1d89dae * 2 ** -47, 100],
      [1220945189, 0x1d3dc02 * 2 ** -49, 66],
      [1118877426, 0x168d506 * 2 ** -50, 24],
      [-738563130, 0x162bbc0 * 2 ** -49, -30],
      // Ties of the int-to-float32 conversion (x = 2^25 + 4j + 2), numpy: to even, not up.
      [37543562, 0x17e8608 * 2 ** -44, 53],
      [37031970, 0x12cd2b4 * 2 ** -44, 41],
      [45467462, 0x1d55c36 * 2 ** -44, 80],
      [5, 0.5, 2],
      [-5, 0.5, -2],
    ];
    const [k, n] = [16, vectors.length];
    const b = new NetBuilder('ort-vectors', { h: 1, w: 1, c: k }, 'test', 'test');
    b.fc('fc', n);
    const ortFactor = vectors.map((v) => v[1]);
    const qm: QuantModel = {
      net: b.build(),
      options: { bits: 8, calibration: 'given', granularity: 'channel', symmetric: true, requant: 'ort' },
      tensors: { input: { scale: 1, zeroPoint: 0 }, fc: { scale: 1, zeroPoint: 0 } },
      layers: {
        fc: {
          bits: 8,
          weights: Int16Array.from({ length: n * k }, (_, i) => ((i * 37) % 255) - 127),
          bias: vectors.map((v) => BigInt(v[0])),
          mult: ortFactor.map(() => 2 ** 30),
          shift: ortFactor.map(() => 31),
          relu: false,
          inZeroPoint: 0,
          outZeroPoint: 0,
          requant: 'ort',
          ortFactor,
          weightScale: ortFactor,
        },
      },
      fused: [],
      hostModes: {},
    };
    const zero = { pixels: new Float32Array(k), label: 0 };
    const r = await simulateQuantized(qm, ortArray('ws'), [zero]);
    expect(r.layers.map((l) => [l.bitExact, l.cycleExact])).toEqual([[true, true]]);
    expect(r.logits).toEqual(vectors.map((v) => Math.max(-128, Math.min(127, v[2]))));
    const ones = { pixels: Float32Array.from({ length: k }, (_, i) => (i % 3) - 1), label: 0 };
    const r2 = await simulateQuantized(qm, ortArray('ws'), [ones]);
    expect(r2.logitsIdentical).toBe(true);
    const theirs = await runOrtBatch(exportQdqOnnx(qm), ones.pixels, [1, k, 1, 1]);
    expect(r2.logits).toEqual([...theirs]);
  }, 600_000);

  it('a whole LeNet-5 inference (ws): every layer bit- and cycle-exact, the logits onnxruntime gives', async () => {
    const m = loadOnnxModel(join(projectRoot(), 'models', 'lenet5.onnx'));
    const stats = collectStats(
      m,
      calibrationDigits(50).map((d) => d.pixels),
    );
    const qm = quantizeModel(m, stats, {
      bits: 8,
      calibration: 'minmax',
      granularity: 'channel',
      symmetric: false,
      requant: 'ort',
    });
    const digit = mnistSplit().test[42]!;
    const r = await simulateQuantized(qm, ortArray('ws'), [digit]);
    for (const l of r.layers) expect([l.name, l.bitExact, l.cycleExact]).toEqual([l.name, true, true]);
    const theirs = await runOrtBatch(exportQdqOnnx(qm), digit.pixels, [1, 1, 32, 32]);
    expect(r.logits).toEqual([...theirs]);
    // A model in mode rhaz does not run on it.
    await expect(
      simulateQuantized({ ...qm, options: { ...qm.options, requant: undefined } }, ortArray('ws'), [digit]),
    ).rejects.toThrow(/computes mode ort/);
  }, 600_000);
});
