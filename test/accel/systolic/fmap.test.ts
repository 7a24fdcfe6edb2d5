/**
 * The nhwc layout of the IFMAP scratchpad in the model (src/accel/systolic/fmap.ts, docs/MEMORY.md stage 2):
 * the block of input rows a tile needs, the M-tile that fits, the DRAM words and the first stalls of a
 * schedule, each against a case worked out by hand; the im2col layout's figures unchanged beside it.
 */
import { describe, expect, it } from 'vitest';
import { fmapBlock, layerFmap, memFmap } from '../../../src/accel/systolic/fmap.js';
import { memGemmSchedule, memTiling } from '../../../src/accel/systolic/memory.js';
import { layerGemm } from '../../../src/accel/systolic/gemm.js';
import { validateConfig } from '../../../src/config/load.js';
import type { SystolicConfig } from '../../../src/config/schema.js';
import { NetBuilder } from '../../../src/nets/builder.js';
import { macLayers, type MacLayer } from '../../../src/nets/ir.js';
import { MactileError } from '../../../src/util/errors.js';

const convLayer = (h: number, w: number, c: number, o: Parameters<NetBuilder['conv']>[1]): MacLayer => {
  const b = new NetBuilder('fmap-case', { h, w, c });
  b.conv('conv', o);
  return macLayers(b.build())[0]!;
};

const cfgOf = (layout: 'im2col' | 'nhwc', dataflow = 'ws', ifmap_kb = 1) =>
  validateConfig(
    {
      kind: 'systolic',
      rows: 8,
      cols: 8,
      dataflow,
      sram: { ifmap_kb, filter_kb: 4, ofmap_kb: 4, ifmap_layout: layout },
      dram: { bandwidth: 1, latency: 0, beat_words: 64 },
    },
    `fmap-${layout}`,
  ) as SystolicConfig;

describe('the block of input rows of a tile', () => {
  // 5x5x2 input, 3x3 kernel, stride 2, padding 1: a 3x3 output, each output row needing input rows 2r-1 .. 2r+1.
  const f = layerFmap(convLayer(5, 5, 2, { out: 4, k: 3, stride: 2, pad: 1 }));
  it('is the rows of the first through the last output row, clamped to the image (halo included)', () => {
    expect([f.oh, f.ow]).toEqual([3, 3]);
    expect(fmapBlock(f, 0, 3)).toEqual({ first: 0, rows: 2, words: 20 }); // rows -1..1: the top padding clamped
    expect(fmapBlock(f, 3, 3)).toEqual({ first: 1, rows: 3, words: 30 }); // rows 1..3
    expect(fmapBlock(f, 6, 3)).toEqual({ first: 3, rows: 2, words: 20 }); // rows 3..5: the bottom row clamped
    expect(fmapBlock(f, 2, 2)).toEqual({ first: 0, rows: 4, words: 40 }); // pixels (0,2), (1,0): rows -1..3
  });
  it('spans images of a batch as one range of the NHWC tensor', () => {
    const b = { ...f, images: 2 };
    // The last pixel of image 0 (rows 3..4) and the first of image 1 (rows 5 + 0..1): rows 3 to 6.
    expect(fmapBlock(b, 8, 2)).toEqual({ first: 3, rows: 4, words: 40 });
  });
  it('is only the config layout nhwc', () => {
    const l = convLayer(5, 5, 2, { out: 4, k: 3 });
    expect(memFmap(l, cfgOf('im2col'))).toBeUndefined();
    expect(memFmap(l, cfgOf('nhwc'))).toEqual(layerFmap(l));
  });
});

describe('the schedule with NHWC rows in the IFMAP scratchpad', () => {
  // 16x16x8 input, 3x3 kernel, padding 1: rows of 128 words; a 1 kB half (512 words) holds 4 input rows,
  // i.e. the halo of two output rows: tiles of 32 output pixels (M = 256, K = 72, N = 8) on ws.
  const l = convLayer(16, 16, 8, { out: 8, k: 3, pad: 1 });
  const g = layerGemm(l);
  const cfg = cfgOf('nhwc');
  const fm = memFmap(l, cfg);
  it('tiles M by the largest tile whose every block of rows fits', () => {
    expect(memTiling(g, cfg, l.name, fm)).toEqual({ mt: 32, nt: 8, mTiles: 8, nTiles: 1 });
    // The im2col layout needs K = 72 words per pixel: 7 pixels per half.
    expect(memTiling(g, cfgOf('im2col'), l.name)).toEqual({ mt: 7, nt: 8, mTiles: 37, nTiles: 1 });
  });
  it('reads the real tensor from DRAM, edge tiles 3 rows and inner tiles 4, and stalls for it exactly', () => {
    const s = memGemmSchedule(g, cfg, l.name, false, fm);
    expect(s.dramIfmap).toBe(2 * 384 + 6 * 512);
    expect(s.dramFilter).toBe(72 * 8);
    expect(s.dramOfmap).toBe(256 * 8);
    // At 1 word per cycle, latency 0: tile 0's 384 IFMAP words from cycle 1 end in cycle 385, the 576 FILTER
    // words (loaded once) from 386 to 962, so tile 0 starts in cycle 963: 385 cycles waiting for IFMAP first,
    // then 577 for FILTER, which no later tile waits for.
    expect(s.stallFilter).toBe(577);
    expect(s.stallIfmap).toBeGreaterThanOrEqual(385);
    const first = memGemmSchedule(g, cfg, l.name, true, fm).foldStarts[0]!;
    const alone = memGemmSchedule(g, { ...cfg, dram: { ...cfg.dram, bandwidth: 1e6 } }, l.name, true, fm);
    // At 10^6 words per cycle the bursts take a beat of 64 words a cycle: 6 + 9 beats, tile 0 starts in cycle 18.
    expect(first - alone.foldStarts[0]!).toBe(963 - 18);
    expect(s.cycles).toBe(s.compute + s.stallIfmap + s.stallFilter + s.stallOfmap);
    const im = memGemmSchedule(g, cfgOf('im2col'), l.name, false);
    expect(im.dramIfmap).toBe(256 * 72);
    expect(s.cycles).toBeLessThan(im.cycles);
  });
  it("refuses an IFMAP half too small for one pixel's rows, naming the key and the size", () => {
    const big = convLayer(64, 64, 16, { out: 8, k: 3, pad: 1 });
    const c = cfgOf('nhwc', 'os', 2);
    expect(() => memTiling(layerGemm(big), c, big.name, memFmap(big, c))).toThrow(MactileError);
    // An inner pixel needs 3 rows of 64 x 16 words: 3072 words in each half, 6 kB.
    expect(() => memTiling(layerGemm(big), c, big.name, memFmap(big, c))).toThrow(
      "key 'sram.ifmap_kb' needs at least 6 kB (3072 words in each half of the double buffer), received 2",
    );
  });
});
