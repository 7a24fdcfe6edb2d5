/**
 * The memory-system design's activity variant (docs/ENERGY.md): beside the PE registers it counts the bit
 * toggles of each scratchpad's read and write data and of the DRAM port's read and write beats, each lane
 * against the word it carried last. Pinned on a layer worked out by hand (1x1 os, one beat per block); on
 * 2x2 designs the activity build's outputs, cycles and counters equal the plain build's, the counts repeat
 * and obey what the wiring implies. The plain design stays byte for byte what it was.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systolic as systolicKind } from '../../../src/accel/systolic/index.js';
import { checkLayer } from '../../../src/accel/check.js';
import { buildFor } from '../../../src/sim/run-network.js';
import { randomQuantLayer, randomTensor } from '../../../src/quant/random.js';
import { validateConfig } from '../../../src/config/load.js';
import type { SystolicConfig } from '../../../src/config/schema.js';
import { MEMORY_BUSES } from '../../../src/accel/systolic/mem-activity.js';
import { layerOf, type LayerSpec } from '../../helpers/layer-cases.js';
import { runCliInProcess } from '../../helpers/cli.js';

const memConfig = (rows: number, cols: number, dataflow: 'os' | 'ws' | 'is', extra: object = {}) =>
  validateConfig(
    { kind: 'systolic', rows, cols, dataflow, dram: { bandwidth: 4, latency: 3, beat_words: 4 }, ...extra },
    `test-mem-act-${rows}x${cols}-${dataflow}`,
  ) as SystolicConfig;

const MEM = memConfig(1, 1, 'os');

/** Set bits of a word of `bits` bits. */
const popcount = (v: number, bits: number) =>
  [...(BigInt(v) & ((1n << BigInt(bits)) - 1n)).toString(2)].filter((c) => c === '1').length;

/**
 * A top's lines with the activity variant's parts taken out (ports, connections and counters named act_), each
 * without the comma a following port adds and with one space before its comment.
 */
function withoutActivity(top: string): string[] {
  const lines = top.split('\n');
  const start = lines.findIndex((l) => l.includes('Activity counters of the memory buses'));
  const end = start < 0 ? -1 : lines.findIndex((l, i) => i > start && l.startsWith('endmodule'));
  return lines
    .filter((l, i) => !l.includes('act_') && (start < 0 || i < start || i >= end))
    .map((l) => l.replace(/,?\s*(\/\/.*)?$/, (_m, c?: string) => (c ? ` ${c}` : '')));
}

