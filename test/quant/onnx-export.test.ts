/**
 * Quantized models exported as ONNX (QuantizeLinear, QLinearConv) and run by onnxruntime-node equal the
 * golden executor in requant mode ort bit for bit: a layer built to hit ties and accumulators above 2^24,
 * the shipped LeNet-5 and AlexNet-style models on all 2,000 held-out digits (the quantized output tensor),
 * and every MAC layer of the EfficientNet-style model given the same input tensor. Its end-to-end outputs,
 * whose SiLU, sigmoid and squeeze-excite run in float in each runtime's own way, are measured and printed.
 * (Measured on an x86 CPU with AVX-512 VNNI; onnxruntime picks its int8 kernels by CPU.)
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetBuilder } from '../../src/nets/builder.js';
import { isMacLayer, type MacLayer } from '../../src/nets/ir.js';
import { loadOnnxModel } from '../../src/nets/onnx-import.js';
import { argmax } from '../../src/quant/evaluate.js';
import { goldenLayer } from '../../src/quant/golden.js';
import { dequantize, runQuant } from '../../src/quant/int-exec.js';
import { calibrationDigits, mnistSplit } from '../../src/quant/mnist.js';
import { exportQdqOnnx } from '../../src/quant/onnx-export.js';
import { collectStats, quantizeModel, type QuantModel, type QuantOptions } from '../../src/quant/quantize.js';
import { rng } from '../../src/quant/random.js';
import type { QuantLayer } from '../../src/quant/tensor.js';
import { projectRoot } from '../../src/util/paths.js';
import { fromNchw, runOrtBatch, toNchw } from '../helpers/ort-qdq.js';

const models = join(projectRoot(), 'models');
const ORT: QuantOptions = { bits: 8, calibration: 'minmax', granularity: 'channel', symmetric: true, requant: 'ort' };

function quantized(file: string, o: Partial<QuantOptions> = {}, calibration = 200): QuantModel {
  const m = loadOnnxModel(join(models, file));
  const stats = collectStats(
    m,
    calibrationDigits(calibration).map((d) => d.pixels),
  );
  return quantizeModel(m, stats, { ...ORT, ...o });
}

/** The whole model on every held-out digit in one onnxruntime run; returns its output integers per digit. */
async function ortOnDigits(qm: QuantModel, n: number): Promise<Int8Array[]> {
  const test = mnistSplit().test.slice(0, n);
  const px = new Float32Array(n * 1024);
  test.forEach((d, i) => px.set(d.pixels, i * 1024));
  const y = await runOrtBatch(exportQdqOnnx(qm), px, [n, 1, 32, 32]);
  const c = y.length / n;
  return test.map((_, i) => y.subarray(i * c, (i + 1) * c));
}

