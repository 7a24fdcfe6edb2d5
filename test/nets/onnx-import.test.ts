/** ONNX import: each supported operator against onnxruntime-node, layouts, folding, and clear errors. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it, vi } from 'vitest';
import { loadOnnxModel } from '../../src/nets/onnx-import.js';
import { macLayers } from '../../src/nets/ir.js';
import { outputOf, runFloat } from '../../src/quant/float-exec.js';
import { OnnxGraphBuilder } from '../helpers/onnx-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-onnx-'));
let count = 0;
function save(bytes: Uint8Array): string {
  const file = join(dir, `m${count++}.onnx`);
  writeFileSync(file, bytes);
  return file;
}

/** Max |ours - onnxruntime| over the outputs, relative to the output range, for a deterministic input. */
async function compareWithOrt(file: string): Promise<number> {
  const m = loadOnnxModel(file);
  const s = m.net.input.shape;
  const nchw = Float32Array.from({ length: s.c * s.h * s.w }, (_, i) => Math.sin(i * 0.37) * 1.5);
  const nhwc = new Float32Array(nchw.length);
  for (let c = 0; c < s.c; c++)
    for (let h = 0; h < s.h; h++)
      for (let w = 0; w < s.w; w++) nhwc[(h * s.w + w) * s.c + c] = nchw[(c * s.h + h) * s.w + w]!;
  const ours = outputOf(m, runFloat(m, nhwc));
  const session = await ort.InferenceSession.create(file);
  const res = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', nchw, [1, s.c, s.h, s.w]) });
  const theirs = res[session.outputNames[0]!]!.data as Float32Array;
  expect(ours.length).toBe(theirs.length);
  const range = Math.max(...theirs) - Math.min(...theirs) || 1;
  let d = 0;
  for (let i = 0; i < theirs.length; i++) d = Math.max(d, Math.abs(ours[i]! - theirs[i]!));
  return d / range;
}

/** conv(+BN) -> SiLU -> depthwise -> SE -> 1x1 -> ReLU -> pools -> flatten -> Gemm, like the EfficientNet family. */
function mbconvLike(): Uint8Array {
  const g = new OnnxGraphBuilder(3);
  let x = g.node('Conv', ['input', g.tensor([6, 2, 3, 3]), g.tensor([6])], { pads: [1, 1, 1, 1], strides: [1, 1] });
  x = g.node(
    'BatchNormalization',
    [x, g.tensor([6], undefined, 1), g.tensor([6]), g.tensor([6]), g.tensor([6], [0.5, 1, 1.5, 2, 0.7, 1.2])],
    { epsilon: 1e-5 },
  );
  const sig = g.node('Sigmoid', [x]);
  x = g.node('Mul', [x, sig]);
  x = g.node('Conv', [x, g.tensor([6, 1, 3, 3])], { group: 6, pads: [1, 1, 1, 1], strides: [2, 2] });
  const pooled = g.node('GlobalAveragePool', [x]);
  let se = g.node('Conv', [pooled, g.tensor([2, 6, 1, 1]), g.tensor([2])]);
  se = g.node('Relu', [se]);
  se = g.node('Conv', [se, g.tensor([6, 2, 1, 1]), g.tensor([6])]);
  se = g.node('Sigmoid', [se]);
  x = g.node('Mul', [x, se]);
  x = g.node('Conv', [x, g.tensor([8, 6, 1, 1])]);
  x = g.node('Clip', [x, g.tensor([1], [0]), g.tensor([1], [6])]);
  const y = g.node('HardSwish', [x]);
  x = g.node('Add', [x, y]);
  x = g.node('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
  x = g.node('AveragePool', [x], { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] });
  x = g.node('Flatten', [x], { axis: 1 });
  x = g.node('Dropout', [x]);
  x = g.node('Gemm', [x, g.tensor([10, 32]), g.tensor([10])], { transB: 1 });
  return g.build([1, 2, 8, 8], x);
}

