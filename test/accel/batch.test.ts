/**
 * Batching at every level, for every registered kind: LeNet-5's FC layers (and its conv2, whose M grows by
 * the batch on an array and which the NVDLA-style core runs image after image) and an AlexNet-shaped FC
 * layer, at batch 1, 4 and 16. The RTL runs AlexNet-shaped FC at an eighth of fc6 (1152 -> 512: the full
 * 9216 -> 4096 has 37.7 M weights, past what the RTL simulation holds in memory, and 600 M MACs at batch 16
 * would take minutes per config); the full fc6, fc7 and fc8 are checked at the analytic level against the
 * models' closed forms.
 */
import { describe, expect, it } from 'vitest';
import { checkLayer } from '../../src/accel/check.js';
import { ACCELERATORS, accelOf } from '../../src/accel/registry.js';
import { loadConfig } from '../../src/config/load.js';
import type { HardwareConfig } from '../../src/config/schema.js';
import { batchInShape, batchNetwork } from '../../src/nets/batch.js';
import { NetBuilder } from '../../src/nets/builder.js';
import { layerMacs, macLayers, type MacLayer } from '../../src/nets/ir.js';
import { alexnet, lenet5 } from '../../src/nets/zoo/index.js';
import { randomQuantLayer, randomTensor } from '../../src/quant/random.js';
import { buildFor } from '../../src/sim/run-network.js';
import { KIND_TEST_CONFIGS, nvdla, systolic } from '../helpers/configs.js';

const BATCHES = [1, 4, 16] as const;

/** An FC layer of k inputs and n outputs. */
function fcLayer(name: string, k: number, n: number): MacLayer {
  const b = new NetBuilder(`batch-${name}`, { h: 1, w: 1, c: k });
  b.fc(name, n, 'relu');
  return macLayers(b.build())[0]!;
}

const lenet = macLayers(lenet5());
/** The layers of the table: LeNet-5's conv2 and FC layers, and AlexNet's fc6 shape at an eighth. */
const LAYERS: MacLayer[] = [
  lenet.find((l) => l.name === 'conv2')!,
  ...lenet.filter((l) => l.kind === 'fc'),
  fcLayer('alexnet_fc6_eighth', 9216 / 8, 4096 / 8),
];

const batched = (l: MacLayer, n: number): MacLayer => (n === 1 ? l : { ...l, batch: n });

/**
 * Beside each kind's layer-case configs: pipelined timing (and INT16) on arrays; the nv_small preset, and a
 * core whose 1 kB feature buffer holds two of LeNet-5's FC inputs at a time (its batches run in parts).
 */
const SMALL_BUFFER = 'nv-4x4-fb1k';
const EXTRA: Record<string, HardwareConfig[]> = {
  systolic: [systolic(4, 4, 'ws', 'pipelined'), systolic(3, 2, 'is', 'pipelined', 'int16')],
  nvdla: [loadConfig('nv_small'), nvdla(4, 4, { name: SMALL_BUFFER, feature_buffer_kb: 1, stripe_rule: 'v1' })],
};

for (const accel of ACCELERATORS) {
  const configs = [...(KIND_TEST_CONFIGS[accel.kind]?.layerCases ?? []), ...(EXTRA[accel.kind] ?? [])];

  describe(`${accel.kind}: analytic level, batch 1, 4 and 16`, () => {
    it.each(configs.map((c) => [c.name, c] as const))('%s', (_name, cfg) => {
      const a = accelOf(cfg);
      for (const l of LAYERS) {
        const one = a.predictLayer(l, cfg);
        for (const n of BATCHES) {
          const p = a.predictLayer(batched(l, n), cfg);
          const where = `${l.name} batch ${n} on ${cfg.name}`;
          expect(p.macs, where).toBe(n * layerMacs(l));
          expect(p.cycles, where).toBe(p.computeCycles + p.stallCycles);
          expect(p.computeCycles, where).toBeGreaterThanOrEqual(Math.ceil(p.macs / a.cells(cfg)));
          expect(p.overallUtil, where).toBeLessThanOrEqual(100);
          // Batching never costs time per inference; an FC layer's batch shares its weights and gains (but for
          // the 1,152 inputs of AlexNet's on the 1 kB feature buffer, which holds one of them at a time).
          expect(p.cycles / n, where).toBeLessThanOrEqual(one.cycles);
          const shares = !(cfg.name === SMALL_BUFFER && l.inShape.c > 1000);
          if (n > 1 && l.kind === 'fc' && shares) expect(p.cycles / n, where).toBeLessThan(one.cycles);
          expect(p.overallUtil, where).toBeGreaterThanOrEqual(one.overallUtil - 1e-9);
        }
      }
    });
  });

  describe(`${accel.kind}: RTL level, batch 1, 4 and 16`, () => {
    it.each(configs.map((c) => [c.name, c] as const))(
      '%s: bit-exact, cycle-exact, counters as predicted',
      async (_name, cfg) => {
        const a = accelOf(cfg);
        const build = await buildFor(cfg);
        const bits = cfg.precision === 'int8' ? 8 : 16;
        for (const [i, l] of LAYERS.entries()) {
          const q = randomQuantLayer(l, bits, 40 + i, a.randomQuantOptions(l, bits));
          for (const n of BATCHES) {
            const layer = batched(l, n);
            const { check } = await checkLayer(
              a,
              build,
              cfg,
              layer,
              randomTensor(batchInShape(layer), bits, 40 + i),
              q,
            );
            const where = `${l.name} batch ${n} on ${cfg.name}`;
            expect(check.outputsExpected, where).toBe(n * l.outShape.h * l.outShape.w * l.outShape.c);
            expect(check.outputsChecked, `${where}: outputs written exactly once`).toBe(check.outputsExpected);
            expect(check.mismatches, `${where}: ${check.firstMismatches.join('; ')}`).toBe(0);
            expect(check.bitExact, where).toBe(true);
            expect(check.rtlCycles, `${where}: RTL cycles vs analytic`).toBe(check.analyticCycles);
            for (const f of check.figures) expect(f.measured, `${where}: ${f.name}`).toBe(f.predicted);
            expect(check.countersOk, `${where}: MAC and output counters`).toBe(true);
          }
        }
      },
    );
  });
}

