/**
 * Each data-set format loads exactly what was written (pixels NHWC, labels), from small files made on the fly;
 * and each refuses a wrong shape, a label count that does not match, a corrupt file or an unknown array name
 * with the file, what was expected and what was received.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/spec.js';
import { rng } from '../../src/quant/random.js';
import { idxBytes, jpegBytes, npyBytes, npzBytes, pngBytes, writeFiles } from '../helpers/datasets.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-data-'));
const r = rng(17);
const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
const N = 5;
const [H, W] = [4, 5];
const grey = bytes(N * H * W);
const rgb = bytes(N * H * W * 3); // NHWC
const labels = Uint8Array.from([3, 0, 9, 1, 1]);

/** NHWC values reordered to NCHW. */
function nchw(x: Uint8Array, c: number): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let n = 0; n < N; n++)
    for (let p = 0; p < H * W; p++)
      for (let k = 0; k < c; k++) out[(n * c + k) * H * W + p] = x[(n * H * W + p) * c + k]!;
  return out;
}

describe('IDX files', () => {
  const f = writeFiles(join(dir, 'idx'), {
    'images-idx3-ubyte': idxBytes([N, H, W], grey),
    'labels-idx1-ubyte': idxBytes([N], labels),
    'images-idx3-ubyte.gz': gzipSync(idxBytes([N, H, W], grey)),
    'float-idx3': idxBytes(
      [N, H, W],
      Float32Array.from(grey, (v) => v / 8),
      0x0d,
    ),
    'four-labels': idxBytes([4], labels.subarray(0, 4)),
    'short-images': idxBytes([N, H, W], grey).subarray(0, 30),
    'not-idx.png': pngBytes(2, 2, 1, [0, 1, 2, 3]),
  });
  const idx = (images: string, lab = 'labels-idx1-ubyte') => `idx:${f[images]},${f[lab]}`;

  it('N x H x W uint8 images (plain or gzipped) and their labels, exactly', () => {
    for (const file of ['images-idx3-ubyte', 'images-idx3-ubyte.gz']) {
      const d = loadData(idx(file), { channels: 1 });
      expect({ count: d.count, h: d.h, w: d.w, c: d.c }).toEqual({ count: N, h: H, w: W, c: 1 });
      expect(d.pixels).toEqual(grey);
      expect([...d.labels]).toEqual([...labels]);
    }
  });

  it('float32 images (type 0x0d, big-endian) as given', () => {
    const d = loadData(idx('float-idx3'), { channels: 1 });
    expect(d.pixels).toEqual(Float32Array.from(grey, (v) => v / 8));
  });

  it('refuses a label count that does not match, a truncated file and a file that is not IDX', () => {
    expect(() => loadData(idx('images-idx3-ubyte', 'four-labels'), { channels: 1 })).toThrow(
      /labels file .*four-labels for 5 images in .*images-idx3-ubyte: expected 5 labels \(one per image\), received 4/,
    );
    expect(() => loadData(idx('short-images'), { channels: 1 })).toThrow(
      /images file .*short-images: expected 116 bytes for 5 x 4 x 5 uint8 values, received 30/,
    );
    expect(() => loadData(idx('not-idx.png'), { channels: 1 })).toThrow(
      /images file .*not-idx\.png: expected an IDX file \(two zero bytes, a type byte, a dimension count\), received the bytes 89 50 4e 47/,
    );
    expect(() => loadData(`idx:${join(dir, 'absent')},${f['labels-idx1-ubyte']}`, { channels: 1 })).toThrow(
      /images file .*absent: cannot read it \(ENOENT\)/,
    );
  });
});

