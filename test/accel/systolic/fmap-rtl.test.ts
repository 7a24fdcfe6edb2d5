/**
 * The IFMAP layout nhwc in the RTL (docs/MEMORY.md, stage 2): DRAM holds the real NHWC input rows, the IFMAP
 * scratchpad a tile's block of rows, and mt_spad_fm's im2col address generator windows them (stride, padding
 * with the zero point, dilation). On os, ws and is with small arrays and small scratchpads, the LeNet-5 and
 * AlexNet conv layers (AlexNet's input cut down to keep the run short), a 1x1 conv, depthwise, grouped and FC
 * layers and random conv shapes, at DRAM bandwidths 1, 4 and 16 and latencies 0 and 100: every output
 * bit-exact and every counter (cycles, stalls by cause, DRAM words, scratchpad accesses, fold starts) equal to
 * the model. One Verilator build per dataflow serves every job.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLayer } from '../../../src/accel/check.js';
import { systolic as systolicKind } from '../../../src/accel/systolic/index.js';
import { validateConfig } from '../../../src/config/load.js';
import type { SystolicConfig } from '../../../src/config/schema.js';
import { NetBuilder } from '../../../src/nets/builder.js';
import { macLayers, type MacLayer } from '../../../src/nets/ir.js';
import { lenet5 } from '../../../src/nets/zoo/index.js';
import { randomQuantLayer, randomTensor } from '../../../src/quant/random.js';
import { buildFor } from '../../../src/sim/run-network.js';
import { LAYER_CASES } from '../../helpers/layer-cases.js';

const DFS = [
  ['os', 4, 4],
  ['ws', 3, 4],
  ['is', 4, 3],
] as const;

function configOf(df: 'os' | 'ws' | 'is', rows: number, cols: number, bandwidth: number, latency: number) {
  return validateConfig(
    {
      kind: 'systolic',
      rows,
      cols,
      dataflow: df,
      sram: { ifmap_kb: 4, filter_kb: 2, ofmap_kb: 1, ifmap_layout: 'nhwc' },
      dram: { bandwidth, latency, beat_words: 8 },
    },
    `fm-${rows}x${cols}-${df}`,
  ) as SystolicConfig;
}

const convOf = (name: string, h: number, w: number, c: number, o: Parameters<NetBuilder['conv']>[1]): MacLayer => {
  const b = new NetBuilder(`fm-${name}`, { h, w, c });
  b.conv(name, o);
  return macLayers(b.build())[0]!;
};

// LeNet-5's layers; AlexNet's conv shapes (kernel 11 stride 4 pad 2, 5x5 pad 2, 3x3 pad 1) on small inputs.
const NAMED: MacLayer[] = [
  ...macLayers(lenet5()),
  convOf('alex_conv1', 39, 39, 3, { out: 6, k: 11, stride: 4, pad: 2 }),
  convOf('alex_conv2', 9, 9, 8, { out: 6, k: 5, pad: 2 }),
  convOf('alex_conv3', 7, 7, 12, { out: 5, k: 3, pad: 1 }),
  convOf('conv1x1', 6, 5, 9, { out: 7, k: 1 }),
  ...LAYER_CASES.map((c) => c.layer),
];

const randomConv = fc
  .record({
    k: fc.integer({ min: 1, max: 5 }),
    stride: fc.integer({ min: 1, max: 3 }),
    pad: fc.integer({ min: 0, max: 2 }),
    h: fc.integer({ min: 1, max: 14 }),
    w: fc.integer({ min: 1, max: 14 }),
    c: fc.integer({ min: 1, max: 6 }),
    out: fc.integer({ min: 1, max: 9 }),
    dw: fc.boolean(),
  })
  .map((g) => {
    const pad = Math.min(g.pad, g.k - 1);
    const span = g.k - 2 * pad;
    const h = Math.max(g.h, span);
    const w = Math.max(g.w, span);
    const name = `r${h}x${w}x${g.c}_k${g.k}_s${g.stride}_p${pad}${g.dw ? '_dw' : ''}`;
    return convOf(name, h, w, g.c, {
      out: g.dw ? g.c : g.out,
      k: g.k,
      stride: g.stride,
      pad,
      ...(g.dw ? { groups: g.c } : {}),
    });
  });

describe('IFMAP layout nhwc: the im2col address generator in the RTL', () => {
  DFS.forEach(([df, rows, cols], di) => {
    it(`${rows}x${cols} ${df}: LeNet-5, AlexNet-shaped, 1x1, depthwise and FC layers, then random convs, exact`, async () => {
      const build = await buildFor(configOf(df, rows, cols, 1, 0));
      let n = 0;
      let tiled = 0;
      const check = async (l: MacLayer, bandwidth: number, latency: number, seed: number) => {
        const cfg = configOf(df, rows, cols, bandwidth, latency);
        const x = randomTensor(l.inShape, 8, seed);
        const q = randomQuantLayer(l, 8, seed);
        const { check: r } = await checkLayer(systolicKind, build, cfg, l, x, q);
        const where = `${l.name} on ${cfg.name} at ${bandwidth} words/cycle, latency ${latency}`;
        expect(r.outputsChecked, `${where}: outputs written once`).toBe(r.outputsExpected);
        expect(r.mismatches, `${where}: ${r.firstMismatches.join('; ')}`).toBe(0);
        expect(r.bitExact, where).toBe(true);
        expect(r.rtlCycles, `${where}: RTL cycles vs the model`).toBe(r.analyticCycles);
        expect(
          r.figures.filter((f) => f.measured !== f.predicted),
          `${where}: counters vs the model`,
        ).toEqual([]);
        if (Number(r.extras.tiles) > 1) tiled++;
        n++;
      };
      let i = 0;
      for (const l of NAMED) {
        // Bandwidths 1, 4, 16 and latencies 0, 100 in turn over the layers (every pair several times).
        await check(l, [1, 4, 16][i % 3]!, [0, 100][Math.floor(i / 3) % 2]!, 7 + i);
        i++;
      }
      await fc.assert(
        fc.asyncProperty(randomConv, fc.constantFrom(1, 4, 16), fc.constantFrom(0, 100), async (l, bw, lat) => {
          await check(l, bw, lat, n + 1);
        }),
        { seed: 0x1c0 + di, numRuns: 20 },
      );
      expect(n).toBe(NAMED.length + 20);
      expect(tiled, 'small scratchpads: many layers run as several tiles').toBeGreaterThanOrEqual(10);
    }, 900_000);
  });
});
