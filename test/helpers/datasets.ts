/**
 * Writers of small data sets for the data-set tests, independent of the loaders they test: IDX bytes and the
 * .npy format written here by hand (from their specifications), .npz as a zip of .npy entries (fflate), PNG
 * through pngjs and JPEG through jpeg-js.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** An IDX file: 0, 0, the type (0x08 uint8, 0x0d float32), the dimension count, big-endian dims, values. */
export function idxBytes(dims: number[], values: ArrayLike<number>, type: 0x08 | 0x0d = 0x08): Uint8Array {
  const head = 4 + 4 * dims.length;
  const size = type === 0x08 ? 1 : 4;
  const out = new Uint8Array(head + values.length * size);
  const view = new DataView(out.buffer);
  out.set([0, 0, type, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < values.length; i++)
    if (type === 0x08) out[head + i] = values[i]!;
    else view.setFloat32(head + 4 * i, values[i]!, false);
  return out;
}

type NpyValues = Uint8Array | Float32Array | Float64Array | Int32Array | BigInt64Array;

const DESCR = new Map<string, string>([
  ['Uint8Array', '|u1'],
  ['Float32Array', '<f4'],
  ['Float64Array', '<f8'],
  ['Int32Array', '<i4'],
  ['BigInt64Array', '<i8'],
]);

/** A version 1.0 .npy file: magic, version, header length, a dict padded to 64 bytes, little-endian values. */
export function npyBytes(shape: number[], values: NpyValues, opts: { descr?: string; fortran?: boolean } = {}) {
  const descr = opts.descr ?? DESCR.get(values.constructor.name)!;
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let dict = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': (${dims}), }`;
  const pad = 64 - ((10 + dict.length + 1) % 64);
  dict += ' '.repeat(pad % 64) + '\n';
  const head = new Uint8Array(10 + dict.length);
  head.set([0x93, ...Buffer.from('NUMPY'), 1, 0, dict.length & 0xff, dict.length >> 8]);
  head.set(Buffer.from(dict, 'latin1'), 10);
  const body = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** A .npz archive: each array as NAME.npy in a zip (deflated, as np.savez_compressed writes). */
export function npzBytes(arrays: Record<string, Uint8Array>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(arrays).map(([k, v]) => [`${k}.npy`, v])), { level: 6 });
}

/** RGBA pixels of an image given as H x W x C values (C = 1 grey or 3 RGB), alpha 255. */
function rgba(h: number, w: number, c: number, px: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(h * w * 4);
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < 3; k++) out[4 * p + k] = px[p * c + (c === 1 ? 0 : k)]!;
    out[4 * p + 3] = 255;
  }
  return out;
}

/** A PNG of H x W x C uint8 values (grey PNGs as colour type 0, RGB as colour type 2). */
export function pngBytes(h: number, w: number, c: number, px: ArrayLike<number>): Uint8Array {
  const png = new PNG({ width: w, height: h });
  png.data = Buffer.from(rgba(h, w, c, px));
  return PNG.sync.write(png, { colorType: c === 1 ? 0 : 2, inputColorType: 6 });
}

/** A JPEG of H x W x C uint8 values at the given quality. */
export function jpegBytes(h: number, w: number, c: number, px: ArrayLike<number>, quality = 100): Uint8Array {
  return jpeg.encode({ width: w, height: h, data: rgba(h, w, c, px) }, quality).data;
}

/** Writes files into `dir` (created) and returns their paths by name. */
export function writeFiles(dir: string, files: Record<string, Uint8Array | string>): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  return Object.fromEntries(
    Object.entries(files).map(([name, data]) => {
      const path = join(dir, name);
      writeFileSync(path, data);
      return [name, path];
    }),
  );
}