describe('.npy pairs and .npz archives', () => {
  const rgbF32 = Float32Array.from(rgb, (v) => v / 255);
  const square = bytes(N * 27);
  const f = writeFiles(join(dir, 'npy'), {
    'nhwc.npy': npyBytes([N, H, W, 3], rgbF32),
    'nchw.npy': npyBytes([N, 3, H, W], nchw(rgb, 3)),
    'grey.npy': npyBytes([N, H, W], grey),
    'labels64.npy': npyBytes(
      [N],
      BigInt64Array.from(labels, (v) => BigInt(v)),
    ),
    'labels-f8.npy': npyBytes([N], Float64Array.from(labels)),
    'labels-half.npy': npyBytes([N], Float64Array.from([1, 2.5, 0, 0, 0])),
    'labels4.npy': npyBytes([4], Int32Array.from(labels.subarray(0, 4))),
    'flat.npy': npyBytes([N, H * W], grey),
    'square.npy': npyBytes([N, 3, 3, 3], square),
    'big-endian.npy': npyBytes([N, H, W], Float32Array.from(grey), { descr: '>f4' }),
    'fortran.npy': npyBytes([N, H, W], grey, { fortran: true }),
    'int32.npy': npyBytes([N, H, W], Int32Array.from(grey)),
    'short.npy': npyBytes([N, H, W], grey).subarray(0, npyBytes([N, H, W], grey).length - 10),
    'default.npz': npzBytes({
      x: npyBytes([N, 3, H, W], nchw(rgb, 3)),
      y: npyBytes([N], Int32Array.from(labels)),
    }),
    'keras.npz': npzBytes({
      x_train: npyBytes([N, H, W], grey),
      y_train: npyBytes([N], labels),
      x_test: npyBytes([2, H, W], grey.subarray(0, 2 * H * W)),
      y_test: npyBytes([2], labels.subarray(3)),
    }),
    'corrupt.npz': bytes(100),
  });
  const npy = (x: string, y = 'labels64.npy') => `npy:${f[x]},${f[y]}`;

  it('NHWC float32 and NCHW uint8 images give the same NHWC pixels; int64 and whole float64 labels', () => {
    const a = loadData(npy('nhwc.npy'), { channels: 3 });
    const b = loadData(npy('nchw.npy', 'labels-f8.npy'), { channels: 3 });
    expect({ count: a.count, h: a.h, w: a.w, c: a.c }).toEqual({ count: N, h: H, w: W, c: 3 });
    expect({ count: b.count, h: b.h, w: b.w, c: b.c }).toEqual({ count: N, h: H, w: W, c: 3 });
    expect(a.pixels).toEqual(rgbF32);
    expect(b.pixels).toEqual(rgb);
    expect([...a.labels]).toEqual([...labels]);
    expect([...b.labels]).toEqual([...labels]);
    expect(loadData(npy('grey.npy'), { channels: 1 }).pixels).toEqual(grey);
  });

  it('--layout decides a 4-D array the channel count cannot (N x 3 x 3 x 3)', () => {
    expect(() => loadData(npy('square.npy'), { channels: 3 })).toThrow(
      /square\.npy: cannot tell NHWC from NCHW in 5 x 3 x 3 x 3 for a model of 3 channel\(s\); give --layout nhwc or --layout nchw/,
    );
    const a = loadData(npy('square.npy'), { channels: 3, layout: 'nhwc' });
    const b = loadData(npy('square.npy'), { channels: 3, layout: 'nchw' });
    expect(a.pixels).toEqual(square);
    // Value 1 is pixel 1 of channel 0 in NCHW, value 9 pixel 0 of channel 1 (3 x 3 planes).
    expect([b.pixels[3], b.pixels[1]]).toEqual([square[1], square[9]]);
  });

  it('refuses a wrong shape, a label count that does not match and arrays npyjs would misread', () => {
    const bad: [string, string, RegExp][] = [
      [
        'flat.npy',
        'labels64.npy',
        /flat\.npy: expected images as N x H x W or N x H x W x C \(or N x C x H x W\), received 2 dimensions \(5 x 20\)/,
      ],
      [
        'grey.npy',
        'labels4.npy',
        /labels4\.npy for 5 images in .*grey\.npy: expected 5 labels \(one per image\), received 4/,
      ],
      [
        'grey.npy',
        'labels-half.npy',
        /labels-half\.npy .*: expected labels that are whole numbers from 0, received 2\.5 at index 1/,
      ],
      ['grey.npy', 'grey.npy', /labels file .*grey\.npy: expected a 1-D array of labels, received shape 5 x 4 x 5/],
      ['big-endian.npy', 'labels64.npy', /big-endian\.npy: expected a little-endian array, received a big-endian one/],
      ['fortran.npy', 'labels64.npy', /fortran\.npy: expected a C-ordered array, received Fortran order/],
      ['int32.npy', 'labels64.npy', /int32\.npy: expected uint8, float32 or float64 images, received dtype i4/],
      ['short.npy', 'labels64.npy', /short\.npy: expected 100 values for shape 5 x 4 x 5, received 90/],
      [
        'default.npz',
        'labels64.npy',
        /default\.npz: expected a \.npy array \(it starts with \\x93NUMPY\), received other bytes/,
      ],
    ];
    for (const [x, y, message] of bad) expect(() => loadData(npy(x, y), { channels: 1 }), x).toThrow(message);
  });

  it('an archive: x and y by default, named arrays, and an error listing its arrays', () => {
    const d = loadData(`npz:${f['default.npz']}`, { channels: 3 });
    expect(d.pixels).toEqual(rgb);
    expect([...d.labels]).toEqual([...labels]);
    expect(() => loadData(`npz:${f['keras.npz']}`, { channels: 1 })).toThrow(
      /keras\.npz: the images could be any of x_train, x_test; name the arrays as npz:FILE,IMAGES,LABELS/,
    );
    const t = loadData(`npz:${f['keras.npz']},x_test,y_test`, { channels: 1 });
    expect(t.pixels).toEqual(grey.subarray(0, 2 * H * W));
    expect([...t.labels]).toEqual([1, 1]);
    expect(() => loadData(`npz:${f['keras.npz']},images,y_test`, { channels: 1 })).toThrow(
      /keras\.npz: expected an array named "images" \(the images\), the archive holds x_train, y_train, x_test, y_test/,
    );
    expect(() => loadData(`npz:${f['corrupt.npz']}`, { channels: 1 })).toThrow(
      /corrupt\.npz: expected a \.npz \(zip\) archive, received a corrupt one/,
    );
  });
});

