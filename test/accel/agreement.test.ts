/**
 * `sim` and `analyze` speak of the same analytic model: for every preset and for random configs (numeric DRAM
 * bandwidths included) the prediction the simulation compares against is, layer by layer, the figure `analyze`
 * reports; with a numeric DRAM bandwidth the RTL's memory system measures the stalls the model predicts.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accelOf } from '../../src/accel/registry.js';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import type { HardwareConfig } from '../../src/config/schema.js';
import { macLayers } from '../../src/nets/ir.js';
import { alexnet, lenet5 } from '../../src/nets/zoo/index.js';
import { simJson } from '../../src/cli/sim.js';
import { simulateNetwork } from '../../src/sim/run-network.js';
import { MactileError } from '../../src/util/errors.js';
import { projectRoot } from '../../src/util/paths.js';

const PRESETS = readdirSync(join(projectRoot(), 'configs')).sort();

/** The figures of a layer both commands report. */
const figures = (l: {
  cycles: number;
  computeCycles: number;
  stallCycles: number;
  dramWords: number;
  sramReads: number;
  sramWrites: number;
  overallUtil: number;
  mappingEfficiency: number;
}) => ({
  cycles: l.cycles,
  computeCycles: l.computeCycles,
  stallCycles: l.stallCycles,
  dramWords: l.dramWords,
  sramReads: l.sramReads,
  sramWrites: l.sramWrites,
  overallUtil: l.overallUtil,
  mappingEfficiency: l.mappingEfficiency,
});

function expectAgreement(cfg: HardwareConfig): void {
  const accel = accelOf(cfg);
  for (const net of [lenet5(), alexnet()]) {
    const layers = macLayers(net);
    let analysis;
    try {
      analysis = accel.analyzeNetwork(net, cfg);
    } catch (err) {
      // A layer the hardware cannot hold is refused the same way by both paths.
      expect(err).toBeInstanceOf(MactileError);
      const refused = layers.map((l) => {
        try {
          accel.predictLayer(l, cfg, net);
          return '';
        } catch (e) {
          return (e as Error).message;
        }
      });
      expect(refused).toContain((err as Error).message);
      continue;
    }
    expect(analysis.layers.map((l) => l.name)).toEqual(layers.map((l) => l.name));
    layers.forEach((l, i) => {
      const predicted = accel.predictLayer(l, cfg, net);
      expect(figures(predicted), `${cfg.name} ${net.name} ${l.name}`).toEqual(figures(analysis.layers[i]!));
      expect(predicted.cycles).toBe(predicted.computeCycles + predicted.stallCycles);
    });
  }
}

describe('the prediction sim compares against is what analyze reports', () => {
  it.each(PRESETS)('preset %s', (file) => expectAgreement(loadConfig(join(projectRoot(), 'configs', file))));

  it('random systolic configs, numeric DRAM bandwidths and small SRAMs included', () => {
    const cfg = fc.record({
      rows: fc.integer({ min: 1, max: 64 }),
      cols: fc.integer({ min: 1, max: 64 }),
      dataflow: fc.constantFrom('os', 'ws', 'is'),
      timing: fc.constantFrom('scalesim', 'pipelined'),
      precision: fc.constantFrom('int8', 'int16'),
      bandwidth: fc.oneof(fc.constant('calc'), fc.double({ min: 0.25, max: 64, noNaN: true })),
      kb: fc.integer({ min: 1, max: 256 }),
    });
    fc.assert(
      fc.property(cfg, (c) => {
        const { bandwidth, kb, ...keys } = c;
        expectAgreement(
          validateConfig(
            { kind: 'systolic', ...keys, sram: { ifmap_kb: kb, filter_kb: kb, ofmap_kb: kb }, dram: { bandwidth } },
            'random',
          ),
        );
      }),
      { numRuns: 40, seed: 11 },
    );
  });

  it('random NVDLA-style configs', () => {
    const cfg = fc.record({
      atomic_c: fc.integer({ min: 1, max: 64 }),
      atomic_k: fc.integer({ min: 1, max: 32 }),
      stripe_rule: fc.constantFrom('v1', 'v2'),
    });
    fc.assert(
      fc.property(cfg, (c) => expectAgreement(validateConfig({ kind: 'nvdla', ...c }, 'random-nv'))),
      { numRuns: 20, seed: 12 },
    );
  });
});

describe('a numeric DRAM bandwidth: the memory system stalls as the model predicts', () => {
  it('LeNet-5 on 8x8 os at 1 word/cycle: sim measures the stall cycles analyze predicts, cycle for cycle', async () => {
    const cfg = validateConfig(
      { kind: 'systolic', rows: 8, cols: 8, dataflow: 'os', dram: { bandwidth: 1 } },
      'sa-8x8-os-bw1',
    );
    const analysis = accelOf(cfg).analyzeNetwork(lenet5(), cfg);
    const sim = simJson(await simulateNetwork(lenet5(), cfg)) as ReturnType<typeof simJson> & Record<string, never>;
    const doc = JSON.parse(JSON.stringify(sim)) as {
      ok: boolean;
      stallsModelled: boolean;
      layers: {
        name: string;
        rtlCycles: number;
        analyticCycles: number;
        analyticComputeCycles: number;
        analyticStallCycles: number;
        stallsModelled: boolean;
        cycleExact: boolean;
        bitExact: boolean;
        countersOk: boolean;
      }[];
      totals: { rtlCycles: number; analyticCycles: number; analyticStallCycles: number };
    };
    expect(analysis.totals.stallCycles).toBeGreaterThan(0);
    expect(doc.totals.analyticCycles).toBe(analysis.totals.cycles);
    expect(doc.totals.analyticStallCycles).toBe(analysis.totals.stallCycles);
    doc.layers.forEach((l, i) => {
      const a = analysis.layers[i]!;
      expect([l.name, l.analyticCycles, l.analyticComputeCycles, l.analyticStallCycles]).toEqual([
        a.name,
        a.cycles,
        a.computeCycles,
        a.stallCycles,
      ]);
      // The RTL's memory system stalls: its cycles are the predicted compute plus stall cycles.
      expect(l.rtlCycles).toBe(a.cycles);
      expect([l.stallsModelled, l.cycleExact, l.bitExact, l.countersOk]).toEqual([true, true, true, true]);
    });
    expect(doc.stallsModelled).toBe(true);
    expect(doc.ok).toBe(true);
    expect(doc.totals.rtlCycles).toBe(doc.totals.analyticCycles);
  });
});
