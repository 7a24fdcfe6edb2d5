/**
 * Sweeps: the database holds every result once, a rerun runs only what is missing (also after a sweep was
 * killed halfway), a crashing task fails alone with its error recorded, bad inputs are clear errors, and
 * the sweep report renders in headless Chromium. A sweep that runs points starts worker processes of the
 * executable, so it runs as a child process (runCli); the rest runs in this process (runCliInProcess).
 */
import { existsSync, mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SweepDb } from '../../src/sweep/db.js';
import { cliCommand, runCli, runCliInProcess } from '../helpers/cli.js';
import { projectRoot } from '../../src/util/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-sweep-'));
const counts = (file: string) => {
  const db = SweepDb.open(file, { create: false });
  try {
    const c = db.counts() as { pending: number; running: number; done: number; failed: number };
    const results = db.db.prepare('SELECT COUNT(*) n, COUNT(DISTINCT point_id) d FROM results').get() as {
      n: number;
      d: number;
    };
    return { ...c, results: results.n, distinct: results.d };
  } finally {
    db.close();
  }
};

describe('mactile sweep (local backend)', () => {
  it('runs an analytic grid into the database and skips it on a rerun', async () => {
    const db = join(dir, 'a.sqlite');
    const args = [
      'sweep',
      '--db',
      db,
      '--net',
      'lenet5,alexnet',
      '--rows',
      '4,8',
      '--cols',
      '8,16',
      '--dataflow',
      'os,ws',
      '--jobs',
      '2',
    ];
    const r = await runCli(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/16 points \(0 already done, 16 to run\)/);
    expect(counts(db)).toMatchObject({ done: 16, failed: 0, results: 16, distinct: 16 });
    const again = await runCliInProcess(args); // nothing to run: no workers
    expect(again.stdout).toMatch(/16 points \(16 already done, 0 to run\)/);
    const status = await runCliInProcess(['sweep', '--status', '--db', db]);
    expect(status.stdout).toMatch(/16 points: 16 done, 0 running, 0 pending, 0 failed/);
  });

  it('after being killed halfway, a rerun finishes only the missing points and every result is stored once', async () => {
    const db = join(dir, 'kill.sqlite');
    const args = [
      'sweep',
      '--db',
      db,
      '--net',
      'lenet5',
      '--rows',
      '2,3,4',
      '--cols',
      '2,3',
      '--dataflow',
      'os',
      '--level',
      'rtl',
      '--jobs',
      '1',
    ];
    const child = execa(process.execPath, [...cliCommand(), ...args], {
      cwd: projectRoot(),
      reject: false,
      detached: true,
    });
    // Wait until at least two points are done, then kill the sweep and its worker.
    for (let i = 0; i < 1200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      if (existsSync(db) && counts(db).done >= 2) break;
    }
    process.kill(-child.pid!, 'SIGKILL');
    await child;
    const before = counts(db);
    expect(before.done).toBeGreaterThanOrEqual(2);
    expect(before.done).toBeLessThan(6);
    const finished = SweepDb.open(db, { create: false });
    const stamps = new Map(
      (
        finished.db.prepare(`SELECT key, finished_at FROM points WHERE status = 'done'`).all() as {
          key: string;
          finished_at: string;
        }[]
      ).map((r) => [r.key, r.finished_at]),
    );
    finished.close();
    const r = await runCli(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`6 points \\(${before.done} already done, ${6 - before.done} to run\\)`));
    expect(counts(db)).toMatchObject({ done: 6, failed: 0, pending: 0, running: 0, results: 6, distinct: 6 });
    const after = SweepDb.open(db, { create: false });
    for (const [key, at] of stamps)
      expect(
        (after.db.prepare('SELECT finished_at FROM points WHERE key = ?').get(key) as { finished_at: string })
          .finished_at,
      ).toBe(at);
    const exact = after.db.prepare('SELECT COUNT(*) n FROM results WHERE bit_exact = 1 AND cycle_exact = 1').get() as {
      n: number;
    };
    after.close();
    expect(exact.n).toBe(6);
  }, 600_000);

  it('a failing task fails alone, with its error recorded', async () => {
    const topo = join(dir, 'gone.csv');
    writeFileSync(
      topo,
      'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nc1, 8, 8, 3, 3, 2, 4, 1,\n',
    );
    const db = join(dir, 'fail.sqlite');
    // The grid names the topology, but it is gone when the task reads it: that task fails, the other runs.
    unlinkSync(topo);
    const r = await runCli([
      'sweep',
      '--db',
      db,
      '--net',
      `lenet5,${topo}`,
      '--rows',
      '4',
      '--cols',
      '4',
      '--dataflow',
      'os',
      '--jobs',
      '2',
    ]);
    expect(r.stdout).toMatch(/2 points: 1 done, 0 running, 0 pending, 1 failed/);
    expect(r.stdout).toMatch(/failed .*gone\.csv.*: topology .*gone\.csv: no such file/);
  });

  it.each([
    [
      ['sweep', '--db', join(dir, 'e.sqlite'), '--net', 'lenet5', '--rows', '', '--cols', '4'],
      /sweep: the grid is empty: --rows lists no values|expected --rows/,
    ],
    [
      ['sweep', '--db', join(dir, 'e.sqlite'), '--net', 'lenet5', '--rows', '4', '--cols', '4', '--dataflow', 'xs'],
      /key 'dataflow': expected one of os \| ws \| is, received "xs"/,
    ],
    [['sweep', '--status', '--db', join(dir, 'absent.sqlite')], /database .*absent\.sqlite: no such file/],
  ])('rejects %j', async (args, message) => {
    const r = await runCliInProcess(args as string[]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it('rejects a malformed database file without touching it', async () => {
    const bad = join(dir, 'bad.sqlite');
    writeFileSync(bad, 'not a database, just text that someone saved here');
    const r = await runCliInProcess(['sweep', '--db', bad, '--net', 'lenet5', '--rows', '4', '--cols', '4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/database .*bad\.sqlite: expected an SQLite database, received another kind of file/);
    expect(readFileSync(bad, 'utf8')).toBe('not a database, just text that someone saved here');
  });

  it('reports a missing sbatch clearly and keeps the points pending', async () => {
    const db = join(dir, 'slurmless.sqlite');
    const bin = mkdtempSync(join(tmpdir(), 'mactile-path-'));
    const r = await runCli(
      ['sweep', '--db', db, '--net', 'lenet5', '--rows', '4', '--cols', '4', '--dataflow', 'os', '--backend', 'slurm'],
      { env: { PATH: bin }, extendEnv: true },
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /sbatch: expected the Slurm `sbatch` command on PATH, found none; the points stay pending/,
    );
    expect(counts(db)).toMatchObject({ pending: 1, done: 0 });
  });

  it('renders the sweep report with its charts in headless Chromium', async () => {
    const out = join(dir, 'report');
    const r = await runCliInProcess(['sweep', '--db', join(dir, 'a.sqlite'), '--report', out]);
    expect(r.code).toBe(0);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(`file://${join(out, 'index.html')}`);
      const charts = await page.$$eval('[data-chart]', (els) =>
        els.map((e) => e.querySelectorAll('svg g.role-mark path, svg g.role-mark rect').length),
      );
      expect(charts).toHaveLength(4); // Pareto + heat map for each of the two networks
      for (const n of charts) expect(n).toBeGreaterThan(0);
      const rows = await page.$$eval('table[data-table="alexnet"] tbody tr', (trs) => trs.length);
      expect(rows).toBe(8);
      // The status in words, and each point named in the table's first column.
      expect(await page.textContent('body > p')).toMatch(
        /^\d+ points done; of all \d+ points: \d+ done, \d+ running, \d+ pending, \d+ failed\.$/,
      );
      expect(await page.$eval('table[data-table="alexnet"] thead th', (th) => th.textContent)).toBe('point');
      const names = await page.$$eval('table[data-table="alexnet"] tbody tr td:first-child', (tds) =>
        tds.map((td) => td.textContent),
      );
      expect(new Set(names).size).toBe(8);
      for (const n of names) expect(n).toMatch(/^\d+x\d+ (os|ws|is) int(8|16)/);
      expect(await page.$$eval('tr.pareto', (trs) => trs.length)).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
