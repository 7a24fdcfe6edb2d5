/**
 * The calibration and test images of a study. By default the last fifth of `--data` is held out for the
 * test (MNIST: its 2,000 held-out digits) and the rest is the calibration pool. `--test-images` is N (N
 * evenly spaced held-out images), A:B (images A to B-1 of --data; the pool is then every other image) or a
 * second data set (all its images; the pool is then all of --data). `--calibration-images` is N (N evenly
 * spaced images of the pool; default 500, or the whole pool if smaller), A:B (images of --data) or a data set.
 */
import type { Shape } from '../nets/ir.js';
import { MactileError } from '../util/errors.js';
import { fitImages, fitProblem, type DataSet, type Normalisation } from './fit.js';
import type { Layout, RawImages } from './images.js';
import { MNIST_NORM } from './mnist.js';
import { isDataSpec, loadData } from './spec.js';

/** The data options of a command: the data set, its normalisation and the layout of 4-D arrays. */
export interface DataOptions {
  data: string;
  mean?: number[];
  std?: number[];
  layout?: Layout;
}

/** An images option: a count, an index range A:B (B not included) or another data set. */
export type Selection = { count: number } | { start: number; end: number } | { spec: string };

const DEFAULT_CALIBRATION = 500;

/** Parses a --calibration-images or --test-images value (a count is checked against the data later). */
export function parseSelection(value: string, key: string): Selection {
  const v = value.trim();
  if (/^[-+]?\d+$/.test(v)) {
    const n = Number(v);
    if (n < 1) throw new MactileError(`${key}: expected a whole number, 1 or more, received ${v}`);
    return { count: n };
  }
  const m = /^(\d+):(\d+)$/.exec(v);
  if (m) return { start: Number(m[1]), end: Number(m[2]) };
  if (isDataSpec(v)) return { spec: v };
  throw new MactileError(
    `${key}: expected a count N, an index range A:B (images A to B-1) or a data set (mnist, idx:..., npy:..., npz:..., images:...), received ${JSON.stringify(value)}`,
  );
}

/** The normalisation of a data set: --mean and --std, else MNIST's for mnist and none (0 and 1) otherwise. */
export function normalisationOf(opts: DataOptions): Normalisation {
  const base = opts.data === 'mnist' ? MNIST_NORM : { mean: [0], std: [1] };
  return { mean: opts.mean ?? base.mean, std: opts.std ?? base.std };
}

