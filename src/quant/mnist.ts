/**
 * MNIST digits as the shipped models take them, for code and tests that use MNIST directly: the built-in data
 * set of src/data (in every class file the LAST 200 digits are held out for accuracy, 2,000 in all, and the
 * others, 8,000, are for training and calibration), padded from 28x28 to 32x32 with two zero pixels on each
 * side and normalised with MNIST's mean and standard deviation (src/data/fit.ts).
 */
import { fitImages } from '../data/fit.js';
import { HELD_OUT_PER_CLASS, MNIST_NORM, mnistImages } from '../data/mnist.js';
import { MactileError } from '../util/errors.js';

export { HELD_OUT_PER_CLASS };

export interface Digit {
  label: number;
  /** 32x32x1 normalised pixels, NHWC. */
  pixels: Float32Array;
  /** Index of the digit within its class file. */
  index: number;
}

let cache: { train: Digit[]; test: Digit[] } | undefined;

/** The fixed split: training/calibration digits (class by class, in file order) and the held-out digits. */
export function mnistSplit(): { train: Digit[]; test: Digit[] } {
  if (cache) return cache;
  const raw = mnistImages();
  const all = Array.from({ length: raw.count }, (_, i) => i);
  const fitted = fitImages(raw, all, { h: 32, w: 32, c: 1 }, MNIST_NORM, 'mnist');
  const digits = all.map((i) => ({
    label: raw.labels[i]!,
    pixels: fitted.images.subarray(i * 1024, (i + 1) * 1024),
    index: raw.classIndex[i]!,
  }));
  const first = raw.count - HELD_OUT_PER_CLASS * 10;
  cache = { train: digits.slice(0, first), test: digits.slice(first) };
  return cache;
}

/** Held-out digit `n` (what `--image N` names), with a clear error outside 0..1999. */
function heldOutDigit(n: number): Digit {
  const { test } = mnistSplit();
  if (!Number.isInteger(n) || n < 0 || n >= test.length)
    throw new MactileError(`--image: expected a held-out digit from 0 to ${test.length - 1}, received ${n}`);
  return test[n]!;
}

/** The `count` held-out digits from `first` (`--image N` with a batch), with a clear error past the last. */
export function heldOutDigits(first: number, count: number): Digit[] {
  const last = mnistSplit().test.length - 1;
  if (count > 1 && Number.isInteger(first) && first >= 0 && first + count - 1 > last)
    throw new MactileError(
      `--image ${first} with batch ${count}: the batch takes digits ${first} to ${first + count - 1}, expected a first digit from 0 to ${last - count + 1}`,
    );
  return Array.from({ length: count }, (_, i) => heldOutDigit(first + i));
}

/** Evenly spaced training digits for calibration (never held-out ones). */
export function calibrationDigits(count: number): Digit[] {
  const { train } = mnistSplit();
  const step = train.length / count;
  return Array.from({ length: Math.min(count, train.length) }, (_, i) => train[Math.floor(i * step)]!);
}
