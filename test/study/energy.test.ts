/**
 * The study's energy is the energy model of `analyze --energy` on the study's analytic runs: per layer the
 * figures `analyze --energy --format json` prints, per inference their sums from each table, and the range
 * over both tables; the runs with a DRAM port are priced by the DRAM words they move.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nvdlaRuns, systolicGrid } from '../../src/study/analytic.js';
import { loadNetwork } from '../../src/nets/load.js';
import { runCliInProcess } from '../helpers/cli.js';

const net = loadNetwork('lenet5');

describe('the study energy', () => {
  it('is per layer what analyze --energy prints for the same net and config, from both tables', async () => {
    const run = nvdlaRuns([net], 16).runs.find((r) => r.config === 'nv_small')!;
    // The study's nv_small: the preset with its memory system at 16 words per cycle.
    const cfg = join(mkdtempSync(join(tmpdir(), 'mactile-study-energy-')), 'nv_small.yaml');
    writeFileSync(cfg, `${readFileSync('configs/nv_small.yaml', 'utf8')}\ndram: { bandwidth: 16 }\n`);
    const r = await runCliInProcess(['analyze', '--net', 'lenet5', '--config', cfg, '--energy', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      energy: { layers: { name: string; tables: { table: string; total: { low: number; high: number } }[] }[] };
    };
    expect(run.energy!.registers).toBe('estimate');
    expect(run.energy!.tables.map((t) => t.name)).toEqual(['horowitz-45nm', 'eyeriss-65nm']);
    expect(run.energy!.layers.map((l) => l.name)).toEqual(doc.energy.layers.map((l) => l.name));
    run.energy!.layers.forEach((l, i) =>
      expect(l.tables.map((t) => [t.table, t.total])).toEqual(
        doc.energy.layers[i]!.tables.map((t) => [t.table, t.total]),
      ),
    );
  });

  it('sums the layers per inference for each table, and the range spans both tables', () => {
    const run = systolicGrid([net], [16], ['ws'], 16).runs.find((r) => r.precision === 'int16' && r.dram === 'calc')!;
    const e = run.energy!;
    e.perInference.forEach((p, i) => {
      for (const part of ['mac', 'register', 'sram', 'dram', 'total'] as const) {
        const low = e.layers.reduce((s, l) => s + l.tables[i]![part].low, 0);
        expect(p[part].low).toBeCloseTo(low, 6);
      }
      expect(p.total.low).toBeCloseTo(p.mac.low + p.register.low + p.sram.low + p.dram.low, 6);
    });
    expect(e.range.total.low).toBe(Math.min(...e.perInference.map((p) => p.total.low)));
    expect(e.range.total.high).toBe(Math.max(...e.perInference.map((p) => p.total.high)));
    expect(e.range.total.high).toBeGreaterThan(e.range.total.low);
    expect(e.range.pjPerMac.low).toBeCloseTo(e.range.total.low / run.totals.macs, 9);
    expect(e.range.topsPerWatt.high).toBeCloseTo((2 * run.totals.macs) / e.range.total.low, 9);
    // pJ / µs = µW: mW at the configured clock over the run's time.
    expect(e.range.milliwatts.low).toBeCloseTo(e.range.total.low / run.totals.timeUs / 1000, 9);
  });

  it('prices the DRAM-port runs by their own DRAM words, which the refetches of their scratchpads raise', () => {
    const runs = systolicGrid([net], [8], ['os', 'is'], 4).runs;
    for (const r of runs.filter((x) => x.dram !== 'calc')) {
      const ideal = runs.find((x) => x.dram === 'calc' && x.dataflow === r.dataflow && x.precision === r.precision)!;
      const words = (x: typeof r) => x.layers.reduce((s, l) => s + l.dramWords, 0);
      expect(words(r), r.config).toBeGreaterThanOrEqual(words(ideal));
      const dram = (x: typeof r) => x.energy!.perInference[1]!.dram.low;
      // Eyeriss prices every DRAM word alike: the energy follows the words.
      expect(dram(r) / dram(ideal)).toBeCloseTo(words(r) / words(ideal), 9);
    }
  });
});
