/**
 * The Slurm backend against a real single-node Slurm (Debian's slurmctld, slurmd and munge, started by
 * scripts/slurm-up.sh, which `make test` runs): a small RTL sweep as a job array, followed with --status.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { SweepDb } from '../../src/sweep/db.js';
import { runCli } from '../helpers/cli.js';

describe('mactile sweep --backend slurm', () => {
  it('runs a small RTL sweep as a Slurm job array and records every point once', async () => {
    const sinfo = await execa('sinfo', ['-h', '-o', '%T'], { reject: false });
    expect(
      sinfo.exitCode,
      'Slurm is not running here: start it with scripts/slurm-up.sh (as root); `make test` does',
    ).toBe(0);
    const db = join(mkdtempSync(join(tmpdir(), 'mactile-slurm-')), 'sweep.sqlite');
    const args = [
      'sweep',
      '--db',
      db,
      '--net',
      'lenet5',
      '--rows',
      '2,3',
      '--cols',
      '2',
      '--dataflow',
      'os,ws',
      '--level',
      'rtl',
      '--backend',
      'slurm',
      '--slurm-tasks',
      '2',
    ];
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/submitted Slurm job (\d+) \(2 array tasks/);
    let status = '';
    for (let i = 0; i < 400; i++) {
      await new Promise((res) => setTimeout(res, 1500));
      status = (await runCli(['sweep', '--status', '--db', db])).stdout;
      if (/0 running, 0 pending/.test(status) && !/ 0 done/.test(status)) break;
    }
    expect(status).toMatch(/4 points: 4 done, 0 running, 0 pending, 0 failed \(Slurm job \d+\)/);
    const d = SweepDb.open(db, { create: false });
    try {
      const workers = d.db.prepare(`SELECT DISTINCT worker FROM points`).all() as { worker: string }[];
      expect(workers.every((w) => /^slurm-\d+-[01]$/.test(w.worker))).toBe(true);
      const res = d.db.prepare('SELECT COUNT(*) n, SUM(bit_exact) b, SUM(cycle_exact) c FROM results').get() as {
        n: number;
        b: number;
        c: number;
      };
      expect(res).toEqual({ n: 4, b: 4, c: 4 });
    } finally {
      d.close();
    }
    const again = await runCli(args);
    expect(again.stdout).toMatch(/4 points \(4 already done, 0 to run\)/);
  }, 900_000);

  it('reports a job that sbatch refuses, and keeps the points pending', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'mactile-slurm-')), 'refused.sqlite');
    const r = await runCli([
      'sweep',
      '--db',
      db,
      '--net',
      'lenet5',
      '--rows',
      '4',
      '--cols',
      '4',
      '--backend',
      'slurm',
      '--slurm-option',
      '--partition=no_such_partition',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /sbatch refused the job \(exit \d+\): .*partition.*; the points stay pending in the database/i,
    );
    const d = SweepDb.open(db, { create: false });
    try {
      expect(d.counts()).toMatchObject({ pending: 3, done: 0 });
    } finally {
      d.close();
    }
  });
});
