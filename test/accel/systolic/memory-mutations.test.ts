/**
 * Mutations of the memory system's sequencer (test/helpers/mutations.ts), each of which the memory system's
 * layer check must catch: a tile computed before its block arrives, a GEMM ended before its last write
 * response, a tile written over a half still draining, a stall counted under the wrong cause. The unmutated
 * design passes the same check on the same layers.
 */
import { describe, expect, it } from 'vitest';
import { checkLayer } from '../../../src/accel/check.js';
import { systolic as systolicKind } from '../../../src/accel/systolic/index.js';
import { validateConfig } from '../../../src/config/load.js';
import type { SystolicConfig } from '../../../src/config/schema.js';
import { randomQuantLayer, randomTensor } from '../../../src/quant/random.js';
import { buildFor } from '../../../src/sim/run-network.js';
import { NetBuilder } from '../../../src/nets/builder.js';
import { macLayers } from '../../../src/nets/ir.js';
import { LAYER_CASES, type LayerCase } from '../../helpers/layer-cases.js';
import { memMutations, type Mutation } from '../../helpers/mutations.js';

const CFG = validateConfig(
  {
    kind: 'systolic',
    rows: 2,
    cols: 3,
    dataflow: 'os',
    sram: { ifmap_kb: 1, filter_kb: 1, ofmap_kb: 1 },
    dram: { bandwidth: 0.5, latency: 7, beat_words: 4 },
  },
  'mem-mutants-2x3-os',
) as SystolicConfig;
/** Many outputs per input word (K = 2, N = 24): the drain, not the loads, sets the pace, and OFMAP halves turn over. */
function drainBound(): LayerCase {
  const b = new NetBuilder('case-drain-bound', { h: 8, w: 8, c: 2 });
  b.conv('conv1x1_drain_bound', { out: 24, k: 1 });
  return { name: 'conv1x1_drain_bound', layer: macLayers(b.build())[0]! };
}
const CASES = [
  ...['conv3x3_pad1', 'conv1x1_wide', 'fc_k_above_array'].map((n) => LAYER_CASES.find((c) => c.name === n)!),
  drainBound(),
];

/** The layer check's failed assertions on the cases (none when the design passes). */
async function failures(mutation?: Mutation): Promise<string[]> {
  const build = await buildFor(CFG, mutation);
  const failed: string[] = [];
  for (const [i, c] of CASES.entries()) {
    const name = c.name;
    const { check } = await checkLayer(
      systolicKind,
      build,
      CFG,
      c.layer,
      randomTensor(c.layer.inShape, 8, 50 + i),
      randomQuantLayer(c.layer, 8, 50 + i),
    );
    if (!check.bitExact) failed.push(`${name}: bit-exact`);
    if (!check.cycleExact) failed.push(`${name}: cycle-exact`);
    for (const f of check.figures) if (f.measured !== f.predicted) failed.push(`${name}: ${f.name}`);
  }
  return failed;
}

describe('mutations of the memory system fail its layer check', () => {
  it('the unmutated design passes', async () => {
    expect(await failures()).toEqual([]);
  }, 300_000);
  const mutants: [() => Mutation, RegExp][] = [
    [memMutations.computeBeforeIfmap, /bit-exact|cycle-exact/],
    [memMutations.noWriteResponse, /cycle-exact/],
    [memMutations.ofmapOverrun, /bit-exact|cycle-exact|stall cycles OFMAP/],
    [memMutations.stallCause, /stall cycles (IFMAP|FILTER)/],
  ];
  it.each(mutants.map(([m, want]) => [m().name, m, want] as const))(
    '%s',
    async (_name, make, want) => {
      const m = make();
      const failed = await failures(m);
      expect(m.applied, `${m.name}: the design has the mutated file`).toBe(true);
      expect(failed.join('; ')).toMatch(want);
    },
    300_000,
  );
});
