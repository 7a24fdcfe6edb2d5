/**
 * The NVDLA-style memory system's model (src/accel/nvdla/memory.ts): weight chunking (all at once, streamed
 * double-buffered, streamed single-buffered, output-limited, a partial kernel group stored without its unused
 * kernel slots, chunks of fewer than atomic_k kernels when no group fits), a schedule worked by hand, monotonicity in the
 * bandwidth, `calc` unchanged, and one-line errors naming the key for bad DRAM keys and buffers too small.
 */
import { describe, expect, it } from 'vitest';
import { nvChunking, nvMemSchedule, nvWeightWords } from '../../../src/accel/nvdla/memory.js';
import type { NvConv } from '../../../src/accel/nvdla/model.js';
import { nvConvCycles } from '../../../src/accel/nvdla/model.js';
import { analyzeNvdlaLayer } from '../../../src/accel/nvdla/network.js';
import { validateConfig } from '../../../src/config/load.js';
import type { NvdlaConfig } from '../../../src/config/schema.js';
import { macLayers } from '../../../src/nets/ir.js';
import { lenet5 } from '../../../src/nets/zoo/index.js';
import { MactileError } from '../../../src/util/errors.js';

const cfgOf = (extra: Record<string, unknown> = {}, dram: Record<string, unknown> = { bandwidth: 1 }) =>
  validateConfig(
    { kind: 'nvdla', atomic_c: 8, atomic_k: 8, weight_buffer_kb: 8, output_buffer_kb: 4, dram, ...extra },
    'nvmem-model',
  ) as NvdlaConfig;

const convOf = (c: number, k: number, r: number, out: number): NvConv => ({
  h: out + r - 1,
  w: out + r - 1,
  c,
  k,
  r,
  s: r,
  strideH: 1,
  strideW: 1,
  dilationH: 1,
  dilationW: 1,
  padTop: 0,
  padBottom: 0,
  padLeft: 0,
  padRight: 0,
  outH: out,
  outW: out,
  image: 0,
  group: 0,
  kernel0: 0,
  outRow0: 0,
  inRow0: 0,
});

describe('weight chunking', () => {
  const cfg = cfgOf();
  it('all weights at once when they fit the region and the outputs the buffer', () => {
    const ch = nvChunking(convOf(8, 16, 3, 4), cfg, 'a');
    expect([ch.kc, ch.chunks, ch.slots, ch.groupEntries]).toEqual([16, 1, 1, 9 * 8]);
    expect(ch.chunkWeightWords).toEqual([2 * 9 * 64]);
  });
  it('streamed, double-buffered, when a kernel group fits half the region', () => {
    // A group of 50 entries x 64 words = 3200 <= 4096: one group per half, 15 chunks (LeNet-5's fc1).
    const ch = nvChunking(convOf(400, 120, 1, 1), cfg, 'fc1');
    expect([ch.kc, ch.chunks, ch.slots]).toEqual([8, 15, 2]);
  });
  it('streamed, single-buffered, when a kernel group needs more than half the region', () => {
    // 9 channel blocks x 9 taps x 64 words = 5184 words per group > 4096, two groups > 8192.
    const ch = nvChunking(convOf(72, 16, 3, 4), cfg, 'big');
    expect([ch.kc, ch.chunks, ch.slots]).toEqual([8, 2, 1]);
  });
  it('output-limited chunks need not be whole kernel groups', () => {
    // 6 x 784 outputs > 4096 words: 2 kernels (1568 words) per half of 2048.
    const ch = nvChunking(convOf(1, 6, 5, 28), cfg, 'conv1');
    expect([ch.kc, ch.chunks, ch.slots]).toEqual([2, 3, 2]);
    expect(ch.chunkKernels).toEqual([2, 2, 2]);
  });
});

describe('a partial kernel group: ceil(k / weight_kernels_per_cycle) entries per tap', () => {
  // 2 channel blocks x 9 x 9 taps = 162 taps; a group of atomic_k = 8 kernel slots is 162 x 8 x 8 = 10368
  // words, more than the region's 8192.
  const taps = 2 * 9 * 9;
  it('fewer than atomic_k kernels: the image holds only the entries its kernels fill, and fits', () => {
    const cfg = cfgOf();
    expect(nvWeightWords(8, taps, cfg)).toBeGreaterThan(8192);
    const conv = convOf(16, 6, 9, 4);
    const ch = nvChunking(conv, cfg, 'c6');
    expect([ch.kc, ch.chunks, ch.slots, ch.taps, ch.groupEntries]).toEqual([6, 1, 1, taps, taps * 6]);
    expect(ch.chunkWeightWords).toEqual([taps * 6 * 8]);
    // The event model loads exactly that image.
    expect(nvMemSchedule(conv, cfg, 'c6').dramWeight).toBe(taps * 6 * 8);
  });
  it('with two kernels per entry, ceil(k / 2) entries of 2 x atomic_c words per tap', () => {
    const cfg = cfgOf({ weight_kernels_per_cycle: 2 });
    for (const [k, entries] of [
      [1, 1],
      [5, 3],
      [6, 3],
    ] as const) {
      expect(nvWeightWords(k, taps, cfg), `${k} kernels`).toBe(taps * entries * 16);
      expect(nvChunking(convOf(16, k, 9, 4), cfg, 'w2').chunkWeightWords).toEqual([taps * entries * 16]);
    }
  });
  it('atomic_k kernels or more keep ceil(atomic_k / weight_kernels_per_cycle) entries per tap and group', () => {
    const cfg = cfgOf({ weight_kernels_per_cycle: 3 });
    // 12 kernels: two groups (the second partial) of ceil(8 / 3) = 3 entries of 24 words.
    expect(nvWeightWords(12, 10, cfg)).toBe(10 * 2 * 3 * 24);
    expect(nvWeightWords(8, 10, cfg)).toBe(10 * 3 * 24);
    expect(nvWeightWords(4, 10, cfg)).toBe(10 * 2 * 24);
  });
  it('no group of atomic_k kernels fits: chunks of as many kernels as fit, single-buffered', () => {
    // 7 kernels: 162 x 7 x 8 = 9072 words > 8192; 6: 7776.
    const ch = nvChunking(convOf(16, 8, 9, 4), cfgOf(), 'c8');
    expect([ch.kc, ch.chunks, ch.slots]).toEqual([6, 2, 1]);
    expect(ch.chunkKernels).toEqual([6, 2]);
    expect(ch.chunkWeightWords).toEqual([taps * 6 * 8, taps * 2 * 8]);
  });
});

