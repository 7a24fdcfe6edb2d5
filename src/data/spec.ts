/**
 * The data-set syntax of `--data` (and of a second data set in --calibration-images or --test-images):
 *   mnist                          the built-in digits
 *   idx:IMAGES,LABELS              IDX files (gzipped or not), as MNIST and Fashion-MNIST ship
 *   npy:IMAGES.npy,LABELS.npy      two NumPy arrays
 *   npz:FILE.npz[,IMAGES,LABELS]   a NumPy archive; without names, the arrays are looked for by name
 *   images:FOLDER[,LABELS.csv]     PNG or JPEG files with a filename,label CSV (default FOLDER/labels.csv)
 * Paths are separated by commas (a path cannot hold one).
 */
import { MactileError } from '../util/errors.js';
import { loadFolder } from './folder.js';
import { loadIdx } from './idx.js';
import type { RawImages, ReadOptions } from './images.js';
import { mnistImages } from './mnist.js';
import { loadNpyPair, loadNpz } from './npy.js';

const FORMATS = ['idx', 'npy', 'npz', 'images'] as const;
const SYNTAX =
  'mnist, idx:IMAGES,LABELS, npy:IMAGES.npy,LABELS.npy, npz:FILE.npz[,IMAGES,LABELS] or images:FOLDER[,LABELS.csv]';

/** Whether a value names a data set (rather than a count or an index range). */
export function isDataSpec(value: string): boolean {
  return value === 'mnist' || FORMATS.some((f) => value.startsWith(`${f}:`));
}

/** Loads the data set a spec names, with a clear error for a spec of the wrong form. */
export function loadData(spec: string, opts: ReadOptions, key = '--data'): RawImages {
  if (spec === 'mnist') return mnistImages();
  const colon = spec.indexOf(':');
  const format = colon < 0 ? '' : spec.slice(0, colon);
  const parts = spec
    .slice(colon + 1)
    .split(',')
    .map((s) => s.trim());
  const bad = (want: string) => new MactileError(`${key}: expected ${want}, received ${JSON.stringify(spec)}`);
  if (!(FORMATS as readonly string[]).includes(format)) throw bad(SYNTAX);
  if (parts.some((p) => p === '')) throw bad(`${format}: followed by paths separated by commas, none empty`);
  if (format === 'idx') {
    if (parts.length !== 2) throw bad('idx:IMAGES,LABELS (two IDX files)');
    return loadIdx(spec, parts[0]!, parts[1]!, opts);
  }
  if (format === 'npy') {
    if (parts.length !== 2) throw bad('npy:IMAGES.npy,LABELS.npy (two .npy files)');
    return loadNpyPair(spec, parts[0]!, parts[1]!, opts);
  }
  if (format === 'npz') {
    if (parts.length !== 1 && parts.length !== 3) throw bad('npz:FILE.npz or npz:FILE.npz,IMAGES,LABELS');
    return loadNpz(spec, parts[0]!, { images: parts[1], labels: parts[2] }, opts);
  }
  if (parts.length > 2) throw bad('images:FOLDER or images:FOLDER,LABELS.csv');
  return loadFolder(spec, parts[0]!, parts[1], opts);
}
