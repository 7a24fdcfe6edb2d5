/**
 * NumPy arrays: a pair of `.npy` files (images, labels) or one `.npz` archive holding both. npyjs parses each
 * array and fflate unzips the archive (np.savez and np.savez_compressed alike). Images are uint8 or float
 * (float32, float64), N x H x W or 4-D in NHWC or NCHW; labels are one integer (or whole float) per image.
 */
import { unzipSync } from 'fflate';
import { parse, type NpyArray } from 'npyjs';
import { MactileError } from '../util/errors.js';
import { readBytes } from './idx.js';
import { checkLabels, imageDims, toNhwc, valueCount, type RawImages, type ReadOptions } from './images.js';

/** The names an archive's images and labels are looked for under, in this order (unless named). */
const IMAGE_ARRAYS = ['x', 'images', 'data', 'x_train', 'x_test'];
const LABEL_ARRAYS = ['y', 'labels', 'targets', 'y_train', 'y_test'];

/** Parses one .npy array, refusing what npyjs would misread (big-endian, Fortran order, a short file). */
function parseNpy(bytes: Uint8Array, what: string): NpyArray {
  // Its own copy: npyjs views the buffer from the data offset, which must be aligned to the element size.
  const buf = new Uint8Array(bytes).buffer;
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
  if (!head.startsWith('\x93NUMPY'))
    throw new MactileError(`${what}: expected a .npy array (it starts with \\x93NUMPY), received other bytes`);
  if (/'descr'\s*:\s*'>/.test(head))
    throw new MactileError(`${what}: expected a little-endian array, received a big-endian one`);
  let a: NpyArray;
  try {
    a = parse(buf);
  } catch (e) {
    throw new MactileError(`${what}: a corrupt .npy array (${(e as Error).message})`);
  }
  if (a.fortranOrder)
    throw new MactileError(`${what}: expected a C-ordered array, received Fortran order (np.ascontiguousarray it)`);
  const n = a.shape.length ? valueCount(a.shape, what) : 1;
  const got = (a.data as unknown as ArrayLike<unknown>).length;
  if (got !== n)
    throw new MactileError(
      `${what}: expected ${n.toLocaleString('en-US')} values for shape ${a.shape.join(' x ')}, received ${got.toLocaleString('en-US')} (a truncated or padded file)`,
    );
  return a;
}

/** The images of an array as NHWC uint8 or float values. */
function imagesOf(a: NpyArray, opts: ReadOptions, what: string): Omit<RawImages, 'source' | 'labels'> {
  const s = imageDims(a.shape, opts, what);
  const d = a.data;
  if (!(d instanceof Uint8Array || d instanceof Float32Array || d instanceof Float64Array))
    throw new MactileError(`${what}: expected uint8, float32 or float64 images, received dtype ${a.dtype}`);
  const { layout, ...shape } = s;
  return { ...shape, pixels: layout === 'nchw' ? toNhwc(d, s) : d };
}

/** The labels of an array: one per image, 1-D. */
function labelsOf(a: NpyArray, count: number, what: string): Int32Array {
  if (a.shape.length !== 1)
    throw new MactileError(`${what}: expected a 1-D array of labels, received shape ${a.shape.join(' x ') || '()'}`);
  if (typeof (a.data as unknown as ArrayLike<unknown>)[0] === 'string' || a.dtype === 'b1')
    throw new MactileError(`${what}: expected integer labels, received dtype ${a.dtype}`);
  return checkLabels(a.data as unknown as ArrayLike<number | bigint>, count, what);
}

/** `npy:IMAGES.npy,LABELS.npy`. */
export function loadNpyPair(source: string, images: string, labels: string, opts: ReadOptions): RawImages {
  const ia = parseNpy(readBytes(images, `data ${source}: images file`), `data ${source}: images file ${images}`);
  const raw = imagesOf(ia, opts, `data ${source}: images file ${images}`);
  const la = parseNpy(readBytes(labels, `data ${source}: labels file`), `data ${source}: labels file ${labels}`);
  return {
    source,
    ...raw,
    labels: labelsOf(la, raw.count, `data ${source}: labels file ${labels} for ${raw.count} images in ${images}`),
  };
}

/** The one name of `candidates` the archive holds (or the name given), with the archive's names in errors. */
function pick(names: string[], given: string | undefined, candidates: string[], role: string, what: string): string {
  const list = names.join(', ') || 'none';
  if (given !== undefined) {
    if (!names.includes(given))
      throw new MactileError(
        `${what}: expected an array named ${JSON.stringify(given)} (${role}), the archive holds ${list}`,
      );
    return given;
  }
  const found = candidates.filter((c) => names.includes(c));
  if (found.length === 1) return found[0]!;
  throw new MactileError(
    found.length === 0
      ? `${what}: expected ${role} under one of the names ${candidates.join(', ')}, the archive holds ${list}; name them as npz:FILE,IMAGES,LABELS`
      : `${what}: ${role} could be any of ${found.join(', ')}; name the arrays as npz:FILE,IMAGES,LABELS`,
  );
}

/** `npz:FILE[,IMAGES,LABELS]`: an archive with an images array and a labels array. */
export function loadNpz(
  source: string,
  file: string,
  names: { images?: string; labels?: string },
  opts: ReadOptions,
): RawImages {
  const what = `data ${source}: archive ${file}`;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readBytes(file, `data ${source}: archive`));
  } catch (e) {
    if (e instanceof MactileError) throw e;
    throw new MactileError(`${what}: expected a .npz (zip) archive, received a corrupt one (${(e as Error).message})`);
  }
  const arrays = Object.keys(entries)
    .filter((k) => k.endsWith('.npy'))
    .map((k) => k.slice(0, -4));
  const xi = pick(arrays, names.images, IMAGE_ARRAYS, 'the images', what);
  const yi = pick(arrays, names.labels, LABEL_ARRAYS, 'the labels', what);
  const raw = imagesOf(parseNpy(entries[`${xi}.npy`]!, `${what}, array ${xi}`), opts, `${what}, array ${xi}`);
  const la = parseNpy(entries[`${yi}.npy`]!, `${what}, array ${yi}`);
  return { source, ...raw, labels: labelsOf(la, raw.count, `${what}, array ${yi} for ${raw.count} images in ${xi}`) };
}