describe('ONNX import', () => {
  it('imports the EfficientNet-style operators and agrees with onnxruntime-node', async () => {
    const file = save(mbconvLike());
    const m = loadOnnxModel(file);
    const kinds = m.net.layers.map((l) => l.kind);
    expect(kinds).toContain('silu');
    expect(kinds).toContain('scale');
    expect(kinds).toContain('relu6');
    expect(kinds).toContain('dwconv');
    expect(kinds.filter((k) => k === 'sigmoid')).toHaveLength(1); // the SE gate; SiLU's sigmoid is folded
    expect(macLayers(m.net)).toHaveLength(6); // BatchNormalization folded into the first Conv
    expect(await compareWithOrt(file)).toBeLessThan(1e-4);
  });

  it('permutes FC weights behind a Flatten of a feature map (NCHW in ONNX, NHWC here), MatMul+Add as FC', async () => {
    const g = new OnnxGraphBuilder(5);
    let x = g.node('Conv', ['input', g.tensor([4, 3, 3, 3])], { pads: [0, 0, 0, 0] });
    x = g.node('Reshape', [x, g.ints([1, -1])]);
    x = g.node('MatMul', [x, g.tensor([4 * 4 * 4, 10])]);
    x = g.node('Add', [x, g.tensor([10])]);
    x = g.node('Softmax', [x], { axis: 1 });
    const file = save(g.build([1, 3, 6, 6], x));
    expect(macLayers(loadOnnxModel(file).net).map((l) => l.kind)).toEqual(['conv', 'fc']);
    expect(await compareWithOrt(file)).toBeLessThan(1e-4);
  });

  it('keeps explicit asymmetric padding, strides and dilation', async () => {
    const g = new OnnxGraphBuilder(7);
    let x = g.node('Conv', ['input', g.tensor([5, 2, 3, 2]), g.tensor([5])], {
      pads: [2, 0, 1, 3],
      strides: [2, 1],
      dilations: [1, 2],
    });
    x = g.node('Concat', [x, x], { axis: 1 });
    x = g.node('GlobalAveragePool', [x]);
    x = g.node('Flatten', [x]);
    x = g.node('Gemm', [x, g.tensor([10, 10])], { transB: 1 });
    const file = save(g.build([1, 2, 9, 7], x));
    const conv = macLayers(loadOnnxModel(file).net)[0]!;
    expect(conv.pad).toEqual({ top: 2, left: 0, bottom: 1, right: 3 });
    expect(await compareWithOrt(file)).toBeLessThan(1e-4);
  });

  it('rejects an unsupported operator, naming the node and the operator', () => {
    const g = new OnnxGraphBuilder();
    const x = g.node('Einsum', ['input', 'input'], { equation: 'ij,jk->ik' });
    const file = save(g.build([1, 4], x));
    expect(() => loadOnnxModel(file)).toThrow(
      /ONNX model .*m\d+\.onnx, node einsum_\d+ \(Einsum\): operator Einsum is not supported; mactile reads Conv, Gemm/,
    );
  });

  it('rejects a truncated or malformed file and a missing one', () => {
    const bytes = mbconvLike();
    const file = save(bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect(() => loadOnnxModel(file)).toThrow(/ONNX model .*: not a valid ONNX file|expected a graph with nodes/);
    const junk = save(Buffer.from('this is not protobuf at all, just text'));
    expect(() => loadOnnxModel(junk)).toThrow(/ONNX model .*: /);
    expect(() => loadOnnxModel(join(dir, 'absent.onnx'))).toThrow(/absent\.onnx: cannot read it \(ENOENT\)/);
  });

  it('rejects a dynamic input shape unless a size is given', () => {
    const g = new OnnxGraphBuilder();
    let x = g.node('Conv', ['input', g.tensor([2, 1, 3, 3])]);
    x = g.node('GlobalAveragePool', [x]);
    const file = save(g.build([1, 1, 'height', 'width'], x, [1, 2, 1, 1]));
    expect(() => loadOnnxModel(file)).toThrow(
      /input input has a dynamic shape \(H=height, W=width\); give its size with --input-shape HxWxC/,
    );
    expect(loadOnnxModel(file, { inputShape: { h: 8, w: 8, c: 1 } }).net.layers[0]!.outShape).toEqual({
      h: 6,
      w: 6,
      c: 2,
    });
  });

  it('takes --input-shape as CxHxW where only that reading agrees with the fixed channels, and says so', () => {
    const g = new OnnxGraphBuilder();
    let x = g.node('Conv', ['input', g.tensor([2, 3, 3, 3])]);
    x = g.node('GlobalAveragePool', [x]);
    const file = save(g.build([1, 3, 'height', 'width'], x, [1, 2, 1, 1]));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      // 3x16x12 as HxWxC has 12 channels, the model fixes 3: it is C=3, H=16, W=12.
      const net = loadOnnxModel(file, { inputShape: { h: 3, w: 16, c: 12 } }).net;
      expect(net.input.shape).toEqual({ h: 16, w: 12, c: 3 });
      expect(net.layers[0]!.outShape).toEqual({ h: 14, w: 10, c: 2 });
      expect(String(err.mock.calls[0]?.[0])).toMatch(/--input-shape 3x16x12 read as CxHxW .*C = 3.*16x12x3 \(HxWxC\)/);
      // The HxWxC reading that agrees is taken as it is, without a note.
      err.mockClear();
      expect(loadOnnxModel(file, { inputShape: { h: 16, w: 12, c: 3 } }).net.input.shape).toEqual({
        h: 16,
        w: 12,
        c: 3,
      });
      expect(err).not.toHaveBeenCalled();
    } finally {
      err.mockRestore();
    }
    // Neither reading agrees: the error says the order it wants, with an example from the model's sizes.
    expect(() => loadOnnxModel(file, { inputShape: { h: 5, w: 16, c: 12 } })).toThrow(
      /has a fixed C = 3 .*--input-shape is HxWxC \(height x width x channels, e\.g\. 224x224x3\)/,
    );
  });

  it('rejects a BatchNormalization that follows no Conv', () => {
    const g = new OnnxGraphBuilder();
    const x = g.node('BatchNormalization', ['input', g.tensor([1]), g.tensor([1]), g.tensor([1]), g.tensor([1], [1])]);
    const file = save(g.build([1, 1, 4, 4], x, [1, 1, 4, 4]));
    expect(() => loadOnnxModel(file)).toThrow(/\(BatchNormalization\): expected to follow a Conv or Gemm/);
  });
});