describe('a folder of PNG and JPEG images with a labels CSV', () => {
  const img = (x: Uint8Array, n: number, c: number) => x.subarray(n * H * W * c, (n + 1) * H * W * c);
  const names = Array.from({ length: N }, (_, n) => `${n}.png`);
  const csv = (files: string[]) => `filename,label\n${files.map((f, n) => `${f},${labels[n]}`).join('\n')}\n`;
  const files: Record<string, Uint8Array | string> = {
    'labels.csv': csv(names),
    'rgb.csv': csv(names.map((f) => `rgb-${f}`)),
  };
  for (let n = 0; n < N; n++) {
    files[`${n}.png`] = pngBytes(H, W, 1, img(grey, n, 1));
    files[`rgb-${n}.png`] = pngBytes(H, W, 3, img(rgb, n, 3));
    files[`${n}.jpg`] = jpegBytes(H, W, 3, img(rgb, n, 3), 100);
  }
  files['jpg.csv'] = csv(names.map((f) => f.replace('.png', '.jpg')));
  files['broken.png'] = pngBytes(H, W, 1, img(grey, 0, 1)).subarray(0, 40);
  files['broken.csv'] = 'broken.png,1\n';
  files['big.png'] = pngBytes(H + 1, W, 1, bytes((H + 1) * W));
  files['sizes.csv'] = '0.png,1\nbig.png,2\n';
  files['text.csv'] = 'labels.csv,1\n';
  files['label.csv'] = '0.png,1\n1.png,cat\n';
  const folder = join(dir, 'images');
  writeFiles(folder, files);

  it('grey PNGs for a 1-channel model and RGB PNGs for a 3-channel one, exactly, in the order of the CSV', () => {
    const g = loadData(`images:${folder}`, { channels: 1 });
    expect({ count: g.count, h: g.h, w: g.w, c: g.c }).toEqual({ count: N, h: H, w: W, c: 1 });
    expect(g.pixels).toEqual(grey);
    expect([...g.labels]).toEqual([...labels]);
    const c = loadData(`images:${folder},${join(folder, 'rgb.csv')}`, { channels: 3 });
    expect(c.pixels).toEqual(rgb);
    // A grey image for a 3-channel model: R = G = B.
    const g3 = loadData(`images:${folder}`, { channels: 3 });
    expect(g3.pixels.filter((_, i) => i % 3 === 1)).toEqual(grey);
  });

  it('JPEG at quality 100: what jpeg-js decodes, within 4 levels of the pixels encoded (JPEG is lossy)', () => {
    const d = loadData(`images:${folder},${join(folder, 'jpg.csv')}`, { channels: 3 });
    let worst = 0;
    for (let n = 0; n < N; n++) {
      const dec = jpeg.decode(files[`${n}.jpg`] as Uint8Array, { useTArray: true, formatAsRGBA: true });
      for (let p = 0; p < H * W; p++)
        for (let k = 0; k < 3; k++) {
          const got = d.pixels[(n * H * W + p) * 3 + k]!;
          expect(got).toBe(dec.data[4 * p + k]);
          worst = Math.max(worst, Math.abs(got - rgb[(n * H * W + p) * 3 + k]!));
        }
    }
    expect(worst).toBeLessThanOrEqual(4); // 3 at worst over 50 random 4x5 RGB images
  });

  it('refuses colour for a 1-channel model, a corrupt image, another size, a file that is no image and a bad label', () => {
    const at =
      (csvName: string, channels = 1) =>
      () =>
        loadData(`images:${folder},${join(folder, csvName)}`, { channels });
    expect(at('rgb.csv')).toThrow(
      /image .*rgb-0\.png \(line 2 of .*rgb\.csv\): expected a greyscale image \(the model takes 1 channel\), received colour \(R,G,B = \d+,\d+,\d+ at x 0, y 0\)/,
    );
    expect(at('broken.csv')).toThrow(/image .*broken\.png \(line 1 of .*broken\.csv\): a corrupt PNG image/);
    expect(at('sizes.csv')).toThrow(
      /image .*big\.png \(line 2 of .*\): expected 4x5 pixels \(the size of 0\.png\), received 5x5/,
    );
    expect(at('text.csv')).toThrow(
      /image .*labels\.csv \(line 1 of .*\): expected a PNG or JPEG image, received other bytes/,
    );
    expect(at('label.csv')).toThrow(
      /labels CSV .*label\.csv: expected labels that are whole numbers from 0, received NaN at index 1/,
    );
    expect(at('labels.csv', 4)).toThrow(/PNG and JPEG images give 1 \(grey\) or 3 \(RGB\) channels, the model takes 4/);
  });
});