describe('QDQ export, bit-exact with onnxruntime in requant mode ort', () => {
  it('one layer at ties and with accumulators above 2^24 (input, weight and output scales that make the factor exact)', async () => {
    const [k, n] = [2048, 16];
    const b = new NetBuilder('ties', { h: 1, w: 1, c: k }, 'test', 'test');
    b.fc('fc', n);
    const net = b.build();
    const l = net.layers[0] as MacLayer;
    const r = rng(5);
    const weights = Int16Array.from({ length: n * k }, () => Math.round((r() * 2 - 1) * 127));
    // Channels 0-5 scale by 2^-j (ties every 2^j); 6-11 take the numpy float32 vectors of requant-modes.test.ts as
    // bias and factor (an all-zero input gives acc + bias = the vector: float32(x) rounds the result the other
    // way from the exact product); 12-15 random float32 factors with sums far beyond 2^24.
    const vectors: [number, number, number][] = [
      [1750760247, 0x13eea8a * 2 ** -50, 32],
      [-1130655960, 0x1396382 * 2 ** -48, -82],
      [452110488, 0x1d89dae * 2 ** -47, 100],
      [1220945189, 0x1d3dc02 * 2 ** -49, 66],
      [1118877426, 0x168d506 * 2 ** -50, 24],
      [-738563130, 0x162bbc0 * 2 ** -49, -30],
    ];
    const ortFactor = Array.from({ length: n }, (_, c) =>
      c < 6 ? 2 ** -(c + 1) : c < 12 ? vectors[c - 6]![1] : Math.fround(2 ** -(19 + r() * 3)),
    );
    const q: QuantLayer = {
      bits: 8,
      weights,
      bias: Array.from({ length: n }, (_, c) =>
        BigInt(c < 6 ? Math.round((r() - 0.5) * 200) : c < 12 ? vectors[c - 6]![0] : Math.round((r() - 0.5) * 2 ** 26)),
      ),
      mult: ortFactor.map(() => 2 ** 30),
      shift: ortFactor.map(() => 31),
      relu: false,
      inZeroPoint: 0,
      outZeroPoint: 3,
      requant: 'ort',
      ortFactor,
      weightScale: ortFactor,
    };
    const qm: QuantModel = {
      net,
      options: ORT,
      tensors: { input: { scale: 1, zeroPoint: 0 }, fc: { scale: 1, zeroPoint: 3 } },
      layers: { fc: q },
      fused: [],
      hostModes: {},
    };
    // 64 inputs: the first 32 with four taps of +-1 (small sums: the tie channels stay in range), then full range.
    const images = 64;
    const xs = Array.from({ length: images }, (_, i) => {
      if (i >= 32) return Int16Array.from({ length: k }, () => Math.round((r() * 2 - 1) * 127));
      const x = new Int16Array(k);
      if (i === 0) return x;
      for (let t = 0; t < 4; t++) x[Math.floor(r() * k)] = r() < 0.5 ? -1 : 1;
      return x;
    });
    const px = new Float32Array(images * k);
    xs.forEach((x, i) => px.set(x, i * k));
    const y = await runOrtBatch(exportQdqOnnx(qm), px, [images, k, 1, 1]);
    let ties = 0;
    let beyond = 0;
    xs.forEach((x, i) => {
      const ours = goldenLayer(l, { shape: l.inShape, data: x }, q).data;
      for (let c = 0; c < n; c++) {
        let acc = Number(q.bias[c]);
        for (let j = 0; j < k; j++) acc += x[j]! * weights[c * k + j]!;
        if (c < 6 && Math.abs(acc * ortFactor[c]!) % 1 === 0.5 && Math.abs(acc * ortFactor[c]!) < 120) ties++;
        if (Math.abs(acc) > 2 ** 24 && Math.fround(acc) !== acc) beyond++;
        if (i === 0 && c >= 6 && c < 12) expect(y[c], `channel ${c} of the zero input`).toBe(3 + vectors[c - 6]![2]);
        expect(ours[c], `input ${i}, channel ${c}, acc + bias ${acc}`).toBe(y[i * n + c]);
      }
    });
    expect(ties, 'outputs at an exact tie').toBeGreaterThan(20);
    expect(beyond, 'sums that float32 cannot hold').toBeGreaterThan(100);
  });

  it.each([
    ['lenet5.onnx', {}],
    ['lenet5.onnx', { symmetric: false, granularity: 'tensor' as const }],
    ['alexnet_mnist.onnx', {}],
  ])(
    '%s %j: the quantized output equals the golden executor on all 2,000 held-out digits',
    async (file, o) => {
      const qm = quantized(file, o, 50);
      const test = mnistSplit().test;
      const theirs = await ortOnDigits(qm, test.length);
      let equal = 0;
      test.forEach((d, i) => {
        const r = runQuant(qm, d.pixels);
        const ours = r.tensors.get(r.outputName)!.data;
        if (ours.every((v, j) => v === theirs[i]![j])) equal++;
        else expect([...ours], `digit ${i}`).toEqual([...theirs[i]!]);
      });
      expect(equal).toBe(2000);
    },
    120_000,
  );

  it('EfficientNet-style: every MAC layer bit-exact given the same input; end-to-end agreement measured', async () => {
    const qm = quantized('efficientnet_b0_mnist.onnx', {}, 50);
    const digits = mnistSplit().test.slice(0, 4);
    const runs = digits.map((d) => runQuant(qm, d.pixels));
    const macs = qm.net.layers.filter(isMacLayer);
    for (const l of macs) {
      // The layer alone: its input as float (dequantized: QuantizeLinear gives the same integers back).
      const one: QuantModel = {
        ...qm,
        net: { ...qm.net, input: { name: l.input, shape: l.inShape }, layers: [l], output: l.output },
        tensors: { [l.input]: qm.tensors[l.input]!, [l.output]: qm.tensors[l.output]! },
        layers: { [l.name]: qm.layers[l.name]! },
        fused: [],
        hostModes: {},
      };
      const s = l.inShape;
      const size = s.h * s.w * s.c;
      const px = new Float32Array(digits.length * size);
      runs.forEach((r, i) => toNchw(dequantize(r.tensors.get(l.input)!, qm.tensors[l.input]!), s, px, i * size));
      const y = await runOrtBatch(exportQdqOnnx(one), px, [digits.length, s.c, s.h, s.w]);
      runs.forEach((r, i) =>
        expect([...fromNchw(y, l.outShape, i)], `${l.name} (${l.kind}), digit ${i}`).toEqual([
          ...r.tensors.get(l.output)!.data,
        ]),
      );
    }
    expect(macs.length).toBe(82);
    // End to end on 200 digits: the float host ops differ (onnxruntime's own sigmoid), so measure.
    const n = 200;
    const theirs = await ortOnDigits(qm, n);
    let same = 0;
    let classes = 0;
    let lsb = 0;
    mnistSplit()
      .test.slice(0, n)
      .forEach((d, i) => {
        const r = runQuant(qm, d.pixels);
        const ours = r.tensors.get(r.outputName)!.data;
        if (ours.every((v, j) => v === theirs[i]![j])) same++;
        if (argmax(ours) === argmax(theirs[i]!)) classes++;
        ours.forEach((v, j) => (lsb = Math.max(lsb, Math.abs(v - theirs[i]![j]!))));
      });
    console.log(
      `EfficientNet-style end to end, ${n} digits: ${same} equal outputs, classes agree on ${classes}, largest difference ${lsb} LSB`,
    );
    expect(classes / n).toBeGreaterThan(0.95);
  }, 180_000);
});
