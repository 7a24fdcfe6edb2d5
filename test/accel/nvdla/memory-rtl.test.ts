/**
 * The NVDLA-style core's memory system (docs/MEMORY.md, "NVDLA-style core") against the golden model and the
 * chunk event model: LeNet-5's layers, a wide FC layer and a depthwise layer on small nv_small-like configs at
 * DRAM bandwidths 1, 4 and 16 words per cycle and latencies 0 and 100, then random conv, depthwise and FC layers
 * at random bandwidths (0.25 to 64) and latencies (0 to 200). Every output bit-exact and written once; cycles,
 * compute and stall cycles by cause, DRAM words by operand, buffer accesses and issue slots exact. The same
 * layers under random DRAM back-pressure: bit-exact. Convolutions whose kernel group of atomic_k slots does
 * not fit the weight region but a partial group does (stored without its unused slots). One Verilator build per config (the buffer sizes and
 * the beat are hardware; bandwidth and latency are the driver's, per job).
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLayer } from '../../../src/accel/check.js';
import { nvdla as nvdlaKind } from '../../../src/accel/nvdla/index.js';
import { nvChunking, nvWeightWords } from '../../../src/accel/nvdla/memory.js';
import { simulateNvMemLayer } from '../../../src/accel/nvdla/mem-run.js';
import { planNvdlaLayer } from '../../../src/accel/nvdla/layer-plan.js';
import { validateConfig } from '../../../src/config/load.js';
import type { NvdlaConfig } from '../../../src/config/schema.js';
import type { MacLayer } from '../../../src/nets/ir.js';
import { macLayers } from '../../../src/nets/ir.js';
import { lenet5 } from '../../../src/nets/zoo/index.js';
import { randomQuantLayer, randomTensor } from '../../../src/quant/random.js';
import type { Build } from '../../../src/sim/build.js';
import { buildFor } from '../../../src/sim/run-network.js';
import { coverage, dataSeed, layerOf, layerSpec, propertySeed, type LayerSpec } from '../../helpers/layer-cases.js';

type Hw = {
  atomic_c: number;
  atomic_k: number;
  wk: number;
  rule: 'v1' | 'v2';
  kb: [number, number, number];
  beat: number;
};

// nv_small's 8x8 cells with buffers small enough to stream LeNet-5's weights and split its outputs; a 4x4
// core with two kernels per weight load, v1 stripes and one-word beats.
const HWS: Hw[] = [
  { atomic_c: 8, atomic_k: 8, wk: 1, rule: 'v2', kb: [32, 8, 4], beat: 8 },
  { atomic_c: 4, atomic_k: 4, wk: 2, rule: 'v1', kb: [8, 2, 2], beat: 1 },
];

function configOf(hw: Hw, bandwidth: number, latency: number): NvdlaConfig {
  const [feature_buffer_kb, weight_buffer_kb, output_buffer_kb] = hw.kb;
  return validateConfig(
    {
      kind: 'nvdla',
      atomic_c: hw.atomic_c,
      atomic_k: hw.atomic_k,
      weight_kernels_per_cycle: hw.wk,
      stripe_rule: hw.rule,
      feature_buffer_kb,
      weight_buffer_kb,
      output_buffer_kb,
      dram: { bandwidth, latency, beat_words: hw.beat },
    },
    `nvmem-${hw.atomic_c}x${hw.atomic_k}-b${hw.beat}`,
  ) as NvdlaConfig;
}

const builds = new Map<Hw, Build>();
async function buildOf(hw: Hw): Promise<Build> {
  let b = builds.get(hw);
  if (!b) builds.set(hw, (b = await buildFor(configOf(hw, 1, 0))));
  return b;
}

/** Runs a layer and checks it: bit-exact, every output once, cycles and every counter equal to the model. */
async function expectExact(hw: Hw, l: MacLayer, bandwidth: number, latency: number, seed: number) {
  const cfg = configOf(hw, bandwidth, latency);
  const q = randomQuantLayer(l, 8, seed, nvdlaKind.randomQuantOptions(l, 8));
  const x = randomTensor(l.inShape, 8, seed);
  const { check: r } = await checkLayer(nvdlaKind, await buildOf(hw), cfg, l, x, q);
  const where = `${l.name} on ${cfg.name} at ${bandwidth} words/cycle, latency ${latency}`;
  expect(r.stallsModelled, where).toBe(true);
  expect(r.outputsChecked, `${where}: outputs written exactly once`).toBe(r.outputsExpected);
  expect(r.mismatches, `${where}: ${r.firstMismatches.join('; ')}`).toBe(0);
  expect(r.bitExact, where).toBe(true);
  expect(r.rtlCycles, `${where}: RTL cycles vs the model`).toBe(r.analyticCycles);
  const bad = r.figures.filter((f) => f.measured !== f.predicted);
  expect(bad, `${where}: counters vs the model`).toEqual([]);
  expect(r.figures.map((f) => f.name)).toContain('stall cycles weight');
  expect(r.countersOk, where).toBe(true);
  return { r, cfg, x, q };
}

const fcWide = layerOf({ kind: 'fc', k: 400, n: 120 }).layer;
const depthwise = layerOf({ kind: 'dwconv', h: 10, w: 10, c: 12, k: 3, stride: 1, pad: 1, dilation: 1 }).layer;

