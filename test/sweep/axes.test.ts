/**
 * Sweep axes over any config key (`--axis KEY=V1,V2`): nested keys set inside their table, values typed,
 * each point validated by the kind's schema naming the key, and a sweep over the clock whose times follow it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { SweepDb } from '../../src/sweep/db.js';
import { axisOption, gridPoints } from '../../src/sweep/grid.js';
import { runCli, runCliInProcess } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-axes-'));
const { source: _s, name: _n, ...base } = loadConfig('sa-8x8-os');
const filterKb = base.kind === 'systolic' ? base.sram.filter_kb : NaN;

describe('axisOption and gridPoints', () => {
  it('sets top-level and nested keys, typed, one point per combination', () => {
    const points = gridPoints({
      nets: ['lenet5'],
      base,
      baseSource: 'sa-8x8-os',
      axes: [axisOption('clock_mhz=500,1000'), axisOption('sram.ifmap_kb=16,256')],
      level: 'analytic',
    });
    expect(points.map((p) => [p.config.clock_mhz, p.config.kind === 'systolic' && p.config.sram.ifmap_kb])).toEqual([
      [500, 16],
      [500, 256],
      [1000, 16],
      [1000, 256],
    ]);
    // The other SRAM sizes stay the base config's, and every point has its own key.
    for (const p of points) if (p.config.kind === 'systolic') expect(p.config.sram.filter_kb).toBe(filterKb);
    expect(new Set(points.map((p) => p.key)).size).toBe(4);
    expect(axisOption('dram.bandwidth=calc,16').values).toEqual(['calc', 16]);
  });

  it('refuses a malformed axis, kind or name, and a value the schema refuses (naming the key)', () => {
    expect(() => axisOption('clock_mhz')).toThrow(/--axis: expected KEY=V1,V2,\.\.\./);
    expect(() => axisOption('kind=nvdla')).toThrow(/not kind or name/);
    expect(() => axisOption('Clock=1')).toThrow(/--axis: expected KEY=V1/);
    const grid = (text: string) =>
      gridPoints({ nets: ['lenet5'], base, baseSource: 'sa-8x8-os', axes: [axisOption(text)], level: 'analytic' });
    expect(() => grid('clock_mhz=0')).toThrow(/clock_mhz/);
    expect(() => grid('sram.ifmap_kbytes=64')).toThrow(/ifmap_kbytes/);
  });
});

describe('mactile sweep --axis', () => {
  it('sweeps the clock of a base config: the same cycles, the time per the clock', async () => {
    const db = join(dir, 'clock.sqlite');
    const r = await runCli([
      'sweep',
      '--db',
      db,
      '--net',
      'lenet5',
      '--config',
      'sa-8x8-os',
      '--axis',
      'clock_mhz=250,1000',
      '--jobs',
      '2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 points \(0 already done, 2 to run\)/);
    const open = SweepDb.open(db, { create: false, readonly: true });
    const rows = open.db
      .prepare(`SELECT p.config, r.cycles, r.time_us t FROM points p JOIN results r ON r.point_id = p.id`)
      .all() as { config: string; cycles: number; t: number }[];
    open.close();
    const byClock = new Map(rows.map((x) => [(JSON.parse(x.config) as { clock_mhz: number }).clock_mhz, x]));
    expect(byClock.get(250)!.cycles).toBe(byClock.get(1000)!.cycles);
    expect(byClock.get(250)!.t).toBeCloseTo(4 * byClock.get(1000)!.t, 6);
    const clash = await runCliInProcess([
      'sweep',
      '--db',
      join(dir, 'clash.sqlite'),
      '--net',
      'lenet5',
      '--config',
      'sa-8x8-os',
      '--rows',
      '4',
      '--axis',
      'rows=8',
    ]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/--axis rows and --rows both set the config key rows; give it once/);
  });
});