describe('memory-system activity variant: the plain design untouched', () => {
  it('activity off gives the plain design; on, the plain top plus ports, connections and counters named act_', () => {
    for (const cfg of [MEM, memConfig(2, 3, 'is'), memConfig(2, 2, 'ws', { sram: { ifmap_layout: 'nhwc' } })]) {
      const plain = systolicKind.design(cfg);
      expect(systolicKind.design(cfg, { activity: false })).toEqual(plain);
      const act = systolicKind.design(cfg, { activity: true });
      expect(act.hash).not.toBe(plain.hash);
      const names = (d: typeof plain) => d.files.map(([f]) => f);
      expect(names(act)).toEqual(expect.arrayContaining(['mt_act_bus.sv', 'mt_act_pkg.sv']));
      expect(names(plain).filter((f) => f.includes('_act'))).toEqual([]);
      expect(plain.header).not.toContain('MT_ACTIVITY');
      expect(act.header).toContain('MT_ACTIVITY');
      const top = (d: typeof plain) => d.files.find(([f]) => f === 'mt_sa_mem_top.sv')![1];
      expect(top(plain)).not.toContain('act_');
      expect(top(act).match(/mt_act_bus #/g)).toHaveLength(MEMORY_BUSES.length);
      expect(withoutActivity(top(act))).toEqual(withoutActivity(top(plain)));
    }
  });
});

describe('memory-system activity counters', () => {
  it('count the toggles worked out by hand on x = [1, 3], w = [2, -1] (1x1 os, 4-word beats)', async () => {
    const build = await buildFor(MEM, {}, { activity: true });
    const { layer } = layerOf({ kind: 'fc', k: 2, n: 1 });
    const q = { ...randomQuantLayer(layer, 8, 1), weights: Int16Array.from([2, -1]) };
    const x = { shape: layer.inShape, data: Int16Array.from([1, 3]) };
    const { check } = await checkLayer(systolicKind, build, MEM, layer, x, q);
    expect([check.bitExact, check.cycleExact]).toEqual([true, true]);
    const y = popcount(systolicKind.golden(layer, x, q).data[0]!, 8);
    // DRAM holds A = [1, 3], then B = [2, -1]: the IFMAP block arrives as one beat [1, 3] (lanes 0 -> 1, 0 -> 3:
    // 1 + 2), the FILTER block as one beat [2, 0xff] (lanes 1 -> 2, 3 -> 0xff: 2 + 6). Each scratchpad's write
    // data sees only its own beat, from zero: IFMAP 1 + 2, FILTER 1 + 8. Read data: IFMAP 0 -> 1 -> 3 (1 + 1),
    // FILTER 0 -> 2 -> 0xff (1 + 7). The one output y goes from zero on lane 0 of the OFMAP write data, of
    // the OFMAP read data and of the DRAM write beat (a one-word beat: the other lanes carry nothing).
    expect(check.activity).toEqual({
      a: 2,
      b: 8,
      psum: 32,
      memory: {
        dramRead: 3 + 8,
        ifmapWrite: 3,
        filterWrite: 9,
        ifmapRead: 2,
        filterRead: 8,
        ofmapWrite: y,
        ofmapRead: y,
        dramWrite: y,
      },
    });
  });

  const cases: [SystolicConfig, LayerSpec, 8 | 16][] = [
    [
      memConfig(2, 2, 'ws', { sram: { ifmap_kb: 1, filter_kb: 1, ofmap_kb: 1 } }),
      { kind: 'conv', h: 5, w: 4, c: 3, out: 5, k: 3, stride: 1, pad: 1, dilation: 1, relu: true },
      8,
    ],
    [
      memConfig(2, 2, 'is', {
        precision: 'int16',
        sram: { ifmap_kb: 1, filter_kb: 1, ofmap_kb: 1, ifmap_layout: 'nhwc' },
      }),
      { kind: 'conv', h: 4, w: 4, c: 2, out: 3, k: 2, stride: 1, pad: 0, dilation: 1, relu: false },
      16,
    ],
  ];
  for (const [cfg, spec, bits] of cases)
    it(`equal the plain build's outputs, cycles and counters, repeat, and obey the wiring: ${cfg.name}, ${spec.kind}`, async () => {
      const plainBuild = await buildFor(cfg);
      const actBuild = await buildFor(cfg, {}, { activity: true });
      const { layer } = layerOf(spec);
      const x = randomTensor(layer.inShape, bits, 11);
      const q = randomQuantLayer(layer, bits, 11);
      const plain = await checkLayer(systolicKind, plainBuild, cfg, layer, x, q);
      const act = await checkLayer(systolicKind, actBuild, cfg, layer, x, q);
      expect([act.check.bitExact, act.check.cycleExact, act.check.countersOk]).toEqual([true, true, true]);
      expect(Array.from(act.output.data)).toEqual(Array.from(plain.output.data));
      expect(act.check.rtlCycles).toBe(plain.check.rtlCycles);
      expect(act.check.figures).toEqual(plain.check.figures);
      expect(plain.check).not.toHaveProperty('activity');
      const again = await checkLayer(systolicKind, actBuild, cfg, layer, x, q);
      expect(again.check.activity).toEqual(act.check.activity);
      const m = act.check.activity!.memory!;
      expect(Object.keys(m).sort()).toEqual([...MEMORY_BUSES].sort());
      for (const b of MEMORY_BUSES) expect(m[b]).toBeGreaterThan(0);
      // The write DMA's W data is the OFMAP read data (mt_dma_wr), the fills are the R beats split by buffer.
      expect(m.ofmapRead).toBe(m.dramWrite);
      const words = (name: string) => act.check.figures.find((f) => f.name === name)!.measured;
      expect(m.ifmapWrite).toBeLessThanOrEqual(bits * words('DRAM words read IFMAP'));
      expect(m.filterWrite).toBeLessThanOrEqual(bits * words('DRAM words read FILTER'));
      expect(m.dramRead).toBeLessThanOrEqual(bits * (words('DRAM words read IFMAP') + words('DRAM words read FILTER')));
      expect(m.dramWrite).toBeLessThanOrEqual(bits * words('DRAM words written'));
    });

  it('sim --activity on a memory-system config: the bus table with its signals, the energy table beside, the counts in JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mactile-mem-act-'));
    const file = join(dir, 'mem-1x1.yaml');
    writeFileSync(
      file,
      'kind: systolic\nrows: 1\ncols: 1\ndataflow: os\ndram: { bandwidth: 4, latency: 3, beat_words: 4 }\n',
    );
    const args = ['sim', '--net', 'lenet5', '--config', file, '--layers', 'fc3'];
    const table = await runCliInProcess([...args, '--activity']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/a toggles\s+b toggles\s+psum toggles/);
    expect(table.stdout).toMatch(
      /ifmapRead\s+ifmapWrite\s+filterRead\s+filterWrite\s+ofmapRead\s+ofmapWrite\s+dramRead\s+dramWrite/,
    );
    expect(table.stdout).toContain('rdata when rvalid && rready');
    const energy = await runCliInProcess([...args, '--activity', '--energy', '--energy-table', 'horowitz-45nm']);
    // Beside the priced figures, unpriced: SRAM and DRAM energy stay per access.
    expect(energy.stdout).toMatch(/memory bus toggles/);
    expect(energy.stdout).toContain('not priced: SRAM and DRAM energy are per access');
    const json = await runCliInProcess([...args, '--activity', '--format', 'json']);
    const doc = JSON.parse(json.stdout) as {
      layers: { activity: { memory: Record<string, number> } }[];
      activityRegisters: { memory: Record<string, string> };
    };
    expect(doc.layers[0]!.activity.memory.dramRead).toBeGreaterThan(0);
    expect(doc.activityRegisters.memory.ifmapRead).toContain('u_ifmap.rd_data');
  });
});