/** One side of the split: the images taken, their data set and a description. */
export interface Part {
  raw: RawImages;
  indices: number[];
  text: string;
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const mnistWords = (raw: RawImages, mnist: string, other: string) => (raw.source === 'mnist' ? mnist : other);

/** The indices A:B of a data set, checked. */
function rangeOf(raw: RawImages, s: { start: number; end: number }, key: string): number[] {
  if (!(s.start < s.end && s.end <= raw.count))
    throw new MactileError(
      `${key} ${s.start}:${s.end}: expected an index range A:B with 0 <= A < B <= ${raw.count} (the images of ${raw.source}), received ${s.start}:${s.end}`,
    );
  return range(s.start, s.end);
}

/** A count checked against what it is taken from. */
function checkCount(n: number, max: number, key: string, what: string): number {
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new MactileError(
      `${key}: expected a whole number from 1 to ${max.toLocaleString('en-US')} (${what}), received ${n}`,
    );
  return n;
}

/** The test images (a range or the held-out fifth of --data, or a second data set) and the calibration pool. */
export function testPart(
  main: RawImages,
  sel: Selection | undefined,
  load: (spec: string, key: string) => RawImages,
): { test: Part; pool: number[] } {
  if (sel && 'spec' in sel) {
    const raw = load(sel.spec, '--test-images');
    const test = { raw, indices: range(0, raw.count), text: `all ${raw.count} images of ${raw.source}` };
    return { test, pool: range(0, main.count) };
  }
  if (sel && 'start' in sel) {
    const indices = rangeOf(main, sel, '--test-images');
    const pool = range(0, main.count).filter((i) => i < sel.start || i >= sel.end);
    return { test: { raw: main, indices, text: `images ${sel.start}:${sel.end} of ${main.source}` }, pool };
  }
  const held = Math.floor(main.count / 5);
  if (held === 0)
    throw new MactileError(
      `data ${main.source}: ${main.count} images are too few to hold out a fifth for the test; give --test-images A:B or a second data set`,
    );
  const first = main.count - held;
  const words = mnistWords(main, 'the held-out digits', `the held-out images of ${main.source}`);
  const n = sel ? checkCount(sel.count, held, '--test-images', words) : held;
  // Exactly n evenly spaced held-out images (all of them without a count).
  const indices = Array.from({ length: n }, (_, i) => first + Math.floor((i * held) / n));
  const which = n === held ? `the last ${held}` : `${n} evenly spaced of the last ${held}`;
  return {
    test: { raw: main, indices, text: `${which} images of ${main.source} (${first}:${main.count})` },
    pool: range(0, first),
  };
}

/** The calibration images: a range or a second data set, or N evenly spaced images of the pool. */
function calibrationPart(
  main: RawImages,
  pool: number[],
  sel: Selection | undefined,
  load: (spec: string, key: string) => RawImages,
): Part {
  if (sel && 'spec' in sel) {
    const raw = load(sel.spec, '--calibration-images');
    return { raw, indices: range(0, raw.count), text: `all ${raw.count} images of ${raw.source}` };
  }
  if (sel && 'start' in sel)
    return {
      raw: main,
      indices: rangeOf(main, sel, '--calibration-images'),
      text: `images ${sel.start}:${sel.end} of ${main.source}`,
    };
  if (pool.length === 0)
    throw new MactileError(
      `data ${main.source}: no images are left for calibration; give --calibration-images A:B or a data set`,
    );
  const n = checkCount(
    sel?.count ?? Math.min(DEFAULT_CALIBRATION, pool.length),
    pool.length,
    '--calibration-images',
    mnistWords(main, 'the training digits', `the ${pool.length} images of ${main.source} not held out`),
  );
  const step = pool.length / n;
  return {
    raw: main,
    indices: Array.from({ length: n }, (_, i) => pool[Math.floor(i * step)]!),
    text: `${n} evenly spaced of the ${pool.length} images of ${main.source} not held out`,
  };
}

/** Calibration and test images fitted to a model's input, described, with notes (overlaps). */
export interface Split {
  calibration: DataSet;
  test: DataSet;
  /** The images the calibration count is taken from (MNIST: 8,000 training digits). */
  pool: number;
  text: { calibration: string; test: string };
  norm: Normalisation;
  notes: string[];
}

/** Loads --data (and any second data set), splits it and fits both parts to the model's input. */
export function loadSplit(
  opts: DataOptions & { calibrationImages?: Selection; testImages?: Selection },
  input: Shape,
  model: string,
): Split {
  const read = { channels: input.c, layout: opts.layout };
  const main = loadData(opts.data, read);
  const problem = fitProblem(main, input, model);
  if (problem) throw new MactileError(problem);
  const load = (spec: string, key: string) => loadData(spec, read, key);
  const { test, pool } = testPart(main, opts.testImages, load);
  const cal = calibrationPart(main, pool, opts.calibrationImages, load);
  const notes: string[] = [];
  if (cal.raw === test.raw) {
    const t = new Set(test.indices);
    const both = cal.indices.filter((i) => t.has(i)).length;
    if (both > 0)
      notes.push(
        `${both} calibration image(s) are also test images: the accuracy is not measured on held-out images only`,
      );
  }
  const norm = normalisationOf(opts);
  return {
    calibration: fitImages(cal.raw, cal.indices, input, norm, model),
    test: fitImages(test.raw, test.indices, input, norm, model),
    pool: pool.length,
    text: { calibration: cal.text, test: test.text },
    norm,
    notes,
  };
}
