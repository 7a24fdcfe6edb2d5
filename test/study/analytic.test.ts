/**
 * The study's NVDLA-style runs: each core with its memory system at the study's DRAM bandwidth, and a network
 * that does not fit a core's memory system left out with the reason rather than failing the whole study.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accelOf } from '../../src/accel/registry.js';
import { macLayers } from '../../src/nets/ir.js';
import { loadNetwork } from '../../src/nets/load.js';
import { NVDLA_RUNS, nvdlaConfig, nvdlaRuns } from '../../src/study/analytic.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-study-analytic-'));

describe("the study's NVDLA-style runs", () => {
  it('run each core with its memory system at the DRAM bandwidth asked for', () => {
    const net = loadNetwork('lenet5');
    const { runs, unfit } = nvdlaRuns([net], 4);
    expect(unfit).toEqual([]);
    expect(runs.map((r) => r.config)).toEqual(NVDLA_RUNS.map((r) => r.preset));
    for (const r of runs) {
      expect(r.dram).toBe(4);
      const cfg = nvdlaConfig(r.config, r.precision, 4);
      expect(r.layers.map((l) => l.cycles)).toEqual(
        macLayers(net).map((l) => accelOf(cfg).predictLayer(l, cfg, net).cycles),
      );
      // A DRAM port of 4 words per cycle stalls the core; ideal memory does not.
      expect(r.totals.stallCycles).toBeGreaterThan(0);
      const ideal = nvdlaRuns([net], 'calc').runs.find((x) => x.config === r.config)!;
      expect(ideal.totals.stallCycles).toBe(0);
      expect(r.totals.cycles).toBeGreaterThan(ideal.totals.cycles);
    }
  });

  it('leave out a network whose layer does not fit a core, naming the layer, the core and the key', () => {
    const file = join(dir, 'huge.csv');
    writeFileSync(
      file,
      'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nhuge, 16, 16, 11, 11, 4096, 8, 1,\n',
    );
    const { runs, unfit } = nvdlaRuns([loadNetwork('lenet5'), loadNetwork(file)], 16);
    expect(runs.filter((r) => r.net === 'lenet5')).toHaveLength(NVDLA_RUNS.length);
    expect(runs.filter((r) => r.net === 'huge')).toHaveLength(0);
    expect(unfit).toHaveLength(NVDLA_RUNS.length);
    for (const [i, u] of unfit.entries()) {
      expect(u).toMatch(new RegExp(`^huge on ${NVDLA_RUNS[i]!.preset}: layer huge`));
      expect(u).toMatch(/weight_buffer_kb/);
    }
  });
});
