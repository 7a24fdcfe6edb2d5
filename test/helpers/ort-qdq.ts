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

/**
 * Runs a model on a batch of NCHW float images (one session, runs of at most 100 images: faster here than one
 * run of 2,000); returns the quantized output (`*_q`) of every image.
 */
export async function runOrtBatch(model: Uint8Array, images: Float32Array, dims: number[]): Promise<Int8Array> {
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const q = s.outputNames.find((n) => n.endsWith('_q'))!;
  const n = dims[0]!;
  const size = images.length / n;
  const parts: Int8Array[] = [];
  for (let b = 0; b < n; b += 100) {
    const m = Math.min(100, n - b);
    const x = new ort.Tensor('float32', images.slice(b * size, (b + m) * size), [m, ...dims.slice(1)]);
    parts.push((await s.run({ [s.inputNames[0]!]: x }))[q]!.data as Int8Array);
  }
  const out = new Int8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