describe('the chunk schedule', () => {
  it('one chunk by hand: feature load, weight load, compute, drain, response', () => {
    const cfg = cfgOf({}, { bandwidth: 2, latency: 10, beat_words: 8 });
    const conv = convOf(8, 8, 1, 2); // 2x2 input of 8 channels, 8 kernels 1x1: 32 feature and 64 weight words
    const s = nvMemSchedule(conv, cfg, 'x');
    const cc = nvConvCycles(conv, cfg).total;
    // Feature: AR in 1, opens 12, 32 words at 2/cycle = 16 cycles to 27; weights: AR 28, opens 39, 32 cycles to
    // 70; compute 71..71+cc; drain of 32 words: AW at 72+cc, 16 cycles to 88+cc; response 10 later + 1.
    expect(s.cycles).toBe(88 + cc + 11);
    expect(s.compute).toBe(cc + 1);
    expect([s.stallFeature, s.stallWeight, s.stallOutput]).toEqual([27, 43, 88 + cc + 11 - (71 + cc)]);
    expect([s.dramFeature, s.dramWeight, s.dramOutput]).toEqual([32, 64, 32]);
  });
  it('more bandwidth never costs cycles, a latency costs at least itself; cycles = compute + stalls', () => {
    for (const l of macLayers(lenet5())) {
      const at = (bandwidth: number, latency = 0) => analyzeNvdlaLayer(l, cfgOf({}, { bandwidth, latency }));
      expect(at(4).cycles).toBeLessThanOrEqual(at(1).cycles);
      expect(at(64).cycles).toBeLessThanOrEqual(at(4).cycles);
      expect(at(4, 100).cycles).toBeGreaterThanOrEqual(at(4).cycles + 100);
      const p = at(0.25, 7);
      expect(p.cycles).toBe(p.computeCycles + p.stallCycles);
      expect(p.stallCycles).toBe(p.memory!.stallFeature + p.memory!.stallWeight + p.memory!.stallOutput);
    }
  });
  it('bandwidth calc keeps the compute-only model', () => {
    for (const l of macLayers(lenet5())) {
      const calc = analyzeNvdlaLayer(l, cfgOf({}, { bandwidth: 'calc' }));
      expect(calc.stallCycles).toBe(0);
      expect(calc.memory).toBeUndefined();
      expect(calc.cycles).toBe(analyzeNvdlaLayer(l, cfgOf({}, {})).cycles);
    }
  });
});

describe('errors', () => {
  const one = (f: () => unknown, message: RegExp) => {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MactileError);
    expect((err as Error).message.split('\n')).toHaveLength(1);
    expect((err as Error).message).toMatch(message);
  };
  it.each([
    [{ bandwidth: 0 }, /key 'dram.bandwidth': expected "calc" or a number from 0.01 to 1,000,000.*received 0/],
    [{ bandwidth: -1 }, /key 'dram.bandwidth': expected "calc" or a number .*received -1/],
    [{ bandwidth: 'fast' }, /key 'dram.bandwidth': expected "calc" or a positive number.*received "fast"/],
    [{ bandwidth: 1, latency: -1 }, /key 'dram.latency': expected an integer from 0 to 1000000, received -1/],
  ])('%j: one line naming the key, the range and the value', (dram, message) => {
    one(() => cfgOf({}, dram), message);
  });
  it('buffers too small: the key, the size needed and the size given', () => {
    one(
      () => nvChunking(convOf(1, 6, 5, 28), cfgOf({ output_buffer_kb: 1 }), 'conv1'),
      /^layer conv1 on nvmem-model cannot fit its memory system: key 'output_buffer_kb' needs at least 2 kB \(784 words in each half\), received 1$/,
    );
    one(
      () => nvChunking(convOf(1200, 16, 3, 2), cfgOf({ weight_buffer_kb: 8 }), 'w'),
      /key 'weight_buffer_kb' needs at least 11 kB \(10800 words of one kernel\), received 8$/,
    );
  });
  it('the compute-only DMA term is refused with a numeric bandwidth', () => {
    one(
      () =>
        validateConfig(
          { kind: 'nvdla', atomic_c: 8, atomic_k: 8, dma_words_per_cycle: 4, dram: { bandwidth: 2 } },
          'x',
        ),
      /key 'dma_words_per_cycle'.*remove the key/,
    );
  });
});
