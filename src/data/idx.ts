/**
 * IDX files, the format of MNIST and Fashion-MNIST (`train-images-idx3-ubyte` and `train-labels-idx1-ubyte`,
 * gzipped or not): two zero bytes, a type byte (0x08 unsigned bytes or 0x0D big-endian float32 here), the
 * number of dimensions, each dimension as a big-endian uint32, then the values. Gzip is undone by fflate.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'fflate';
import { MactileError } from '../util/errors.js';
import { checkLabels, imageDims, toNhwc, valueCount, type RawImages, type ReadOptions } from './images.js';

/** Reads a whole file, naming it in the error when it cannot. */
export function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new MactileError(`${what} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** The bytes of a file, gunzipped when they start with gzip's magic number. */
function fileBytes(path: string, what: string): Uint8Array {
  const bytes = readBytes(path, what);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new MactileError(`${what} ${path}: a corrupt gzip file (${(e as Error).message})`);
  }
}

const TYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: 'uint8', size: 1 },
  0x0d: { name: 'float32', size: 4 },
};

/** Parses one IDX file: its dimensions and values (uint8 or float32). */
function readIdx(path: string, what: string): { dims: number[]; data: Uint8Array | Float32Array } {
  const b = fileBytes(path, what);
  const hex = (n: number) => Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, '0')).join(' ');
  if (b.length < 4 || b[0] !== 0 || b[1] !== 0)
    throw new MactileError(
      `${what} ${path}: expected an IDX file (two zero bytes, a type byte, a dimension count), received the bytes ${hex(4) || '(none)'}`,
    );
  const type = TYPES[b[2]!];
  if (!type)
    throw new MactileError(
      `${what} ${path}: expected IDX values of type 0x08 (uint8) or 0x0d (float32), received type 0x${b[2]!.toString(16).padStart(2, '0')}`,
    );
  const ndims = b[3]!;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const start = 4 + 4 * ndims;
  if (ndims < 1 || b.length < start)
    throw new MactileError(`${what} ${path}: a truncated IDX header (${ndims} dimensions, ${b.length} bytes)`);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const n = valueCount(dims, `${what} ${path}`);
  const expected = start + n * type.size;
  if (b.length !== expected)
    throw new MactileError(
      `${what} ${path}: expected ${expected.toLocaleString('en-US')} bytes for ${dims.join(' x ')} ${type.name} values, received ${b.length.toLocaleString('en-US')}`,
    );
  if (type.size === 1) return { dims, data: new Uint8Array(b.subarray(start)) };
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = view.getFloat32(start + 4 * i, false);
  return { dims, data };
}

/** `idx:IMAGES,LABELS`: images N x H x W (or 4-D) and N labels. */
export function loadIdx(source: string, images: string, labels: string, opts: ReadOptions): RawImages {
  const img = readIdx(images, `data ${source}: images file`);
  const s = imageDims(img.dims, opts, `data ${source}: images file ${images}`);
  const lab = readIdx(labels, `data ${source}: labels file`);
  if (lab.dims.length !== 1)
    throw new MactileError(
      `data ${source}: labels file ${labels}: expected one dimension (N labels), received ${lab.dims.join(' x ')}`,
    );
  return {
    source,
    ...s,
    pixels: s.layout === 'nchw' ? toNhwc(img.data, s) : img.data,
    labels: checkLabels(lab.data, s.count, `data ${source}: labels file ${labels} for ${s.count} images in ${images}`),
  };
}