describe("analytic level: AlexNet's full FC layers at batch 1, 4 and 16, against the closed forms", () => {
  const fcs = macLayers(alexnet()).filter((l) => l.kind === 'fc');
  const util = (macs: number, cycles: number, cells: number) => (100 * macs) / (cycles * cells);

  it('nv_full_int8: each weight load serves the whole batch (fc6: 294,923 + N cycles for N inputs)', () => {
    const cfg = loadConfig('nv_full_int8');
    for (const n of BATCHES) {
      const [fc6, fc7] = fcs.map((l) => accelOf(cfg).predictLayer(batched(l, n), cfg));
      // 128 kernel groups x 144 channel blocks, one package of max(N, MIN_STRIPE 10, 32 kernels / 2 per cycle)
      // = 16 cycles each; + 16 preload - (16 - N) idle tail + 11 pipeline.
      expect(fc6!.cycles).toBe(128 * 144 * 16 + 16 - (16 - n) + 11);
      expect(fc7!.cycles).toBe(128 * 64 * 16 + 16 - (16 - n) + 11);
      expect(fc6!.overallUtil).toBeCloseTo(util(n * 9216 * 4096, fc6!.cycles, 2048), 9);
    }
    expect(accelOf(cfg).predictLayer(fcs[0]!, cfg).overallUtil).toBeCloseTo(6.25, 2);
    expect(accelOf(cfg).predictLayer(batched(fcs[0]!, 16), cfg).overallUtil).toBeCloseTo(99.99, 2);
  });

  it('32x32 os (scalesim timing): M = N fits one row fold, so N inputs take the cycles of one', () => {
    const cfg = systolic(32, 32, 'os');
    for (const n of BATCHES) {
      const fc6 = accelOf(cfg).predictLayer(batched(fcs[0]!, n), cfg);
      // 1 x 128 folds of T + R + C - 2 = 9,278 cycles, + 1 read latency + 3 output path.
      expect(fc6.cycles).toBe(128 * (9216 + 62) + 4);
      expect(fc6.overallUtil).toBeCloseTo(util(n * 9216 * 4096, fc6.cycles, 1024), 9);
    }
  });

  it('32x32 ws (pipelined timing): T = N grows the fold length only', () => {
    const cfg = systolic(32, 32, 'ws', 'pipelined');
    for (const n of BATCHES) {
      const fc6 = accelOf(cfg).predictLayer(batched(fcs[0]!, n), cfg);
      // 288 x 128 folds at an interval of max(T, R) = 32, the last of 2R + C + T - 2, + 4.
      expect(fc6.computeCycles).toBe((288 * 128 - 1) * 32 + (64 + 32 + n - 2) + 4);
    }
  });

  it('the networks: batch 16 has 16 times the MACs and less time per inference on both kinds', () => {
    for (const cfg of [loadConfig('nv_full_int8'), systolic(32, 32, 'os')] as HardwareConfig[]) {
      const a = accelOf(cfg);
      const one = a.analyzeNetwork(alexnet(), cfg).totals;
      const sixteen = a.analyzeNetwork(batchNetwork(alexnet(), 16), cfg).totals;
      expect(sixteen.macs).toBe(16 * one.macs);
      expect(sixteen.cycles / 16).toBeLessThan(one.cycles);
    }
  });
});
