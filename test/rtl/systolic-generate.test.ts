/** The systolic generator: deterministic output, lint-clean Verilog, and a mutation the suite must catch. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { systolicDesign } from '../../src/accel/systolic/design.js';
import { systolic as systolicKind } from '../../src/accel/systolic/index.js';
import { foldIntervalMutation } from '../helpers/mutations.js';
import { randomQuantLayer, randomTensor } from '../../src/quant/random.js';
import { checkLayer } from '../../src/accel/check.js';
import { buildFor } from '../../src/sim/run-network.js';
import { systolic } from '../helpers/configs.js';
import { LAYER_CASES } from '../helpers/layer-cases.js';

async function lint(files: [string, string][]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'mactile-lint-'));
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  const r = await execa('verilator', ['--lint-only', '-Wall', '--top-module', 'mt_sa_top', ...files.map(([n]) => n)], { cwd: dir, reject: false, all: true });
  return r.exitCode === 0 ? '' : r.all ?? 'lint failed';
}

describe('systolic generator', () => {
  it('emits the same bytes for the same config', () => {
    const a = systolicDesign(systolic(5, 7, 'ws', 'pipelined', 'int16'));
    const b = systolicDesign(systolic(5, 7, 'ws', 'pipelined', 'int16'));
    expect(a.files).toEqual(b.files);
    expect(a.hash).toBe(b.hash);
    expect(systolicDesign(systolic(5, 7, 'ws', 'scalesim', 'int16')).hash).not.toBe(a.hash);
  });

  it('puts the config into the top level: sizes, widths and the dataflow cells', () => {
    const d = systolicDesign(systolic(3, 9, 'is', 'scalesim', 'int16'));
    const top = d.files.find(([n]) => n === 'mt_sa_top.v')![1];
    expect(top).toContain('input wire [47:0] p1_rd_data'); // 3 rows x 16 bits
    expect(top).toContain('output wire [143:0] o_wr_data'); // 9 columns x 16 bits
    expect(top).toContain('mt_array_ws');
    expect(d.header).toContain('#define MT_ROWS 3');
    expect(d.header).toContain('#define MT_ACC_W 48');
  });

  const shapes: [number, number, 'os' | 'ws' | 'is', 'scalesim' | 'pipelined', 'int8' | 'int16'][] = [
    [1, 1, 'os', 'scalesim', 'int8'], [1, 1, 'ws', 'pipelined', 'int8'], [1, 1, 'is', 'scalesim', 'int16'],
    [2, 3, 'is', 'pipelined', 'int8'], [5, 7, 'os', 'pipelined', 'int16'], [16, 16, 'ws', 'scalesim', 'int16'],
    [7, 1, 'ws', 'scalesim', 'int8'], [1, 9, 'os', 'scalesim', 'int8'], [32, 8, 'is', 'pipelined', 'int8'],
  ];
  it.each(shapes)('%ix%i %s %s %s is clean under verilator --lint-only -Wall', async (r, c, df, t, p) => {
    expect(await lint(systolicDesign(systolic(r, c, df, t, p)).files)).toBe('');
  });
});

describe('mutation: a fold one cycle shorter', () => {
  it('is caught by the cycle-exact check', async () => {
    const cfg = systolic(4, 4, 'os');
    const mutant = await buildFor(cfg, foldIntervalMutation(-1));
    const c = LAYER_CASES.find((x) => x.name === 'conv3x3_pad1')!;
    const { check: r } = await checkLayer(systolicKind, mutant, cfg, c.layer, randomTensor(c.layer.inShape, 8, 1), randomQuantLayer(c.layer, 8, 1));
    expect(r.cycleExact).toBe(false);
    expect(r.rtlCycles).toBeLessThan(r.analyticCycles);
    expect(r.extras.foldsOffSchedule).toBeGreaterThan(0);
  });
});
