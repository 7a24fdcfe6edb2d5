/**
 * A QDQ model quantized and exported by PyTorch itself (models/pytorch/lenet5_ptq.onnx, written by
 * models/pytorch.py: eager-mode PTQ, engine onednn, torch.onnx.export at opset 13 with its Constant nodes and
 * Casts): it imports with its scales as given, mactile's golden executor equals onnxruntime-node bit for bit on
 * all 2,000 held-out digits, and `sim --quantized` runs it through the systolic RTL (requant: ort) with
 * onnxruntime's integers.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { importQdqOnnx } from '../../src/nets/qdq-import.js';
import { dequantize, runQuant } from '../../src/quant/int-exec.js';
import { mnistSplit } from '../../src/quant/mnist.js';
import { projectRoot } from '../../src/util/paths.js';
import { runCliInProcess } from '../helpers/cli.js';

const file = join(projectRoot(), 'models', 'pytorch', 'lenet5_ptq.onnx');
const summary = JSON.parse(readFileSync(join(projectRoot(), 'models', 'pytorch', 'summary.json'), 'utf8')) as {
  qdq: { onnx_ops: Record<string, number> };
};

/** onnxruntime-node's dequantized logits (float32) for held-out digits, one single-threaded run each (batch 1). */
async function ortLogits(indices: number[]): Promise<Float32Array[]> {
  const s = await ort.InferenceSession.create(readFileSync(file), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const test = mnistSplit().test;
  const out: Float32Array[] = [];
  for (const i of indices) {
    // One channel: NHWC and NCHW are the same order.
    const r = await s.run({ input: new ort.Tensor('float32', test[i]!.pixels, [1, 1, 32, 32]) });
    out.push(Float32Array.from(r[s.outputNames[0]!]!.data as Float32Array));
  }
  return out;
}

describe("PyTorch's own QDQ export", () => {
  const qm = importQdqOnnx(file);

  it('imports with its scales and zero points as given (uint8 activations, per-channel int8 weights, mode ort)', () => {
    // The file is torch.onnx's, Constant nodes and Casts included.
    expect(summary.qdq.onnx_ops).toMatchObject({ Constant: expect.any(Number), Cast: expect.any(Number) });
    expect(qm.net.layers.map((l) => l.kind)).toEqual([
      ...['conv', 'relu', 'maxpool', 'conv', 'relu', 'maxpool', 'flatten'],
      ...['fc', 'relu', 'fc', 'relu', 'fc'],
    ]);
    expect(qm.options).toEqual({
      bits: 8,
      calibration: 'given',
      granularity: 'channel',
      symmetric: false,
      requant: 'ort',
    });
    // Every ReLU fused (the Conv's before its QuantizeLinear, the Linear's as DequantizeLinear -> Relu -> QuantizeLinear).
    expect(qm.fused).toHaveLength(4);
    expect(Object.values(qm.hostModes)).toEqual(['integer', 'integer', 'integer']);
    // PyTorch's input: uint8 with a zero point (33 in the file, -95 in mactile's int8 domain).
    expect(qm.tensors.input!.zeroPoint).toBe(33 - 128);
    const conv = qm.layers[qm.net.layers[0]!.name]!;
    expect(conv.weightScale).toHaveLength(6);
    expect(new Set(conv.weightScale).size).toBe(6);
  });

  it('the golden executor (mode ort) equals onnxruntime-node bit for bit on all 2,000 held-out digits', async () => {
    const test = mnistSplit().test;
    const indices = test.map((_, i) => i);
    const theirs = await ortLogits(indices);
    let differ = 0;
    let correct = 0;
    for (const i of indices) {
      const run = runQuant(qm, test[i]!.pixels);
      const ours = dequantize(run.tensors.get(run.outputName)!, qm.tensors[run.outputName]!);
      if (!ours.every((v, j) => v === theirs[i]![j])) differ++;
      if (run.output.indexOf(Math.max(...run.output)) === test[i]!.label) correct++;
    }
    expect(differ).toBe(0);
    // 1,983 of 2,000 (99.15 %), as models/README.md reports.
    expect(correct).toBe(1983);
  }, 120_000);

  it('sim --quantized runs it through the systolic RTL (requant: ort): every layer bit-exact, onnxruntime’s logits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mactile-torch-qdq-'));
    const cfg = join(dir, 'sa-8x8-ws-ort.yaml');
    writeFileSync(cfg, 'kind: systolic\nrows: 8\ncols: 8\ndataflow: ws\nrequant: ort\n');
    const digits = [3, 1234];
    const theirs = await ortLogits(digits);
    for (const [k, image] of digits.entries()) {
      const r = await runCliInProcess([
        ...['sim', '--quantized', file, '--config', cfg, '--image', String(image), '--format', 'json'],
      ]);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { ok: boolean; logits: number[]; logitsIdentical: boolean };
      expect(doc.ok).toBe(true);
      expect(doc.logitsIdentical).toBe(true);
      const out = qm.net.output ?? qm.net.layers.at(-1)!.output;
      const rtl = dequantize({ shape: { h: 1, w: 1, c: 10 }, data: Int16Array.from(doc.logits) }, qm.tensors[out]!);
      expect([...rtl], `digit ${image}`).toEqual([...theirs[k]!]);
    }
  }, 900_000);
});
