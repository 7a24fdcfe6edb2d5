/**
 * The commands work for every registered kind, the NVDLA-style presets included: `generate` writes the core,
 * `sweep` runs a grid over a base config of any kind (NVDLA atomic-C x atomic-K), and a key of another kind is
 * refused with a message that names it.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SweepDb } from '../../src/sweep/db.js';
import { runCli, runCliInProcess } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-kinds-'));

describe('generate for every kind', () => {
  it.each(['nv_small', 'nv_full_int8', 'nv_full_int16', 'sa-8x8-ws'])(
    '%s: writes the Verilog, the C++ header and a manifest with port groups',
    async (preset) => {
      const out = join(dir, `gen-${preset}`);
      const r = await runCliInProcess(['generate', preset, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
        top: string;
        files: string[];
        ports: { group: string; ports: string[] }[];
      };
      for (const f of manifest.files) expect(existsSync(join(out, f)), f).toBe(true);
      expect(readFileSync(join(out, 'mt_params.h'), 'utf8')).toMatch(/#define MT_JOB_KIND [12] /);
      const grouped = manifest.ports.flatMap((g) => g.ports);
      expect(grouped).toContain('clk');
      expect(new Set(grouped).size).toBe(grouped.length);
      expect(manifest.ports.map((g) => g.group)).toContain('counters');
    },
  );
});

describe('sweep over any kind', () => {
  it('an NVDLA atomic-C x atomic-K grid from the nv_small preset, analytic', async () => {
    const db = join(dir, 'nv.sqlite');
    // Sweeps in processes of their own: a sweep starts worker processes of the command that runs it.
    const r = await runCli([
      'sweep',
      '--db',
      db,
      '--net',
      'lenet5',
      '--config',
      'nv_small',
      '--atomic-c',
      '8,16',
      '--atomic-k',
      '8,16',
      '--jobs',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4 points \(0 already done, 4 to run\)/);
    const s = SweepDb.open(db, { create: false });
    const rows = s.db
      .prepare(
        `SELECT p.rows, p.cols, p.dataflow, r.cycles, r.util FROM points p JOIN results r ON r.point_id = p.id ORDER BY p.rows, p.cols`,
      )
      .all() as { rows: number; cols: number; dataflow: string; cycles: number; util: number }[];
    s.close();
    expect(rows.map((x) => [x.rows, x.cols, x.dataflow])).toEqual([
      [8, 8, 'nvdla'],
      [8, 16, 'nvdla'],
      [16, 8, 'nvdla'],
      [16, 16, 'nvdla'],
    ]);
    // More MAC cells never take more cycles on LeNet-5.
    expect(rows[3]!.cycles).toBeLessThanOrEqual(rows[0]!.cycles);
    const again = await runCli([
      'sweep',
      '--db',
      db,
      '--net',
      'lenet5',
      '--config',
      'nv_small',
      '--atomic-c',
      '8,16',
      '--atomic-k',
      '8,16',
      '--jobs',
      '1',
    ]);
    expect(again.stdout).toMatch(/4 points \(4 already done, 0 to run\)/);
  });

  it('refuses an axis of another kind, naming it', async () => {
    const r = await runCliInProcess([
      'sweep',
      '--db',
      join(dir, 'bad.sqlite'),
      '--net',
      'lenet5',
      '--config',
      'nv_small',
      '--rows',
      '8',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mactile: sweep: --rows is a systolic key; the base config is kind: nvdla/);
  });
});
