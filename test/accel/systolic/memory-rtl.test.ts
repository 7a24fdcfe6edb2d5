/**
 * The systolic memory system's RTL (docs/MEMORY.md) against the golden model and the tile event model, on
 * random conv, depthwise and FC layers: small scratchpads that force many tiles and refills, random DRAM
 * bandwidths (0.25 to 64 words per cycle) and latencies (0 to 200), both timing modes, both precisions.
 * Every output bit-exact and written once; cycles, compute and stall cycles by cause, DRAM words, scratchpad
 * accesses and every fold start exact. The same layers then run under random DRAM back-pressure: bit-exact.
 * One Verilator build per combination (the scratchpad sizes and the beat width are hardware; bandwidth and
 * latency are the driver's, per job).
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLayer } from '../../../src/accel/check.js';
import { simulateSystolicLayer } from '../../../src/accel/systolic/run.js';
import { systolic as systolicKind } from '../../../src/accel/systolic/index.js';
import { validateConfig } from '../../../src/config/load.js';
import type { SystolicConfig } from '../../../src/config/schema.js';
import { goldenLayer } from '../../../src/quant/golden.js';
import { randomQuantLayer, randomTensor } from '../../../src/quant/random.js';
import { buildFor } from '../../../src/sim/run-network.js';
import { coverage, dataSeed, layerOf, layerSpec, propertySeed, type LayerSpec } from '../../helpers/layer-cases.js';

type Combo = [
  rows: number,
  cols: number,
  df: 'os' | 'ws' | 'is',
  timing: 'scalesim' | 'pipelined',
  precision: 'int8' | 'int16',
  kb: [number, number, number],
  beat: number,
];

// Every dataflow in both timing modes; every array shape; both precisions; beats narrower and wider than the bandwidth.
const COMBOS: Combo[] = [
  [1, 1, 'os', 'pipelined', 'int8', [1, 1, 1], 4],
  [2, 3, 'ws', 'scalesim', 'int16', [1, 2, 1], 3],
  [5, 7, 'is', 'pipelined', 'int8', [2, 1, 1], 64],
  [8, 8, 'os', 'scalesim', 'int16', [1, 1, 2], 16],
  [2, 3, 'is', 'scalesim', 'int16', [1, 1, 1], 1],
  [5, 7, 'ws', 'pipelined', 'int8', [1, 1, 3], 8],
  [8, 8, 'ws', 'scalesim', 'int8', [2, 2, 1], 64],
  [1, 1, 'is', 'pipelined', 'int16', [1, 1, 1], 2],
];
const PER_COMBO = 38;

function configOf(c: Combo, bandwidth: number, latency: number): SystolicConfig {
  const [rows, cols, dataflow, timing, precision, [ifmap_kb, filter_kb, ofmap_kb], beat_words] = c;
  return validateConfig(
    {
      kind: 'systolic',
      rows,
      cols,
      dataflow,
      timing,
      precision,
      sram: { ifmap_kb, filter_kb, ofmap_kb },
      dram: { bandwidth, latency, beat_words },
    },
    `mem-${rows}x${cols}-${dataflow}-${timing}-${precision}`,
  ) as SystolicConfig;
}

const dramArb = fc.record({
  bandwidth: fc.oneof(
    fc.constantFrom(0.25, 0.5, 1, 2.5, 4, 64),
    fc.double({ min: 0.25, max: 64, noNaN: true, noDefaultInfinity: true }),
  ),
  latency: fc.oneof(fc.constantFrom(0, 1, 200), fc.integer({ min: 0, max: 200 })),
});

describe('systolic memory system on random layers (property test)', () => {
  const checked: LayerSpec[] = [];
  let multiTile = 0;
  COMBOS.forEach((combo, ci) => {
    const [rows, cols, df, timing, precision] = combo;
    it(`${rows}x${cols} ${df} ${timing} ${precision}: ${PER_COMBO} random layers exact, and bit-exact under back-pressure`, async () => {
      const build = await buildFor(configOf(combo, 1, 0));
      const bits = precision === 'int8' ? 8 : 16;
      let n = 0;
      await fc.assert(
        fc.asyncProperty(layerSpec(), dataSeed(), dramArb, async (spec, seed, dram) => {
          const cfg = configOf(combo, dram.bandwidth, dram.latency);
          const c = layerOf(spec);
          const x = randomTensor(c.layer.inShape, bits, seed);
          const q = randomQuantLayer(c.layer, bits, seed);
          const { check: r } = await checkLayer(systolicKind, build, cfg, c.layer, x, q);
          const where = `${c.name} on ${cfg.name} at ${dram.bandwidth} words/cycle, latency ${dram.latency}`;
          expect(r.stallsModelled, where).toBe(true);
          expect(r.outputsChecked, `${where}: outputs written exactly once`).toBe(r.outputsExpected);
          expect(r.mismatches, `${where}: ${r.firstMismatches.join('; ')}`).toBe(0);
          expect(r.bitExact, where).toBe(true);
          expect(r.rtlCycles, `${where}: RTL cycles vs the model`).toBe(r.analyticCycles);
          const bad = r.figures.filter((f) => f.measured !== f.predicted);
          expect(bad, `${where}: counters vs the model`).toEqual([]);
          expect(r.figures.map((f) => f.name)).toContain('stall cycles OFMAP');
          expect(r.countersOk, where).toBe(true);
          if (Number(r.extras.tiles) > 1) multiTile++;
          // The same layer with DRAM handshakes held off at random: values unchanged, every output once.
          const bp = await simulateSystolicLayer(build, cfg, c.layer, x, q, {
            backpressure: { seed: seed + 1, percent: 10 + (seed % 60) },
          });
          const golden = goldenLayer(c.layer, x, q);
          expect(bp.outputsWritten, `${where}, back-pressure: outputs written once`).toBe(golden.data.length);
          expect([bp.repeatedWrites, bp.outsideWrites], where).toEqual([0, 0]);
          expect(
            Buffer.from(bp.output.data.buffer).equals(Buffer.from(golden.data.buffer)),
            `${where}, back-pressure: bit-exact`,
          ).toBe(true);
          expect(bp.rtlCycles, `${where}: back-pressure only slows it down`).toBeGreaterThanOrEqual(r.rtlCycles);
          checked.push(spec);
          n++;
        }),
        { seed: propertySeed(100 + ci), numRuns: PER_COMBO },
      );
      expect(n).toBe(PER_COMBO);
    }, 600_000);
  });
  it('covered every layer kind, strided, padded and dilated layers, and many refills', (ctx) => {
    ctx.skip(checked.length < COMBOS.length * PER_COMBO, 'needs every property run above');
    const c = coverage(checked);
    expect(c.layers).toBe(COMBOS.length * PER_COMBO);
    expect(c.layers).toBeGreaterThanOrEqual(300);
    expect(c.kinds).toEqual(['conv', 'dwconv', 'fc']);
    expect(Math.min(c.strided, c.padded, c.dilated)).toBeGreaterThanOrEqual(10);
    // The scratchpads are small: many layers run as several tiles, with blocks refilled.
    expect(multiTile).toBeGreaterThanOrEqual(c.layers / 3);
  });
});
