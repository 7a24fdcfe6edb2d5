/**
 * Labelled images as a data-set loader reads them (before they are fitted to a model), and what every
 * loader shares: the read options, the label checks and the channel layout of 4-D arrays.
 */
import { MactileError } from '../util/errors.js';

/** Images as read: NHWC order, uint8 (0 to 255, scaled by 1/255 when fitted) or float (taken as given). */
export interface RawImages {
  /** The data set as the user named it (`idx:a,b`), for messages. */
  source: string;
  count: number;
  h: number;
  w: number;
  c: number;
  pixels: Uint8Array | Float32Array | Float64Array;
  labels: Int32Array;
}

/** How a 4-D image array is ordered: images x height x width x channels, or images x channels x H x W. */
export type Layout = 'nhwc' | 'nchw';

/** What a loader needs to know of the model: its channel count (PNG and JPEG) and the layout of 4-D arrays. */
export interface ReadOptions {
  channels: number;
  layout?: Layout;
}

/** Shape and ordering of an image array: `dims` as stored, N x H x W (one channel) or 4-D in `layout`. */
export function imageDims(
  dims: number[],
  opts: ReadOptions,
  what: string,
): { count: number; h: number; w: number; c: number; layout: Layout } {
  if (dims.length === 3) return { count: dims[0]!, h: dims[1]!, w: dims[2]!, c: 1, layout: 'nhwc' };
  if (dims.length !== 4)
    throw new MactileError(
      `${what}: expected images as N x H x W or N x H x W x C (or N x C x H x W), received ${dims.length} dimensions (${dims.join(' x ')})`,
    );
  let layout = opts.layout;
  if (!layout) {
    // The axis holding the model's channel count; else the one that looks like channels (1, 3 or 4), so that
    // the fit can name the channel counts that differ.
    let last = dims[3] === opts.channels;
    let second = dims[1] === opts.channels;
    if (!last && !second) {
      last = [1, 3, 4].includes(dims[3]!);
      second = [1, 3, 4].includes(dims[1]!);
    }
    if (last === second)
      throw new MactileError(
        `${what}: cannot tell NHWC from NCHW in ${dims.join(' x ')} for a model of ${opts.channels} channel(s); give --layout nhwc or --layout nchw`,
      );
    layout = last ? 'nhwc' : 'nchw';
  }
  const [n, a, b, d] = dims as [number, number, number, number];
  return layout === 'nhwc' ? { count: n, h: a, w: b, c: d, layout } : { count: n, h: b, w: d, c: a, layout };
}

/** NCHW values reordered to NHWC (the same array type). */
export function toNhwc<T extends Uint8Array | Float32Array | Float64Array>(
  x: T,
  s: { count: number; h: number; w: number; c: number },
): T {
  const out = new (x.constructor as new (n: number) => T)(x.length);
  const plane = s.h * s.w;
  for (let n = 0; n < s.count; n++) {
    const base = n * plane * s.c;
    for (let c = 0; c < s.c; c++) for (let p = 0; p < plane; p++) out[base + p * s.c + c] = x[base + c * plane + p]!;
  }
  return out;
}

/** Labels as whole numbers from 0 (from any numeric array), with the number of images checked. */
export function checkLabels(values: ArrayLike<number | bigint>, count: number, what: string): Int32Array {
  if (values.length !== count)
    throw new MactileError(`${what}: expected ${count} labels (one per image), received ${values.length}`);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = Number(values[i]!);
    if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1)
      throw new MactileError(
        `${what}: expected labels that are whole numbers from 0, received ${String(values[i])} at index ${i}`,
      );
    out[i] = v;
  }
  return out;
}

/** The number of values N x H x W x C, refusing sizes no array in memory can hold. */
export function valueCount(dims: number[], what: string): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 1)
      throw new MactileError(`${what}: expected dimensions of 1 or more, received ${dims.join(' x ')}`);
    n *= d;
  }
  if (n > 2 ** 31 - 1)
    throw new MactileError(`${what}: expected at most 2^31 - 1 values, received ${dims.join(' x ')}`);
  return n;
}
