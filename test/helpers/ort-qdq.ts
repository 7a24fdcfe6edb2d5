/** onnxruntime-node as the oracle of exported quantized models: one batched single-threaded run, NHWC <-> NCHW. */
import * as ort from 'onnxruntime-node';
import type { Shape } from '../../src/nets/ir.js';

/** NHWC values of one image to NCHW. */
export function toNchw(x: ArrayLike<number>, s: Shape, out: Float32Array, at = 0): void {
  for (let h = 0; h < s.h; h++)
    for (let w = 0; w < s.w; w++)
      for (let c = 0; c < s.c; c++) out[at + (c * s.h + h) * s.w + w] = x[(h * s.w + w) * s.c + c]!;
}

/** NCHW values of image `i` of a batch back to NHWC. */
export function fromNchw(y: ArrayLike<number>, s: Shape, i: number): Int16Array {
  const n = s.h * s.w * s.c;
  const out = new Int16Array(n);
  for (let h = 0; h < s.h; h++)
    for (let w = 0; w < s.w; w++)
      for (let c = 0; c < s.c; c++) out[(h * s.w + w) * s.c + c] = y[i * n + (c * s.h + h) * s.w + w]!;
  return out;
}

/** Runs a model once on a batch of NCHW float images; returns the quantized output (`*_q`) of every image. */
export async function runOrtBatch(model: Uint8Array, images: Float32Array, dims: number[]): Promise<Int8Array> {
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const res = await s.run({ [s.inputNames[0]!]: new ort.Tensor('float32', images, dims) });
  const q = s.outputNames.find((n) => n.endsWith('_q'))!;
  return res[q]!.data as Int8Array;
}
