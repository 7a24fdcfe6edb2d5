/**
 * The exact model of the systolic memory system (src/accel/systolic/memory.ts) on its own: the burst timing
 * against a cycle-by-cycle replay of the DRAM credit rule of docs/MEMORY.md, the tiling and its errors, the
 * DRAM keys' errors, the stall split and the speed of a whole network.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accelOf } from '../../../src/accel/registry.js';
import { blockBursts, burstCycles, BW_ONE } from '../../../src/accel/dram.js';
import { memGemmSchedule, memTiling } from '../../../src/accel/systolic/memory.js';
import { validateConfig } from '../../../src/config/load.js';
import type { SystolicConfig } from '../../../src/config/schema.js';
import { macLayers } from '../../../src/nets/ir.js';
import { alexnet, efficientnetB0, lenet5 } from '../../../src/nets/zoo/index.js';
import { MactileError } from '../../../src/util/errors.js';

const cfgOf = (extra: Record<string, unknown> = {}, dram: Record<string, unknown> = {}) =>
  validateConfig(
    { kind: 'systolic', rows: 8, cols: 8, dataflow: 'os', dram: { bandwidth: 2, ...dram }, ...extra },
    'mem-model',
  ) as SystolicConfig;

/** The driver's rule, replayed cycle by cycle: credit from the opening, a beat when the credit covers it. */
function replayBurst(words: number, bwFixed: number, beat: number): number {
  let credit = 0;
  let sent = 0;
  for (let t = 1; ; t++) {
    credit = Math.min(credit + bwFixed, beat * BW_ONE + bwFixed);
    const n = Math.min(beat, words - sent);
    if (credit >= n * BW_ONE) {
      credit -= n * BW_ONE;
      sent += n;
      if (sent === words) return t;
    }
  }
}

describe('DRAM burst timing', () => {
  it('equals the cycle-by-cycle credit rule for random lengths, bandwidths and beat widths', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: Math.round(0.25 * BW_ONE), max: 64 * BW_ONE }),
        fc.integer({ min: 1, max: 64 }),
        (words, bwFixed, beat) => {
          expect(burstCycles(words, { bwFixed, beat, latency: 0 })).toBe(replayBurst(words, bwFixed, beat));
        },
      ),
      { numRuns: 2000, seed: 41 },
    );
  });
  it('examples: a quarter word per cycle, a bus narrower than the bandwidth, a partial last beat', () => {
    expect(burstCycles(10, { bwFixed: BW_ONE / 4, beat: 64, latency: 0 })).toBe(40);
    expect(burstCycles(100, { bwFixed: 64 * BW_ONE, beat: 4, latency: 0 })).toBe(25);
    // 4 words at 2.5 per cycle in beats of 3: the full beat in cycle 2, the last word in cycle 3 (one beat a cycle).
    expect(burstCycles(4, { bwFixed: 2.5 * BW_ONE, beat: 3, latency: 0 })).toBe(3);
  });
  it('a block is one burst when it is whole rows, else one burst per row', () => {
    expect(blockBursts(5, 12, 12)).toEqual({ bursts: 1, words: 60 });
    expect(blockBursts(1, 7, 12)).toEqual({ bursts: 1, words: 7 });
    expect(blockBursts(5, 7, 12)).toEqual({ bursts: 5, words: 7 });
  });
});

describe('tiling that fits the scratchpads', () => {
  it('tiles stay within half of each scratchpad, aligned to the array, covering the GEMM', () => {
    fc.assert(
      fc.property(
        fc.record({
          m: fc.integer({ min: 1, max: 5000 }),
          k: fc.integer({ min: 1, max: 500 }),
          n: fc.integer({ min: 1, max: 700 }),
          kb: fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })),
          dataflow: fc.constantFrom('os', 'ws', 'is'),
          precision: fc.constantFrom('int8', 'int16'),
        }),
        ({ m, k, n, kb, dataflow, precision }) => {
          const cfg = cfgOf({ dataflow, precision, sram: { ifmap_kb: kb[0], filter_kb: kb[1], ofmap_kb: kb[2] } });
          const words = (x: number) => Math.floor((x * 1024) / (precision === 'int8' ? 1 : 2) / 2);
          let t;
          try {
            t = memTiling({ m, k, n, count: 1 }, cfg, 'l');
          } catch (e) {
            expect(e).toBeInstanceOf(MactileError);
            expect(k > words(kb[0]) || k > words(kb[1])).toBe(true);
            return;
          }
          const acc = dataflow === 'os' ? 0 : precision === 'int8' ? 4 : 3;
          expect(t.mt * k).toBeLessThanOrEqual(words(kb[0]));
          expect(t.nt * k).toBeLessThanOrEqual(words(kb[1]));
          expect(t.mt * t.nt * (1 + acc)).toBeLessThanOrEqual(words(kb[2]));
          expect([t.mTiles, t.nTiles]).toEqual([Math.ceil(m / t.mt), Math.ceil(n / t.nt)]);
          expect(t.mt * t.nt).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 500, seed: 42 },
    );
  });
  it('a scratchpad too small for one row of K is a one-line error naming the key, the size needed and the size given', () => {
    const cfg = cfgOf({ sram: { ifmap_kb: 4, filter_kb: 64, ofmap_kb: 64 } });
    expect(() => memTiling({ m: 1, k: 4608, n: 10, count: 1 }, cfg, 'fc1')).toThrow(
      /^layer fc1 on mem-model cannot fit its scratchpads: key 'sram.ifmap_kb' needs at least 9 kB \(4608 words in each half of the double buffer\), received 4$/,
    );
    const f = cfgOf({ precision: 'int16', sram: { ifmap_kb: 64, filter_kb: 2, ofmap_kb: 64 } });
    expect(() => memTiling({ m: 1, k: 600, n: 10, count: 1 }, f, 'c')).toThrow(
      /key 'sram.filter_kb' needs at least 3 kB \(600 words in each half of the double buffer\), received 2$/,
    );
  });
});

