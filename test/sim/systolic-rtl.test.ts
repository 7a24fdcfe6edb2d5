/**
 * The RTL of the systolic array against the golden model (bit-exact, every output written exactly once)
 * and the analytic model (cycle-exact), on the layer-case table, on LeNet-5 and on random shapes.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SystolicConfig } from '../../src/config/schema.js';
import { lenet5 } from '../../src/nets/zoo/index.js';
import { randomQuantLayer, randomTensor } from '../../src/quant/random.js';
import { checkLayer } from '../../src/accel/check.js';
import { buildFor, simulateNetwork } from '../../src/sim/run-network.js';
import { simulateSystolicLayer } from '../../src/accel/systolic/run.js';
import { systolic as systolicKind } from '../../src/accel/systolic/index.js';
import { systolic } from '../helpers/configs.js';
import {
  coverage,
  dataSeed,
  LAYER_CASES,
  layerOf,
  layerSpec,
  propertySeed,
  type LayerCase,
  type LayerSpec,
} from '../helpers/layer-cases.js';

async function expectExact(cfg: SystolicConfig, c: LayerCase, seed: number): Promise<void> {
  const build = await buildFor(cfg);
  const bits = cfg.precision === 'int8' ? 8 : 16;
  const { check: r } = await checkLayer(
    systolicKind,
    build,
    cfg,
    c.layer,
    randomTensor(c.layer.inShape, bits, seed),
    randomQuantLayer(c.layer, bits, seed),
  );
  const where = `${c.name} on ${cfg.name}`;
  expect(r.outputsChecked, `${where}: outputs written exactly once`).toBe(r.outputsExpected);
  expect(r.mismatches, `${where}: ${r.firstMismatches.join('; ')}`).toBe(0);
  expect(r.bitExact, where).toBe(true);
  expect(r.rtlCycles, `${where}: RTL cycles vs analytic`).toBe(r.analyticCycles);
  expect(r.countersOk, `${where}: RTL MAC and output counters`).toBe(true);
  // Every fold starts streaming exactly when the model says (the RTL's fold pulse, cycle by cycle).
  expect(r.extras.foldsStarted, `${where}: folds started`).toBeGreaterThan(0);
  expect(r.extras.foldsOffSchedule, `${where}: folds off the model's schedule`).toBe(0);
  // RTL - SCALE-Sim is exactly the sum of the named terms.
  const e = r.extras as Record<string, number>;
  expect(r.rtlCycles - r.referenceCycles, where).toBe(e.offByOne! + e.pipelineLatency! + e.foldOverlap!);
}

// The layer-case table runs on every registered kind in test/accel/layer-cases.test.ts.

describe('systolic RTL on LeNet-5', () => {
  for (const df of ['os', 'ws', 'is'] as const) {
    it(`runs every LeNet-5 layer on a 4x4 ${df} array, exact`, async () => {
      const sim = await simulateNetwork(lenet5(), systolic(4, 4, df));
      expect(sim.layers).toHaveLength(5);
      for (const l of sim.layers) {
        expect(l.outputsChecked, l.name).toBe(l.outputsExpected);
        expect([l.bitExact, l.cycleExact, l.countersOk], l.name).toEqual([true, true, true]);
      }
      expect(sim.ok).toBe(true);
      expect(sim.totals.rtlCycles).toBe(sim.totals.analyticCycles);
    });
  }
});

describe('systolic RTL on random shapes (property test)', () => {
  // Every dataflow x timing x precision appears; each combination on one or two array shapes.
  const combos: [number, number, 'os' | 'ws' | 'is', 'scalesim' | 'pipelined', 'int8' | 'int16'][] = [
    [1, 1, 'os', 'scalesim', 'int8'],
    [1, 1, 'ws', 'pipelined', 'int16'],
    [1, 1, 'is', 'pipelined', 'int8'],
    [2, 3, 'os', 'pipelined', 'int16'],
    [2, 3, 'ws', 'scalesim', 'int16'],
    [2, 3, 'is', 'scalesim', 'int16'],
    [4, 4, 'os', 'pipelined', 'int8'],
    [4, 4, 'ws', 'pipelined', 'int8'],
    [4, 4, 'is', 'pipelined', 'int16'],
    [5, 7, 'os', 'scalesim', 'int16'],
    [5, 7, 'ws', 'pipelined', 'int8'],
    [5, 7, 'is', 'scalesim', 'int8'],
    [8, 8, 'os', 'pipelined', 'int8'],
    [8, 8, 'ws', 'scalesim', 'int8'],
    [8, 8, 'is', 'pipelined', 'int16'],
    [7, 5, 'os', 'scalesim', 'int8'],
    [3, 8, 'ws', 'pipelined', 'int16'],
  ];
  const perCombo = 12;
  // The layers that passed every check, per combination (filled by the property runs below).
  const checked = new Map<number, LayerSpec[]>();
  combos.forEach(([rows, cols, df, timing, precision], ci) => {
    it(`${rows}x${cols} ${df} ${timing} ${precision}: ${perCombo} random conv/depthwise/FC layers exact`, async () => {
      const cfg = systolic(rows, cols, df, timing, precision);
      const passed: LayerSpec[] = [];
      checked.set(ci, passed);
      // A failure shrinks to a minimal layer; the time limit ends a long shrink with the smallest found so far.
      await fc.assert(
        fc.asyncProperty(layerSpec(), dataSeed(), async (spec, seed) => {
          await expectExact(cfg, layerOf(spec), seed);
          passed.push(spec);
        }),
        {
          seed: propertySeed(ci),
          numRuns: perCombo,
          plugins: [fc.interruptAfterTimeLimit(480_000, { failOnInterrupt: true })],
        },
      );
      expect(passed, 'layers checked').toHaveLength(perCombo);
    }, 600_000);
  });
  it('checked at least 200 random shapes, of every kind, strided, padded and dilated', (ctx) => {
    ctx.skip(checked.size < combos.length, 'needs every property run above (some were filtered out)');
    const c = coverage([...checked.values()].flat());
    expect(c.layers).toBe(combos.length * perCombo);
    expect(c.layers).toBeGreaterThanOrEqual(200);
    expect(c.distinct).toBeGreaterThanOrEqual(190);
    expect(c.kinds).toEqual(['conv', 'dwconv', 'fc']);
    expect(Math.min(c.strided, c.padded, c.dilated)).toBeGreaterThanOrEqual(20);
  });
});

describe("the driver's own simulation timer (what the speed benchmarks divide by)", () => {
  it('reports a positive clocked-loop time per layer, within the driver process time', async () => {
    const cfg = systolic(4, 4, 'ws');
    const c = LAYER_CASES[0]!;
    const build = await buildFor(cfg);
    const r = await simulateSystolicLayer(
      build,
      cfg,
      c.layer,
      randomTensor(c.layer.inShape, 8, 3),
      randomQuantLayer(c.layer, 8, 3),
    );
    expect(r.simSeconds).toBeGreaterThan(0);
    expect(r.simSeconds).toBeLessThanOrEqual(r.driverSeconds);
  });
});
