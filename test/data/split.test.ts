/**
 * Fitting images to a model's input (scale, per-channel mean and std, centred padding, refusals) and the
 * calibration/test split (the held-out fifth, counts, index ranges, a second data set), on small data sets.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitImages, labelledImages } from '../../src/data/fit.js';
import { heldOutImages } from '../../src/data/held-out.js';
import type { RawImages } from '../../src/data/images.js';
import { loadSplit, parseSelection } from '../../src/data/split.js';
import { idxBytes, writeFiles } from '../helpers/datasets.js';

const raw = (count: number, h: number, w: number, c: number): RawImages => ({
  source: 'test',
  count,
  h,
  w,
  c,
  pixels: Uint8Array.from({ length: count * h * w * c }, (_, i) => (i * 37) % 256),
  labels: Int32Array.from({ length: count }, (_, i) => i % 10),
});

describe('fitting images to the model input', () => {
  it('scales uint8 by 1/255, normalises each channel and pads centred with black (the odd row below)', () => {
    const r = raw(2, 1, 2, 3);
    const mean = [0.5, 0.25, 0];
    const std = [0.5, 2, 1];
    const d = fitImages(r, [1], { h: 4, w: 4, c: 3 }, { mean, std }, 'm.onnx');
    expect(d.shape).toEqual({ h: 4, w: 4, c: 3 });
    expect([...d.labels]).toEqual([1]);
    // 1x2 in 4x4: top = 1 (the odd row at the bottom is 2 rows below), left = 1.
    const expected = new Float32Array(4 * 4 * 3);
    for (let p = 0; p < 16; p++) for (let k = 0; k < 3; k++) expected[p * 3 + k] = (0 - mean[k]!) / std[k]!;
    for (let x = 0; x < 2; x++)
      for (let k = 0; k < 3; k++)
        expected[(1 * 4 + 1 + x) * 3 + k] = (r.pixels[6 + x * 3 + k]! / 255 - mean[k]!) / std[k]!;
    expect(d.images).toEqual(expected);
    expect(labelledImages(d)[0]!.pixels).toEqual(expected);
  });

  it('takes float pixels as given and one mean and std for every channel', () => {
    const r: RawImages = { ...raw(1, 1, 1, 2), pixels: Float32Array.from([3, -1]) };
    expect([...fitImages(r, [0], { h: 1, w: 1, c: 2 }, { mean: [1], std: [2] }, 'm').images]).toEqual([1, -1]);
  });

  it('refuses another channel count, images larger than the input and a --mean of the wrong length', () => {
    const norm = { mean: [0], std: [1] };
    expect(() => fitImages(raw(1, 32, 32, 3), [0], { h: 32, w: 32, c: 1 }, norm, 'lenet5.onnx')).toThrow(
      'data test: 32x32x3 images (HxWxC), the model lenet5.onnx takes 32x32x1: the channel counts differ',
    );
    expect(() => fitImages(raw(1, 40, 30, 1), [0], { h: 32, w: 32, c: 1 }, norm, 'lenet5.onnx')).toThrow(
      'data test: 40x30x1 images, the model lenet5.onnx takes 32x32x1: mactile pads smaller images but does not resize larger ones (resize them to at most 32x32 first)',
    );
    expect(() => fitImages(raw(1, 2, 2, 3), [0], { h: 2, w: 2, c: 3 }, { mean: [0, 0], std: [1] }, 'm')).toThrow(
      '--mean: expected 1 value or 3 (one per channel of the model), received 2 (0,0)',
    );
  });
});

describe('the calibration and test split', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mactile-split-'));
  const images = (n: number, first: number) =>
    idxBytes(
      [n, 2, 2],
      Uint8Array.from({ length: 4 * n }, (_, i) => first + i),
    );
  const f = writeFiles(dir, {
    'a-images': images(20, 0),
    'a-labels': idxBytes(
      [20],
      Uint8Array.from({ length: 20 }, (_, i) => i),
    ),
    'b-images': images(3, 100),
    'b-labels': idxBytes([3], [7, 8, 9]),
    'tiny-images': images(4, 0),
    'tiny-labels': idxBytes([4], [0, 1, 2, 3]),
  });
  const a = `idx:${f['a-images']},${f['a-labels']}`;
  const b = `idx:${f['b-images']},${f['b-labels']}`;
  const input = { h: 2, w: 2, c: 1 };
  const split = (cal?: string, test?: string, data = a) =>
    loadSplit(
      {
        data,
        calibrationImages: cal === undefined ? undefined : parseSelection(cal, '--calibration-images'),
        testImages: test === undefined ? undefined : parseSelection(test, '--test-images'),
      },
      input,
      'm.onnx',
    );

  it('holds out the last fifth and calibrates on the rest (all of it when smaller than 500)', () => {
    const s = split();
    expect(s.test.indices).toEqual([16, 17, 18, 19]);
    expect(s.calibration.indices).toEqual([...Array(16).keys()]);
    expect([...s.test.labels]).toEqual([16, 17, 18, 19]);
    expect(s.test.images[0]).toBe(Math.fround(64 / 255)); // image 16's first pixel, 16 x 4, as 0..1
    expect(s.pool).toBe(16);
    expect(s.text).toEqual({
      test: `the last 4 images of ${a} (16:20)`,
      calibration: `16 evenly spaced of the 16 images of ${a} not held out`,
    });
  });

  it('counts take evenly spaced images; ranges take A to B-1 and leave the rest to the pool', () => {
    expect(split('4', '2').calibration.indices).toEqual([0, 4, 8, 12]);
    expect(split('4', '2').test.indices).toEqual([16, 18]);
    const r = split('2', '0:10');
    expect(r.test.indices).toEqual([...Array(10).keys()]);
    expect(r.calibration.indices).toEqual([10, 15]);
    expect(split('3:5', '10:12').calibration.indices).toEqual([3, 4]);
  });

  it('a second data set: all its images are the test (or calibration) images and all of --data is the pool', () => {
    const s = split('5', b);
    expect([...s.test.labels]).toEqual([7, 8, 9]);
    expect(s.test.source).toBe(b);
    expect(s.calibration.indices).toEqual([0, 4, 8, 12, 16]);
    expect([...split(b).calibration.labels]).toEqual([7, 8, 9]);
  });

  it('says when calibration images are also test images', () => {
    expect(split('0:5', '3:8').notes).toEqual([
      '2 calibration image(s) are also test images: the accuracy is not measured on held-out images only',
    ]);
    expect(split().notes).toEqual([]);
  });

  it('refuses counts past what they are taken from, ranges outside the data and a data set too small to split', () => {
    expect(() => split('17')).toThrow(
      `--calibration-images: expected a whole number from 1 to 16 (the 16 images of ${a} not held out), received 17`,
    );
    expect(() => split(undefined, '5')).toThrow(
      `--test-images: expected a whole number from 1 to 4 (the held-out images of ${a}), received 5`,
    );
    expect(() => split(undefined, '5:21')).toThrow(
      `--test-images 5:21: expected an index range A:B with 0 <= A < B <= 20 (the images of ${a}), received 5:21`,
    );
    expect(() => split('3:3')).toThrow(/--calibration-images 3:3: expected an index range A:B with 0 <= A < B <= 20/);
    expect(() => split(undefined, undefined, `idx:${f['tiny-images']},${f['tiny-labels']}`)).toThrow(
      /4 images are too few to hold out a fifth for the test; give --test-images A:B or a second data set/,
    );
    expect(() => parseSelection('0', '--test-images')).toThrow(
      '--test-images: expected a whole number, 1 or more, received 0',
    );
    expect(() => parseSelection('x.npz', '--test-images')).toThrow(
      /--test-images: expected a count N, an index range A:B \(images A to B-1\) or a data set .*received "x\.npz"/,
    );
  });

  it('--image N: the N-th test image, with the batch checked against the last', () => {
    const [x] = heldOutImages({ data: a }, input, 'm.onnx', 1, 1);
    expect(x!.label).toBe(17);
    expect(heldOutImages({ data: a, testImages: { spec: b } }, input, 'm.onnx', 1, 2).map((i) => i.label)).toEqual([
      8, 9,
    ]);
    expect(() => heldOutImages({ data: a }, input, 'm.onnx', 4, 1)).toThrow(
      '--image: expected a held-out image from 0 to 3, received 4',
    );
    expect(() => heldOutImages({ data: a }, input, 'm.onnx', 2, 3)).toThrow(
      '--image 2 with batch 3: the batch takes images 2 to 4, expected a first image from 0 to 1',
    );
  });
});