describe('NVDLA-style memory system: LeNet-5, a wide FC and a depthwise layer', () => {
  const layers = [...macLayers(lenet5()), fcWide, depthwise];
  HWS.forEach((hw) => {
    for (const latency of [0, 100]) {
      it(`${hw.atomic_c}x${hw.atomic_k} beat ${hw.beat}, latency ${latency}: bandwidths 1, 4, 16 exact`, async () => {
        let streamed = 0;
        for (const bw of [1, 4, 16]) {
          for (const [i, l] of layers.entries()) {
            const { r } = await expectExact(hw, l, bw, latency, 31 + i);
            if (Number(r.extras.chunks) > r.gemms) streamed++;
          }
        }
        // The small weight region and output buffer make several layers run chunk by chunk.
        expect(streamed).toBeGreaterThanOrEqual(6);
      }, 600_000);
    }
  });

  it('an FC layer is bandwidth-bound: its stalls fall as the bandwidth rises and outweigh compute at 1 word/cycle', async () => {
    const hw = HWS[0]!;
    const at = async (bw: number) => (await expectExact(hw, fcWide, bw, 100, 5)).r;
    const slow = await at(1);
    const fast = await at(16);
    expect(slow.analyticStallCycles).toBeGreaterThan(slow.analyticComputeCycles);
    expect(fast.rtlCycles).toBeLessThan(slow.rtlCycles);
  }, 600_000);
});

describe('NVDLA-style memory system: a kernel group that does not fit, partial groups that do', () => {
  // 9x9 taps over 16 (8x8 core) or 8 (4x4 core) input channels: 162 taps; a group of atomic_k kernel slots
  // (10368 words, 2592 words) is larger than the weight region (8192, 2048 words).
  const cases: [Hw, number][] = [
    [HWS[0]!, 16],
    [HWS[1]!, 8],
  ];
  cases.forEach(([hw, c]) => {
    it(`${hw.atomic_c}x${hw.atomic_k}, ${hw.wk} kernel(s) per entry: bit-exact and every counter exact`, async () => {
      const l = layerOf({
        kind: 'conv',
        h: 12,
        w: 12,
        c,
        out: 8,
        k: 9,
        stride: 1,
        pad: 1,
        dilation: 1,
        relu: true,
      }).layer;
      const cfg = configOf(hw, 4, 20);
      const words = hw.kb[1] * 1024; // int8: a word a byte
      const convs = planNvdlaLayer(l, cfg).convs;
      expect(convs.every((v) => v.k < cfg.atomic_k)).toBe(true);
      let chunks = 0;
      for (const v of convs) {
        const taps = Math.ceil(v.c / cfg.atomic_c) * v.r * v.s;
        expect(nvWeightWords(cfg.atomic_k, taps, cfg), 'a whole group does not fit').toBeGreaterThan(words);
        const ch = nvChunking(v, cfg, l.name);
        // Each chunk's image: ceil(kernels / weight_kernels_per_cycle) entries per tap.
        expect(ch.chunkWeightWords).toEqual(
          ch.chunkKernels.map((n) => taps * Math.ceil(n / hw.wk) * hw.wk * cfg.atomic_c),
        );
        expect(Math.max(...ch.chunkWeightWords)).toBeLessThanOrEqual(words);
        chunks += ch.chunks;
      }
      // Two kernels per entry round the planner's 3-kernel convolutions up to 4 slots, which do not fit:
      // they run as chunks of 2 and 1 kernels.
      expect(chunks > convs.length).toBe(hw.wk > 1);
      for (const bw of [1, 16]) await expectExact(hw, l, bw, 20, 77);
    }, 600_000);
  });
});

const dramArb = fc.record({
  bandwidth: fc.oneof(
    fc.constantFrom(0.25, 0.5, 1, 2.5, 4, 64),
    fc.double({ min: 0.25, max: 64, noNaN: true, noDefaultInfinity: true }),
  ),
  latency: fc.oneof(fc.constantFrom(0, 1, 200), fc.integer({ min: 0, max: 200 })),
});
const PER_HW = 30;

describe('NVDLA-style memory system on random layers (property test)', () => {
  const checked: LayerSpec[] = [];
  HWS.forEach((hw, hi) => {
    it(`${hw.atomic_c}x${hw.atomic_k} beat ${hw.beat}: ${PER_HW} random layers exact, and bit-exact under back-pressure`, async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(layerSpec(), dataSeed(), dramArb, async (spec, seed, dram) => {
          const l = layerOf(spec).layer;
          const { cfg, x, q } = await expectExact(hw, l, dram.bandwidth, dram.latency, seed);
          const bp = await simulateNvMemLayer(await buildOf(hw), cfg, l, x, q, {
            backpressure: { seed: seed + 1, percent: 10 + (seed % 60) },
          });
          const golden = nvdlaKind.golden(l, x, q);
          const where = `${l.name} on ${cfg.name}, back-pressure`;
          expect(bp.outputsWritten, `${where}: outputs written once`).toBe(golden.data.length);
          expect([bp.repeatedWrites, bp.outsideWrites], where).toEqual([0, 0]);
          expect(
            Buffer.from(bp.output.data.buffer).equals(Buffer.from(golden.data.buffer)),
            `${where}: bit-exact`,
          ).toBe(true);
          checked.push(spec);
          n++;
        }),
        { seed: propertySeed(300 + hi), numRuns: PER_HW },
      );
      expect(n).toBe(PER_HW);
    }, 600_000);
  });
  it('covered every layer kind', (ctx) => {
    ctx.skip(checked.length < HWS.length * PER_HW, 'needs every property run above');
    expect(coverage(checked).kinds).toEqual(['conv', 'dwconv', 'fc']);
  });
});
