/**
 * The fold-by-fold CALC walk of an os IFMAP stream (scalesim-os-ifmap.ts) against the entry-by-entry walk it
 * replaces (walkStream, SCALE-Sim's set window applied to every demanded address): random small layers, arrays
 * and group sizes, including wide images on short arrays (interior folds, whose segments are reused by start
 * key), windows outside the image, strides above the kernel and several column folds. And the counts of pixel
 * windows (scalesim-cover.ts) against listing the words.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { windowsHold, windowWords, type Span } from '../../src/analytic/scalesim-cover.js';
import {
  distinctWords,
  ifmapAddresser,
  scaleSimLayer,
  type ScaleSimLayer,
} from '../../src/analytic/scalesim-geometry.js';
import { osIfmapWalk } from '../../src/analytic/scalesim-os-ifmap.js';
import { walkStream } from '../../src/analytic/scalesim-read-calc.js';

const layerArb = (wide: boolean) =>
  fc
    .record({
      rf: fc.integer({ min: 1, max: 4 }),
      sf: fc.integer({ min: 1, max: 4 }),
      sh: fc.integer({ min: 1, max: 4 }),
      sw: fc.integer({ min: 1, max: 4 }),
      dh: fc.integer({ min: 0, max: wide ? 6 : 12 }),
      dw: fc.integer({ min: 0, max: wide ? 90 : 12 }),
      ch: fc.integer({ min: 1, max: 5 }),
      n: fc.integer({ min: 1, max: 40 }),
      rows: fc.integer({ min: 1, max: wide ? 5 : 10 }),
      cols: fc.integer({ min: 1, max: 10 }),
      g: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map((s) => {
      const L = scaleSimLayer(
        {
          name: 'p',
          ifmapH: s.rf + s.dh,
          ifmapW: s.sf + s.dw,
          filterH: s.rf,
          filterW: s.sf,
          channels: s.ch,
          numFilter: s.n,
          strideH: s.sh,
          strideW: s.sw,
        },
        { rows: s.rows, cols: s.cols, dataflow: 'os' },
      );
      // A group of at least 1 and at most the distinct words (fewer distinct words is the closed form without a walk).
      return { L, G: 1 + Math.floor(s.g * (distinctWords(L, 'ifmap') - 1)) };
    });

describe('os IFMAP CALC walk, fold by fold', () => {
  it.each([
    ['small layers and arrays', false],
    ['wide images on short arrays (interior folds)', true],
  ])('equals the entry-by-entry walk: %s', (_, wide) => {
    fc.assert(
      fc.property(layerArb(wide), ({ L, G }) => {
        expect(osIfmapWalk(L, G)).toEqual(walkStream(L, 'ifmap', G));
      }),
      { numRuns: 400, seed: wide ? 7 : 3 },
    );
  });
});

/** The distinct words of the windows of a pixel set, listed. */
function listed(L: ScaleSimLayer, set: Span[]): Set<number> {
  const I = ifmapAddresser(L),
    words = new Set<number>();
  for (const [a, b] of set)
    for (let m = a; m <= b; m++)
      for (let k = 0; k < L.k; k++) {
        const at = I.addr(m, k);
        if (at >= 0) words.add(at);
      }
  return words;
}

describe('window counts of pixel sets', () => {
  it('windowWords and windowsHold agree with listing the words of one or two raster intervals', () => {
    fc.assert(
      fc.property(
        layerArb(false),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), {
          minLength: 1,
          maxLength: 2,
        }),
        ({ L }, cuts) => {
          const set = cuts.map(([u, v]): Span => {
            const a = Math.floor(u * L.m),
              b = Math.floor(v * L.m);
            return [Math.min(a, b), Math.min(L.m - 1, Math.max(a, b))];
          });
          const disjoint = set.length < 2 || set[0]![1] < set[1]![0] || set[1]![1] < set[0]![0];
          const words = listed(L, set);
          if (disjoint) expect(windowWords(L, set)).toBe(words.size);
          for (let y = 0; y < L.h; y++)
            for (let x = 0; x < L.w; x++) expect(windowsHold(L, set, y, x)).toBe(words.has((y * L.w + x) * L.ch));
        },
      ),
      { numRuns: 300, seed: 5 },
    );
  });
});
