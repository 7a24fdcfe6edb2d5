/**
 * The segment-by-segment CALC walk of ws and is IFMAP streams (scalesim-segments.ts) against the entry-by-entry
 * walk it replaces (walkStream): random small layers, arrays and group sizes, with windows outside the image,
 * strides above the kernel, channels fewer than the array rows (taps sharing words inside a fold) and several
 * column folds (the ws pass repeated, its cycles skipped). And the column-range word count (scalesim-taps.ts)
 * against listing the words.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distinctWords, ifmapAddresser, scaleSimLayer } from '../../src/analytic/scalesim-geometry.js';
import { walkStream } from '../../src/analytic/scalesim-read-calc.js';
import { segmentIfmapWalk } from '../../src/analytic/scalesim-segments.js';
import { tapWords, type KRange } from '../../src/analytic/scalesim-taps.js';
import type { Dataflow } from '../../src/config/schema.js';

const layerArb = (dataflow: Dataflow, wide: boolean) =>
  fc
    .record({
      rf: fc.integer({ min: 1, max: 4 }),
      sf: fc.integer({ min: 1, max: 4 }),
      sh: fc.integer({ min: 1, max: 4 }),
      sw: fc.integer({ min: 1, max: 4 }),
      dh: fc.integer({ min: 0, max: wide ? 4 : 10 }),
      dw: fc.integer({ min: 0, max: wide ? 60 : 10 }),
      ch: fc.integer({ min: 1, max: 6 }),
      n: fc.integer({ min: 1, max: 30 }),
      rows: fc.integer({ min: 1, max: 9 }),
      cols: fc.integer({ min: 1, max: 9 }),
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
        { rows: s.rows, cols: s.cols, dataflow },
      );
      return { L, G: 1 + Math.floor(s.g * (distinctWords(L, 'ifmap') - 1)) };
    });

describe('ws and is IFMAP CALC walk, segment by segment', () => {
  it.each([
    ['ws', false],
    ['ws', true],
    ['is', false],
    ['is', true],
  ] as const)('equals the entry-by-entry walk: %s (wide images: %s)', (df, wide) => {
    fc.assert(
      fc.property(layerArb(df, wide), ({ L, G }) => {
        expect(segmentIfmapWalk(L, G)).toEqual(walkStream(L, 'ifmap', G));
      }),
      { numRuns: 300, seed: wide ? 11 : 13 },
    );
  });
});

describe('column-range word counts', () => {
  it('tapWords equals listing the words of random column ranges and pixel intervals', () => {
    fc.assert(
      fc.property(
        layerArb('ws', false),
        fc.array(
          fc.tuple(
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.double({ min: 0, max: 1, noNaN: true }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        ({ L }, cuts) => {
          const I = ifmapAddresser(L),
            words = new Set<number>();
          const ranges = cuts.map(([u, v, p, q]): KRange => {
            const k1 = Math.floor(Math.min(u, v) * L.k),
              k2 = Math.min(L.k - 1, Math.floor(Math.max(u, v) * L.k));
            const a = Math.floor(Math.min(p, q) * L.m),
              b = Math.min(L.m - 1, Math.floor(Math.max(p, q) * L.m));
            for (let k = k1; k <= k2; k++) for (let m = a; m <= b; m++) if (I.addr(m, k) >= 0) words.add(I.addr(m, k));
            return { k1, k2, spans: [[a, b]] };
          });
          expect(tapWords(L, ranges)).toBe(words.size);
        },
      ),
      { numRuns: 400, seed: 17 },
    );
  });
});
