/**
 * The RTL of the NVDLA-style core against the golden model (bit-exact, every output written once) and the
 * exact cycle model (cycle-exact, issue slots counted by the sequencer), on the layer-case table, NVDLA's
 * Caffe LeNet conv2, LeNet-5 and random shapes on small cores.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import type { NvdlaConfig } from '../../src/config/schema.js';
import { NetBuilder } from '../../src/nets/builder.js';
import { macLayers, type MacLayer } from '../../src/nets/ir.js';
import { lenet5 } from '../../src/nets/zoo/index.js';
import { randomQuantLayer, randomTensor } from '../../src/quant/random.js';
import { checkLayer } from '../../src/accel/check.js';
import { caccTruncateBits } from '../../src/accel/nvdla/cacc.js';
import { nvdla as nvdlaKind } from '../../src/accel/nvdla/index.js';
import { buildFor, simulateNetwork } from '../../src/sim/run-network.js';
import { nvdla } from '../helpers/configs.js';
import { coverage, dataSeed, layerOf, layerSpec, propertySeed, type LayerSpec } from '../helpers/layer-cases.js';

async function expectExact(cfg: NvdlaConfig, name: string, layer: MacLayer, seed: number) {
  const build = await buildFor(cfg);
  const bits = cfg.precision === 'int8' ? 8 : 16;
  const { check } = await checkLayer(
    nvdlaKind,
    build,
    cfg,
    layer,
    randomTensor(layer.inShape, bits, seed),
    randomQuantLayer(layer, bits, seed, { caccTruncate: caccTruncateBits(layer, bits) }),
  );
  const where = `${name} on ${cfg.name}`;
  expect(check.outputsChecked, `${where}: outputs written exactly once`).toBe(check.outputsExpected);
  expect(check.mismatches, `${where}: ${check.firstMismatches.join('; ')}`).toBe(0);
  expect(check.bitExact, where).toBe(true);
  expect(check.rtlCycles, `${where}: RTL cycles vs exact model`).toBe(check.analyticCycles);
  expect(check.extras.issueSlots, `${where}: issue slots`).toBe(check.extras.issueSlotsPredicted);
  expect(check.countersOk, `${where}: MAC and output counters`).toBe(true);
  return check;
}

describe('NVDLA-style RTL', () => {
  it("runs NVDLA's Caffe LeNet conv2 on nv_small in 33,600 issue cycles, exact", async () => {
    const b = new NetBuilder('caffe-lenet', { h: 12, w: 12, c: 20 });
    b.conv('conv2', { out: 50, k: 5 });
    const check = await expectExact(loadConfig('nv_small') as NvdlaConfig, 'caffe conv2', macLayers(b.build())[0]!, 3);
    // The sequencer stops issuing right after the last operation: no idle tail here.
    expect(check.extras.issueSlots).toBe(33_600);
    expect(check.rtlCycles).toBe(8 + 33_600 + 8);
  });

  const cores: [string, NvdlaConfig][] = [
    ['4x4 v2', nvdla(4, 4)],
    ['8x4 v2, 2 kernels/cycle', nvdla(8, 4, { weight_kernels_per_cycle: 2 })],
    ['5x3 v1', nvdla(5, 3, { stripe_rule: 'v1', min_stripe: 10 })],
    ['3x5 v2 INT16', nvdla(3, 5, { precision: 'int16' })],
    [
      '4x2 v2, MIN_STRIPE 1 (reload stalls show), input DMA 3 words/cycle',
      nvdla(4, 2, { min_stripe: 1, dma_words_per_cycle: 3 }),
    ],
    ['4x4 v1, SDP of 3 lanes (output bound)', nvdla(4, 4, { stripe_rule: 'v1', sdp_lanes: 3 })],
  ];
  // The layer-case table runs on these cores in test/accel/layer-cases.test.ts (test/helpers/configs.ts).

  it('random conv, depthwise and FC shapes on small cores (property test)', async () => {
    const perCore = 15;
    const checked: LayerSpec[] = [];
    for (const [ci, [, cfg]] of cores.entries()) {
      const before = checked.length;
      // A failure shrinks to a minimal layer; the time limit ends a long shrink with the smallest found so far.
      await fc.assert(
        fc.asyncProperty(layerSpec(), dataSeed(), async (spec, seed) => {
          const c = layerOf(spec);
          await expectExact(cfg, c.name, c.layer, seed);
          checked.push(spec);
        }),
        {
          seed: propertySeed(100 + ci),
          numRuns: perCore,
          plugins: [fc.interruptAfterTimeLimit(480_000, { failOnInterrupt: true })],
        },
      );
      expect(checked.length - before, `layers checked on ${cfg.name}`).toBe(perCore);
    }
    const c = coverage(checked);
    expect(c.layers).toBe(cores.length * perCore);
    expect(c.distinct).toBeGreaterThanOrEqual(80);
    expect(c.kinds).toEqual(['conv', 'dwconv', 'fc']);
    expect(Math.min(c.strided, c.padded, c.dilated)).toBeGreaterThanOrEqual(8);
  }, 900_000);

  it('runs every LeNet-5 layer on nv_small, exact, and reports the execution time', async () => {
    const sim = await simulateNetwork(lenet5(), loadConfig('nv_small'));
    expect(sim.layers).toHaveLength(5);
    expect(sim.ok).toBe(true);
    expect(sim.totals.rtlCycles).toBe(sim.totals.analyticCycles);
    expect(sim.totals.timeUs).toBeCloseTo(sim.totals.rtlCycles / 1000, 9);
    expect(sim.reference).toBe('NVDLA estimator');
  });
});

describe('NVDLA-style configs', () => {
  it('reject atomic sizes of 0 and a precision the preset does not support', () => {
    expect(() => validateConfig({ kind: 'nvdla', atomic_c: 0, atomic_k: 8 }, 'x.yaml')).toThrow(
      /key 'atomic_c': expected an integer from 1 to 128, received 0/,
    );
    expect(() => validateConfig({ kind: 'nvdla', atomic_c: 8, atomic_k: 0 }, 'x.yaml')).toThrow(
      /key 'atomic_k': expected an integer from 1 to 64, received 0/,
    );
    expect(() => loadConfig('nv_small', { precision: 'int16' })).toThrow(
      /key 'precision' \(from --precision\): this core supports int8, received "int16"; use the nv_full_int16 preset for INT16/,
    );
  });
});
