/**
 * Fitting images to a model's input: uint8 pixels are scaled by 1/255 (float ones are taken as given), each
 * channel is normalised as (x - mean) / std, and an image smaller than the input is padded with black pixels
 * (0 before normalisation) to the input size, centred (the odd row or column at the bottom or right), as
 * MNIST's 28x28 digits are padded to 32x32. Nothing is resized: a larger image or another channel count is
 * refused.
 */
import type { Shape } from '../nets/ir.js';
import { MactileError } from '../util/errors.js';
import type { RawImages } from './images.js';

/** Per-channel normalisation: one value for all channels, or one per channel. */
export interface Normalisation {
  mean: number[];
  std: number[];
}

/** Images in the model's input layout (NHWC, `shape`) with their labels and their indices in the data set. */
export interface DataSet {
  source: string;
  shape: Shape;
  count: number;
  images: Float32Array;
  labels: Int32Array;
  indices: number[];
}

/** A labelled image, as the evaluation and the RTL runs take it. */
export interface LabelledImage {
  pixels: Float32Array;
  label: number;
  /** Its index in the data set. */
  index: number;
}

/** Why the images cannot be fitted to a model input (or undefined when they can). */
export function fitProblem(raw: RawImages, input: Shape, model: string): string | undefined {
  const got = `${raw.h}x${raw.w}x${raw.c}`;
  const want = `${input.h}x${input.w}x${input.c}`;
  if (raw.c !== input.c)
    return `data ${raw.source}: ${got} images (HxWxC), the model ${model} takes ${want}: the channel counts differ`;
  if (raw.h > input.h || raw.w > input.w)
    return `data ${raw.source}: ${got} images, the model ${model} takes ${want}: mactile pads smaller images but does not resize larger ones (resize them to at most ${input.h}x${input.w} first)`;
  return undefined;
}

/** The per-channel values of --mean or --std for `c` channels (one value stands for all). */
function perChannel(values: number[], c: number, key: string): number[] {
  if (values.length === 1) return Array.from({ length: c }, () => values[0]!);
  if (values.length !== c)
    throw new MactileError(
      `--${key}: expected 1 value or ${c} (one per channel of the model), received ${values.length} (${values.join(',')})`,
    );
  return values;
}

/** The images `indices` of `raw`, fitted to `input` and normalised. */
export function fitImages(
  raw: RawImages,
  indices: number[],
  input: Shape,
  norm: Normalisation,
  model: string,
): DataSet {
  const problem = fitProblem(raw, input, model);
  if (problem) throw new MactileError(problem);
  const { h, w, c } = raw;
  const mean = perChannel(norm.mean, c, 'mean');
  const std = perChannel(norm.std, c, 'std');
  const div = raw.pixels instanceof Uint8Array ? 255 : 1; // x / 255, as torchvision's ToTensor
  const top = Math.floor((input.h - h) / 2);
  const left = Math.floor((input.w - w) / 2);
  const size = input.h * input.w * c;
  const images = new Float32Array(indices.length * size);
  for (const [k, n] of indices.entries()) {
    const out = images.subarray(k * size, (k + 1) * size);
    for (let p = 0; p < input.h * input.w; p++)
      for (let ch = 0; ch < c; ch++) out[p * c + ch] = (0 - mean[ch]!) / std[ch]!;
    const src = n * h * w * c;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) {
          const v = raw.pixels[src + (y * w + x) * c + ch]!;
          out[((y + top) * input.w + x + left) * c + ch] = (v / div - mean[ch]!) / std[ch]!;
        }
  }
  return {
    source: raw.source,
    shape: { h: input.h, w: input.w, c },
    count: indices.length,
    images,
    labels: Int32Array.from(indices, (n) => raw.labels[n]!),
    indices,
  };
}

/** The images of a data set one by one (views into its array). */
export function labelledImages(d: DataSet): LabelledImage[] {
  const size = d.shape.h * d.shape.w * d.shape.c;
  return d.indices.map((index, k) => ({
    pixels: d.images.subarray(k * size, (k + 1) * size),
    label: d.labels[k]!,
    index,
  }));
}
