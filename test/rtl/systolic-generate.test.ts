/** The systolic generator: what the config puts into the top level, and a mutation the suite must catch. */
import { describe, expect, it } from 'vitest';
import { systolicDesign } from '../../src/accel/systolic/design.js';
import { systolic as systolicKind } from '../../src/accel/systolic/index.js';
import { foldIntervalMutation } from '../helpers/mutations.js';
import { randomQuantLayer, randomTensor } from '../../src/quant/random.js';
import { checkLayer } from '../../src/accel/check.js';
import { buildFor } from '../../src/sim/run-network.js';
import { systolic } from '../helpers/configs.js';
import { LAYER_CASES } from '../helpers/layer-cases.js';

// Determinism, lint and synthesis of every kind (systolic shapes included): test/rtl/kinds.test.ts.
describe('systolic generator', () => {
  it('gives the two timing modes of one shape different sources and hashes', () => {
    const a = systolicDesign(systolic(5, 7, 'ws', 'pipelined', 'int16'));
    const b = systolicDesign(systolic(5, 7, 'ws', 'scalesim', 'int16'));
    expect(b.files).not.toEqual(a.files);
    expect(b.hash).not.toBe(a.hash);
  });

  it('puts the config into the top level: sizes, widths and the dataflow cells', () => {
    const d = systolicDesign(systolic(3, 9, 'is', 'scalesim', 'int16'));
    const top = d.files.find(([n]) => n === 'mt_sa_top.sv')![1];
    expect(top).toContain('input wire [47:0] p1_rd_data'); // 3 rows x 16 bits
    expect(top).toContain('output wire [143:0] o_wr_data'); // 9 columns x 16 bits
    expect(top).toContain('mt_array_ws');
    expect(d.header).toContain('#define MT_ROWS 3');
    expect(d.header).toContain('#define MT_ACC_W 48');
  });
});

describe('mutation: a fold one cycle shorter', () => {
  it('is caught by the cycle-exact check', async () => {
    const cfg = systolic(4, 4, 'os');
    const mutant = await buildFor(cfg, foldIntervalMutation(-1));
    const c = LAYER_CASES.find((x) => x.name === 'conv3x3_pad1')!;
    const { check: r } = await checkLayer(
      systolicKind,
      mutant,
      cfg,
      c.layer,
      randomTensor(c.layer.inShape, 8, 1),
      randomQuantLayer(c.layer, 8, 1),
    );
    expect(r.cycleExact).toBe(false);
    expect(r.rtlCycles).toBeLessThan(r.analyticCycles);
    expect(r.extras.foldsOffSchedule).toBeGreaterThan(0);
  });
});
