/**
 * Mutations of the output stage (rounding, saturation, the shift-0 branch, ReLU) and of NVDLA's CACC
 * rounding, each of which the suite must catch. A mutant is built from the emitted Verilog text with one
 * exact piece replaced (test/helpers/mutations.ts) and run through the layer-case table's own per-layer
 * check (same layer cases, seeds, random parameters and assertions as test/accel/layer-cases.test.ts), on a
 * small design and the one or two layer cases named here; the check must fail on each, by bit-exactness
 * only (the cycles stay exact: these mutations change values, not timing). The unmutated designs pass the
 * same check on the same cases, so each failure is the mutation's.
 */
import { describe, expect, it } from 'vitest';
import { checkLayer } from '../../src/accel/check.js';
import { accelOf } from '../../src/accel/registry.js';
import type { HardwareConfig } from '../../src/config/schema.js';
import { randomQuantLayer, randomTensor } from '../../src/quant/random.js';
import { operandRange } from '../../src/quant/requant.js';
import { buildFor } from '../../src/sim/run-network.js';
import { nvdla, systolic } from '../helpers/configs.js';
import { LAYER_CASES } from '../helpers/layer-cases.js';
import { caccMutations, requantMutations, type Mutation } from '../helpers/mutations.js';

/** The layer-case table's per-layer check of case `name` on a build: the assertions that fail, none when it passes. */
async function layerCaseFailures(cfg: HardwareConfig, build: Awaited<ReturnType<typeof buildFor>>, name: string) {
  const a = accelOf(cfg);
  const bits = cfg.precision === 'int8' ? 8 : 16;
  const i = LAYER_CASES.findIndex((c) => c.name === name);
  expect(i, `layer case ${name}`).toBeGreaterThanOrEqual(0);
  const c = LAYER_CASES[i]!;
  // The seed of the case in the layer-case table.
  const seed = 20 + i;
  const q = randomQuantLayer(c.layer, bits, seed, a.randomQuantOptions(c.layer, bits));
  const { check, output } = await checkLayer(a, build, cfg, c.layer, randomTensor(c.layer.inShape, bits, seed), q);
  const { min, max } = operandRange(bits);
  const failed: string[] = [];
  if (check.outputsChecked !== check.outputsExpected) failed.push('outputs written exactly once');
  if (check.mismatches !== 0) failed.push(`mismatches (${check.mismatches}: ${check.firstMismatches.join('; ')})`);
  if (!check.bitExact) failed.push('bit-exact');
  if (check.rtlCycles !== check.analyticCycles) failed.push('cycle-exact');
  for (const f of check.figures) if (f.measured !== f.predicted) failed.push(f.name);
  if (!check.countersOk) failed.push('counters');
  if (!output.data.every((v) => v >= min && v <= max)) failed.push('output range');
  return { failed, mismatches: check.mismatches, outputs: check.outputsExpected };
}

const SA = systolic(2, 2, 'os');
const NV8 = nvdla(2, 2);
const NV16 = nvdla(2, 2, { precision: 'int16' });

/** Each mutation with the design it runs on and the layer cases whose check must fail. */
const MUTANTS: [Mutation, HardwareConfig, string[]][] = [
  [requantMutations.halfTowardZero(), SA, ['conv5x5_stride2', 'conv_dilated']],
  [requantMutations.halfTowardZero(), NV8, ['conv_dilated']],
  [requantMutations.halfUp(), SA, ['conv_dilated', 'dwconv5x5_stride2']],
  [requantMutations.noTopSaturation(), SA, ['conv_dilated']],
  [requantMutations.topOffByOne(), SA, ['dwconv3x3']],
  [requantMutations.noBottomSaturation(), SA, ['conv_dilated']],
  [requantMutations.bottomOffByOne(), SA, ['conv1x1_wide']],
  [requantMutations.shiftZeroBranch(), SA, ['conv3x3_pad1', 'dwconv3x3']],
  [requantMutations.noRelu(), SA, ['conv3x3_pad1']],
  [caccMutations.halfTowardZero(), NV16, ['conv_dilated', 'conv1x1_wide']],
  [caccMutations.noRounding(), NV16, ['dwconv3x3']],
];

describe('mutations of the output stage and of CACC fail the layer-case check', () => {
  it.each(MUTANTS.map(([m, cfg, cases]) => [m.name, cfg.name, cfg.precision, m, cfg, cases] as const))(
    '%s on %s %s',
    async (_m, _cfg, _p, m, cfg, cases) => {
      const build = await buildFor(cfg, m);
      expect(m.applied, `${m.name}: the design has the mutated file`).toBe(true);
      for (const name of cases) {
        const r = await layerCaseFailures(cfg, build, name);
        expect(r.failed, `${m.name}, ${name} on ${cfg.name}: the check must fail`).toContain('bit-exact');
        expect(r.mismatches).toBeGreaterThan(0);
        // Values only: the timing and the counters are those of the unmutated design.
        expect(
          r.failed.filter((f) => !f.startsWith('mismatches') && f !== 'bit-exact'),
          `${name}: only the values differ`,
        ).toEqual([]);
      }
    },
  );

  it.each([SA, NV8, NV16].map((cfg) => [cfg.name, cfg.precision, cfg] as const))(
    'the unmutated %s %s passes the same check on the same cases',
    async (_n, _p, cfg) => {
      const build = await buildFor(cfg);
      const cases = [...new Set(MUTANTS.filter(([, c]) => c === cfg).flatMap(([, , cs]) => cs))];
      for (const name of cases)
        expect((await layerCaseFailures(cfg, build, name)).failed, `${name} on ${cfg.name}`).toEqual([]);
    },
  );
});