describe('DRAM keys', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [
      { bandwidth: 0 },
      /key 'dram.bandwidth': expected "calc" or a number from 0.01 to 1,000,000 \(words per cycle\), received 0/,
    ],
    [{ bandwidth: -2 }, /key 'dram.bandwidth': expected "calc" or a number .*received -2/],
    [{ bandwidth: 'fast' }, /key 'dram.bandwidth': expected "calc" or a positive number.*received "fast"/],
    [{ bandwidth: 1, latency: -1 }, /key 'dram.latency': expected an integer from 0 to 1000000, received -1/],
    [{ bandwidth: 1, latency: 2.5 }, /key 'dram.latency': expected an integer from 0 to 1000000, received 2.5/],
    [{ bandwidth: 1, beat_words: 0 }, /key 'dram.beat_words': expected an integer from 1 to 256, received 0/],
  ];
  it.each(bad)('%j: one line naming the key, the range and the value', (dram, message) => {
    let err: unknown;
    try {
      validateConfig({ kind: 'systolic', rows: 2, cols: 2, dataflow: 'os', dram }, 'bad');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MactileError);
    expect((err as Error).message.split('\n')).toHaveLength(1);
    expect((err as Error).message).toMatch(message);
  });
});

describe('the tile event model', () => {
  it('cycles are compute plus stalls; DRAM words are each operand once when the blocks stay resident', () => {
    const cfg = cfgOf({}, { bandwidth: 1, latency: 10 });
    const s = memGemmSchedule({ m: 16, k: 9, n: 6, count: 1 }, cfg, 'small');
    expect(s.tiles).toBe(1);
    expect(s.cycles).toBe(s.compute + s.stallIfmap + s.stallFilter + s.stallOfmap);
    expect([s.dramIfmap, s.dramFilter, s.dramOfmap]).toEqual([144, 54, 96]);
    // IFMAP: first AR in cycle 1, data cycles 12..155; FILTER: AR in 156, data 167..220; the tile starts in 221
    // and computes 50 cycles (2 folds of 23, read latency 1, output 3) to 271; its 96 outputs (whole rows of O,
    // one burst) drain in 273..368; the response comes in 379.
    expect(s.stallIfmap).toBe(155);
    expect(s.stallFilter).toBe(65);
    expect(s.compute).toBe(51);
    expect(s.stallOfmap).toBe(379 - 271);
    expect(s.cycles).toBe(379);
  });
  it('more bandwidth never costs cycles, and a latency costs at least itself', () => {
    for (const l of macLayers(lenet5())) {
      const at = (bandwidth: number, latency = 0) =>
        accelOf(cfgOf({}, { bandwidth, latency })).predictLayer(l, cfgOf({}, { bandwidth, latency })).cycles;
      expect(at(1)).toBeGreaterThanOrEqual(at(4));
      expect(at(4)).toBeGreaterThanOrEqual(at(64));
      expect(at(4, 100)).toBeGreaterThanOrEqual(at(4) + 100);
    }
  });
  it('predicts all of EfficientNet-B0 (and AlexNet) with stalls in well under a second', () => {
    const cfg = cfgOf({ rows: 16, cols: 16 }, { bandwidth: 1, latency: 100 });
    const t0 = performance.now();
    const a = accelOf(cfg).analyzeNetwork(efficientnetB0(), cfg);
    const b = accelOf(cfg).analyzeNetwork(alexnet(), cfg);
    const seconds = (performance.now() - t0) / 1000;
    expect(a.totals.stallCycles).toBeGreaterThan(0);
    expect(b.totals.stallCycles).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(1);
  });
});
