/**
 * Sweeps against hostile input and hostile circumstances (regressions of a hostile-user review):
 * - the Slurm job script holds no user string: --db, --net and --slurm-option values with newlines,
 *   commands, quotes and spaces neither run nor get lost (checked with a fake sbatch, with bash running
 *   the script, and against the real single-node Slurm when it is up);
 * - relative --net paths are stored absolute;
 * - claims have owners: a rerun after the sweep process was SIGKILLed and two concurrent sweeps run every
 *   point once, workers die with their sweep, points of live other sweeps are left alone, those of dead
 *   ones are taken back; a sweep with failed or foreign-held points exits non-zero; --jobs is capped;
 * - workers that keep dying the same way (a full disk, faked) stop the sweep with a message;
 * - only mactile databases (application_id / user_version) are used: other SQLite files, damaged files and
 *   directories are refused untouched with one-line messages; schema-1 databases still work.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type BetterSqlite3 from 'better-sqlite3';
import { APPLICATION_ID, SCHEMA_VERSION, SweepDb } from '../../src/sweep/db.js';
import { gridPoints } from '../../src/sweep/grid.js';
import { selfOwner, thisMachine } from '../../src/sweep/owner.js';
import { checkSlurmOptions, jobScript, sbatchCall } from '../../src/sweep/slurm.js';
import { projectRoot } from '../../src/util/paths.js';
import { cliCommand, runCli } from '../helpers/cli.js';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as typeof BetterSqlite3;

const dir = mkdtempSync(join(tmpdir(), 'mactile-hard-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A SCALE-Sim topology of `layers` small conv layers: an analytic point on it takes about layers/5000 s. */
function topology(file: string, layers: number): string {
  const lines = ['Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,'];
  for (let i = 0; i < layers; i++) lines.push(`c${i}, 16, 16, 3, 3, 8, 8, 1,`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Reads a database without changing it (a read-only connection). */
function peek<T>(file: string, fn: (db: BetterSqlite3.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const pointRows = (file: string) =>
  peek(
    file,
    (db) =>
      db.prepare(`SELECT key, status, attempts, worker, owner_pid, finished_at FROM points ORDER BY id`).all() as {
        key: string;
        status: string;
        attempts: number;
        worker: string;
        owner_pid: number;
        finished_at: string;
      }[],
  );
const resultCount = (file: string) =>
  peek(
    file,
    (db) => db.prepare('SELECT COUNT(*) n, COUNT(DISTINCT point_id) d FROM results').get() as { n: number; d: number },
  );

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/^\S+ \S+ Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/\(.*\)/, 'x'));
  } catch {
    return false;
  }
};

/** Every error is one line on stderr starting with `mactile: `, never an internal error. */
function expectOneLineError(r: { code: number; stderr: string }, code: number, message: RegExp) {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mactile: /);
  expect(lines[0]).not.toMatch(/internal error/);
  expect(lines[0]).toMatch(message);
}

/** A file's bytes and the names beside it (to see that nothing was written or added). */
const snapshot = (file: string) => ({
  bytes: readFileSync(file).toString('base64'),
  beside: readdirSync(dirname(file))
    .filter((f) => f.startsWith(file.split('/').pop()!))
    .sort(),
});

// Paths a hostile user might give: a newline followed by a command, command substitutions, quotes, spaces, %.
const evilDir = (base: string, tag: string) =>
  join(
    base,
    `we ird'"\ntouch ${base}/PWNED-${tag}-nl\n$(touch ${base}/PWNED-${tag}-subst) \`touch ${base}/PWNED-${tag}-tick\` %x %A;x`,
  );
const pwned = (base: string) => readdirSync(base).filter((f) => f.startsWith('PWNED'));

describe('the Slurm job script holds no user string', () => {
  it('is the same text for every database, options and networks; every value comes from the environment', () => {
    const a = sbatchCall(join(evilDir(dir, 'a'), 's.sqlite'), 3, ['--comment=x "y" $(touch z)']);
    const b = sbatchCall(join(dir, 'plain', 's.sqlite'), 3, []);
    const script = jobScript(3);
    expect(script).toBe(jobScript(3));
    for (const bad of ['PWNED', 'we ird', dir, projectRoot(), process.execPath]) expect(script).not.toContain(bad);
    // No #SBATCH line after the first command, and none but the constant ones.
    const lines = script.split('\n');
    const firstCommand = lines.findIndex((l) => l.trim() && !l.startsWith('#'));
    expect(lines.slice(firstCommand).some((l) => l.startsWith('#SBATCH'))).toBe(false);
    expect(lines.filter((l) => l.startsWith('#SBATCH'))).toEqual([
      '#SBATCH --job-name=mactile-sweep',
      '#SBATCH --array=0-2',
      '#SBATCH --cpus-per-task=1',
    ]);
    expect(a.env.MACTILE_SWEEP_DB).toBe(resolve(evilDir(dir, 'a'), 's.sqlite'));
    expect(a.env.MACTILE_SWEEP_ROOT).toBe(projectRoot());
    // Output and user options are sbatch arguments: ours first, the user's after them (they win), the script last.
    expect(a.args[0]).toBe('--parsable');
    expect(a.args[1]).toBe('--export=ALL');
    expect(a.args[2]).toBe(`--output=${a.logDir.replace(/%/g, '%%')}/task-%A_%a.out`);
    expect(a.args[2]).toContain('%%x %%A;x');
    expect(a.args.slice(3)).toEqual(['--comment=x "y" $(touch z)', a.script]);
    expect(b.args.slice(3)).toEqual([b.script]);
  });

  it('bash runs the script with a hostile database path as one word, running nothing from it', async () => {
    const base = mkdtempSync(join(tmpdir(), 'mactile-hard-bash-'));
    const db = join(evilDir(base, 'bash'), 's.sqlite');
    mkdirSync(dirname(db), { recursive: true });
    const call = sbatchCall(db, 1, []);
    mkdirSync(call.logDir, { recursive: true });
    writeFileSync(call.script, jobScript(1));
    // The worker command replaced by a Node one-liner that prints the arguments it received.
    const env = {
      ...call.env,
      MACTILE_SWEEP_ARGC: '2',
      MACTILE_SWEEP_ARG_0: '-e',
      MACTILE_SWEEP_ARG_1: 'console.log(JSON.stringify(process.argv.slice(1)))',
      SLURM_ARRAY_JOB_ID: '7',
      SLURM_ARRAY_TASK_ID: '0',
    };
    const r = await execa('bash', [call.script], { env, cwd: call.logDir, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(['sweep-worker', '--db', resolve(db), '--worker', 'slurm-7-0']);
    expect(pwned(base)).toEqual([]);
  });

  it('passes hostile --db and --slurm-option values to sbatch as arguments (a fake sbatch records them)', async () => {
    const base = mkdtempSync(join(tmpdir(), 'mactile-hard-fake-'));
    const bin = join(base, 'bin');
    mkdirSync(bin);
    const record = join(base, 'record');
    writeFileSync(
      join(bin, 'sbatch'),
      `#!/bin/bash\nprintf '%s\\0' "$@" > '${record}.args'\nprintf '%s' "$MACTILE_SWEEP_DB" > '${record}.db'\npwd > '${record}.cwd'\necho 4242\n`,
      { mode: 0o755 },
    );
    const db = join(evilDir(base, 'fake'), 's.sqlite');
    mkdirSync(dirname(db), { recursive: true });
    const comment = `--comment=a "b" 'c' $(touch ${base}/PWNED-opt) d`;
    const r = await runCli(
      [
        'sweep',
        '--db',
        db,
        '--net',
        'lenet5',
        '--rows',
        '4',
        '--cols',
        '4',
        '--dataflow',
        'os',
        '--backend',
        'slurm',
        '--slurm-option',
        comment,
        '--slurm-option',
        '--partition=debug',
      ],
      { env: { PATH: `${bin}:${process.env.PATH}` } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/submitted Slurm job 4242/);
    const args = readFileSync(`${record}.args`, 'utf8').split('\0').slice(0, -1);
    const logDir = `${db}.slurm`;
    expect(args).toEqual([
      '--parsable',
      '--export=ALL',
      `--output=${logDir.replace(/%/g, '%%')}/task-%A_%a.out`,
      comment,
      '--partition=debug',
      join(logDir, 'sweep-job.sh'),
    ]);
    expect(readFileSync(`${record}.db`, 'utf8')).toBe(db);
    expect(readFileSync(join(logDir, 'sweep-job.sh'), 'utf8')).toBe(jobScript(1));
    expect(pwned(base)).toEqual([]);
  });

  it.each([
    [`--partition=debug\n#SBATCH --wrap=touch /tmp/x`, /without newlines or other control characters/],
    ['partition=debug', /starting with - or --/],
    ['--export=NONE', /mactile does not set itself/],
    ['--array=0-99', /mactile does not set itself/],
  ])('refuses --slurm-option %j before the database is created', async (opt, message) => {
    expect(() => checkSlurmOptions([opt])).toThrow(message);
    const db = join(dir, `opt-${Math.random().toString(36).slice(2)}.sqlite`);
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
      opt,
    ]);
    expectOneLineError(r, 2, message);
    expect(existsSync(db)).toBe(false);
  });

  it('refuses a --db path with a backslash for Slurm (sbatch would name every task the same), before creating it', async () => {
    const db = join(dir, 'back\\slash', 's.sqlite');
    mkdirSync(dirname(db), { recursive: true });
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
    ]);
    expectOneLineError(r, 2, /--db: expected a path without a backslash for --backend slurm/);
    expect(existsSync(db)).toBe(false);
  });
});

describe('relative --net paths', () => {
  it('are stored as absolute paths (zoo names stay names)', async () => {
    const csv = topology(join(dir, 'rel', 'small.csv'), 2);
    const db = join(dir, 'rel.sqlite');
    const r = await runCli([
      'sweep',
      '--db',
      db,
      '--net',
      `${relative(projectRoot(), csv)},lenet5`,
      '--rows',
      '4',
      '--cols',
      '4',
      '--dataflow',
      'os',
      '--jobs',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(pointRows(db).map((p) => p.key.split('|')[0])).toEqual([csv, 'lenet5']);
    expect(
      gridPoints({
        nets: ['x/../t.onnx', 'alexnet'],
        base: { kind: 'systolic', dataflow: 'os', precision: 'int8', timing: 'scalesim' },
        baseSource: 't',
        axes: [
          { key: 'rows', option: '--rows', values: [4] },
          { key: 'cols', option: '--cols', values: [4] },
        ],
        level: 'analytic',
      }).map((p) => p.net),
    ).toEqual([resolve('t.onnx'), 'alexnet']);
  });
});

describe.skipIf(execFileSync('sh', ['-c', "sinfo -h -o '%T' 2>/dev/null || true"]).toString().trim() === '')(
  'against the real single-node Slurm',
  () => {
    it('runs a sweep with a hostile --db, a relative --net, a hostile network file name and a hostile --slurm-option: nothing injected runs, the option is honoured', async () => {
      const base = mkdtempSync(join(tmpdir(), 'mactile-hard-slurm-'));
      const db = join(evilDir(base, 'slurm'), 's.sqlite');
      mkdirSync(dirname(db), { recursive: true });
      const rel = relative(projectRoot(), topology(join(base, 'rel', 'small.csv'), 3));
      const evilNet = topology(join(base, `net "q" 'r' $(touch ${base}/PWNED-net).csv`), 3);
      const comment = `a "b" 'c' $(touch ${base}/PWNED-opt) \`touch ${base}/PWNED-opt2\` d`;
      const r = await runCli([
        'sweep',
        '--db',
        db,
        '--net',
        `${rel},${evilNet}`,
        '--rows',
        '4',
        '--cols',
        '4',
        '--dataflow',
        'os',
        '--backend',
        'slurm',
        '--slurm-tasks',
        '2',
        '--slurm-option',
        `--comment=${comment}`,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const jobId = /submitted Slurm job (\d+)/.exec(r.stdout)![1]!;
      const job = execFileSync('scontrol', ['show', 'job', '-o', jobId]).toString();
      expect(job).toContain(`Comment=${comment}`);
      let status = '';
      for (let i = 0; i < 200; i++) {
        await sleep(1000);
        status = (await runCli(['sweep', '--status', '--db', db])).stdout;
        if (/2 done/.test(status) || / [1-9]\d* failed/.test(status)) break;
      }
      expect(status).toMatch(/2 points: 2 done, 0 running, 0 pending, 0 failed \(Slurm job \d+\)/);
      expect(pointRows(db).map((p) => p.key.split('|')[0])).toEqual([resolve(projectRoot(), rel), evilNet]);
      expect(
        readdirSync(`${db}.slurm`)
          .filter((f) => f.endsWith('.out'))
          .sort(),
      ).toEqual([`task-${jobId}_0.out`, `task-${jobId}_1.out`]);
      expect(pwned(base)).toEqual([]);
      expect(existsSync(join(projectRoot(), 'PWNED-net'))).toBe(false);
    }, 300_000);

    it('honours --slurm-option with a hostile --db (a bad partition is refused, not pushed below the options sbatch reads)', async () => {
      const base = mkdtempSync(join(tmpdir(), 'mactile-hard-slurm-'));
      const db = join(evilDir(base, 'part'), 's.sqlite');
      mkdirSync(dirname(db), { recursive: true });
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
        '--dataflow',
        'os',
        '--backend',
        'slurm',
        '--slurm-option',
        '--partition=no_such_partition',
      ]);
      expectOneLineError(
        r,
        3,
        /sbatch refused the job \(exit \d+\): .*partition.*; the points stay pending in the database/i,
      );
      expect(pwned(base)).toEqual([]);
    });
  },
);

describe('claims have owners', () => {
  it('after the sweep process alone is SIGKILLed, its workers stop and a rerun runs every point once', async () => {
    const csv = topology(join(dir, 'kill', 'slow.csv'), 6000);
    const db = join(dir, 'kill.sqlite');
    const args = [
      'sweep',
      '--db',
      db,
      '--net',
      csv,
      '--rows',
      '2,3,4,5,6,7',
      '--cols',
      '4',
      '--dataflow',
      'os',
      '--jobs',
      '2',
    ];
    const child = execa(process.execPath, [...cliCommand(), ...args], {
      cwd: projectRoot(),
      reject: false,
    });
    let rows: ReturnType<typeof pointRows>;
    for (let i = 0; i < 600; i++) {
      await sleep(200);
      if (!existsSync(db)) continue;
      try {
        rows = pointRows(db);
      } catch {
        continue; // created but not yet set up
      }
      if (rows.some((p) => p.status === 'done') && rows.some((p) => p.status === 'running')) break;
    }
    process.kill(child.pid!, 'SIGKILL'); // the sweep process only: its workers are orphaned
    await child;
    const before = pointRows(db);
    const doneBefore = before.filter((p) => p.status === 'done');
    const orphans = [...new Set(before.filter((p) => p.status === 'running').map((p) => p.owner_pid))];
    expect(doneBefore.length).toBeGreaterThan(0);
    expect(orphans.length).toBeGreaterThan(0);
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/6 points: 6 done, 0 running, 0 pending, 0 failed/);
    const after = pointRows(db);
    // Every point ran once: nothing was claimed a second time, and what finished before stayed as it was.
    expect(after.map((p) => p.attempts)).toEqual([1, 1, 1, 1, 1, 1]);
    for (const p of doneBefore)
      expect(after.find((a) => a.key === p.key)).toMatchObject({
        status: 'done',
        finished_at: p.finished_at,
        worker: p.worker,
      });
    expect(resultCount(db)).toEqual({ n: 6, d: 6 });
    for (let i = 0; i < 100 && orphans.some(alive); i++) await sleep(200);
    expect(orphans.filter(alive)).toEqual([]);
  }, 300_000);

  it('SIGTERM to the sweep stops its workers, gives their points back and exits 143', async () => {
    const csv = topology(join(dir, 'term', 'slow.csv'), 10000);
    const db = join(dir, 'term.sqlite');
    const args = [
      'sweep',
      '--db',
      db,
      '--net',
      csv,
      '--rows',
      '2,3,4,5',
      '--cols',
      '4',
      '--dataflow',
      'os',
      '--jobs',
      '2',
    ];
    const child = execa(process.execPath, [...cliCommand(), ...args], {
      cwd: projectRoot(),
      reject: false,
    });
    let workers: number[] = [];
    for (let i = 0; i < 600 && workers.length === 0; i++) {
      await sleep(200);
      try {
        workers = pointRows(db)
          .filter((p) => p.status === 'running')
          .map((p) => p.owner_pid);
      } catch {
        // not created yet
      }
    }
    process.kill(child.pid!, 'SIGTERM'); // (not child.kill: execa would follow it with SIGKILL after 5 s)
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(143);
    expect(r.stderr).toMatch(
      /^mactile: sweep: interrupted by SIGTERM; \d point\(s\) not run stay pending: run the same command again to finish them$/,
    );
    expect(pointRows(db).filter((p) => p.status === 'running')).toEqual([]);
    expect(workers.length).toBeGreaterThan(0);
    expect(workers.filter(alive)).toEqual([]);
  }, 300_000);

  it('two sweeps on one database, the second started while the first runs points, run every point exactly once and both end with every point done', async () => {
    const csv = topology(join(dir, 'two', 'slow.csv'), 6000);
    const db = join(dir, 'two.sqlite');
    const args = [
      'sweep',
      '--db',
      db,
      '--net',
      csv,
      '--rows',
      '2,3,4,5,6,7',
      '--cols',
      '4',
      '--dataflow',
      'os',
      '--jobs',
      '1',
    ];
    const first = runCli(args);
    for (let i = 0; i < 600; i++) {
      await sleep(200);
      try {
        if (pointRows(db).some((p) => p.status === 'running')) break;
      } catch {
        // not created yet
      }
    }
    const second = await runCli(args);
    const a = await first;
    for (const r of [a, second]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/6 points: 6 done, 0 running, 0 pending, 0 failed/);
    }
    expect(second.stdout).toMatch(/6 points \(\d already done, \d to run, [1-9] running in another sweep\)/);
    expect(pointRows(db).map((p) => p.attempts)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(resultCount(db)).toEqual({ n: 6, d: 6 });
  }, 300_000);

  it('two sweeps started at the same moment on a database neither has created yet both use it', async () => {
    const db = join(dir, 'race.sqlite');
    const args = [
      'sweep',
      '--db',
      db,
      '--net',
      'lenet5,alexnet',
      '--rows',
      '2,3,4',
      '--cols',
      '4',
      '--dataflow',
      'os',
      '--jobs',
      '1',
    ];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    for (const r of [a, b]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/6 points: 6 done, 0 running, 0 pending, 0 failed/);
    }
    expect(pointRows(db).map((p) => p.attempts)).toEqual([1, 1, 1, 1, 1, 1]);
  }, 300_000);

  it('a rerun leaves the points of live owners alone and takes back those of dead ones', () => {
    const db = SweepDb.open(join(dir, 'owners.sqlite'), { create: true });
    try {
      const points = gridPoints({
        nets: ['lenet5'],
        base: { kind: 'systolic', dataflow: 'os', precision: 'int8', timing: 'scalesim' },
        baseSource: 't',
        axes: [
          { key: 'rows', option: '--rows', values: [2, 3, 4, 5, 6] },
          { key: 'cols', option: '--cols', values: [4] },
        ],
        level: 'analytic',
      });
      expect(db.addPoints(points)).toMatchObject({ added: 5, toRun: 5, held: [] });
      const me = selfOwner();
      const gone = Number(execFileSync('sh', ['-c', 'echo $$']).toString().trim()); // a process that has exited
      const set = db.db.prepare(
        `UPDATE points SET status = 'running', worker = ?, owner_host = ?, owner_pid = ?, owner_start = ?, lease_until = ? WHERE key = ?`,
      );
      const now = Date.now();
      set.run('live-here', me.host, me.pid, me.start, now - 1, points[0]!.key); // alive on this machine (lease irrelevant)
      set.run('dead-here', me.host, gone, `${thisMachine()}/1`, now + 1e6, points[1]!.key); // its pid is gone
      set.run('reused-pid', me.host, me.pid, `${thisMachine()}/1`, now + 1e6, points[2]!.key); // pid alive, another start time
      set.run('far-live', 'elsewhere.example', 1, 'x:y/1', now + 600_000, points[3]!.key); // another host, lease running
      set.run('far-dead', 'elsewhere.example', 1, 'x:y/1', now - 1, points[4]!.key); // another host, lease expired
      const again = db.addPoints(points);
      expect(again.held.map((h) => h.worker).sort()).toEqual(['far-live', 'live-here']);
      expect(again.held.find((h) => h.worker === 'live-here')!.local).toBe(true);
      expect(again.held.find((h) => h.worker === 'far-live')!.local).toBe(false);
      expect(again.toRun).toBe(3);
      const status = db.statusOf(points.map((p) => p.key));
      expect(points.map((p) => status.get(p.key)!.status)).toEqual([
        'running',
        'pending',
        'pending',
        'running',
        'pending',
      ]);
      // A stale owner cannot store results or fail a point it no longer holds.
      const claimed = db.claim('w', me)!;
      expect(
        db.complete(
          claimed.id,
          { ...me, pid: me.pid + 1 },
          {
            cycles: 1,
            analyticCycles: 1,
            macs: 1,
            timeUs: 1,
            util: 1,
            mappingEfficiency: 1,
            dramWords: 1,
            areaCells: null,
            bitExact: null,
            cycleExact: null,
            tools: {},
            seconds: 0,
            layers: [],
          },
        ),
      ).toBe(false);
      expect(db.fail(claimed.id, 'x', { ...me, start: 'other' })).toBe(false);
      expect(db.release(claimed.id, me)).toBe(true);
    } finally {
      db.close();
    }
  });

  it('a sweep whose point a live sweep on another host holds ends non-zero naming it; once its lease expires the point is run', async () => {
    const db = join(dir, 'far.sqlite');
    const args = [
      'sweep',
      '--db',
      db,
      '--net',
      'lenet5',
      '--rows',
      '4,8',
      '--cols',
      '4',
      '--dataflow',
      'os',
      '--jobs',
      '1',
    ];
    expect((await runCli(args)).code).toBe(0);
    const key = 'lenet5|analytic|8x4|os|int8|scalesim';
    const w = new Database(db);
    const hold = (lease: number) => {
      w.prepare(`DELETE FROM layer_results WHERE point_id = (SELECT id FROM points WHERE key = ?)`).run(key);
      w.prepare(`DELETE FROM results WHERE point_id = (SELECT id FROM points WHERE key = ?)`).run(key);
      w.prepare(
        `UPDATE points SET status = 'running', worker = 'slurm-9-0', owner_host = 'elsewhere.example', owner_pid = 4321, owner_start = 'x:y/1', lease_until = ? WHERE key = ?`,
      ).run(lease, key);
    };
    hold(Date.now() + 600_000);
    w.close();
    const r = await runCli(args);
    expect(r.stdout).toMatch(/2 points \(1 already done, 0 to run, 1 running in another sweep\)/);
    expectOneLineError(
      r,
      1,
      new RegExp(
        `sweep: 1 point\\(s\\) running in another sweep: ${key.replace(/[|()]/g, '\\$&')} \\(worker slurm-9-0, pid 4321 on host elsewhere\\.example, lease until .*\\); they were not run here`,
      ),
    );
    expect(pointRows(db).find((p) => p.key === key)).toMatchObject({ status: 'running', attempts: 1 });
    const w2 = new Database(db);
    w2.prepare(`UPDATE points SET lease_until = ? WHERE key = ?`).run(Date.now() - 1, key);
    w2.close();
    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/2 points \(1 already done, 1 to run\)/);
    expect(pointRows(db).find((p) => p.key === key)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('a sweep that ends with a failed point exits 1 and names it', async () => {
    const topo = join(dir, 'gone.csv');
    const r = await runCli([
      'sweep',
      '--db',
      join(dir, 'failed.sqlite'),
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
    expectOneLineError(
      r,
      1,
      /sweep: 1 of 2 point\(s\) failed \(first: .*gone\.csv\|analytic.*: topology .*gone\.csv: no such file\); see mactile sweep --status/,
    );
  });

  it(`caps --jobs at the number of cores (${availableParallelism()}) with a note`, async () => {
    const r = await runCli([
      'sweep',
      '--db',
      join(dir, 'jobs.sqlite'),
      '--net',
      'lenet5,alexnet',
      '--rows',
      '2,3,4,5',
      '--cols',
      '4',
      '--dataflow',
      'os',
      '--jobs',
      '30',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      `mactile: note: --jobs 30 is more than the ${availableParallelism()} cores of this machine; starting at most ${availableParallelism()} worker processes`,
    );
    const started = Number(/(\d+) worker process\(es\)/.exec(r.stdout)![1]);
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThanOrEqual(availableParallelism());
  });
});

describe('workers that keep dying the same way', () => {
  // A preload that makes every write of a sweep worker fail as on a full disk (the sweep process itself writes normally).
  const faulty = join(dir, 'full-disk.cjs');
  writeFileSync(
    faulty,
    `
if (process.argv.includes('sweep-worker')) {
  const Database = require(require.resolve('better-sqlite3', { paths: [${JSON.stringify(projectRoot())}] }));
  const prepare = Database.prototype.prepare;
  const only = process.env.MACTILE_TEST_FULL_ONLY ? new RegExp(process.env.MACTILE_TEST_FULL_ONLY) : /^\\s*(UPDATE|INSERT|DELETE)/i;
  Database.prototype.prepare = function (sql) {
    if (only.test(sql)) throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
    return prepare.call(this, sql);
  };
}
`,
  );

  it('stop the sweep with a message after 3 in a row died before claiming anything (a full disk)', async () => {
    const db = join(dir, 'full.sqlite');
    const r = await runCli(
      ['sweep', '--db', db, '--net', 'lenet5,alexnet', '--rows', '4', '--cols', '4', '--dataflow', 'os', '--jobs', '2'],
      { env: { NODE_OPTIONS: `--require ${faulty}` }, timeout: 120_000 },
    );
    expectOneLineError(
      r,
      3,
      /sweep: stopped starting worker processes: 3 worker processes in a row died with the same error: database .*full\.sqlite: cannot claim a point: the disk is full \(database or disk is full\); 2 point\(s\) not run stay pending/,
    );
    expect(Number(/(\d+) worker process\(es\)/.exec(r.stdout)![1])).toBeLessThanOrEqual(4);
    expect(r.stdout).toMatch(/2 points: 0 done, 0 running, 2 pending, 0 failed/);
  });

  it('stop the sweep when every worker dies storing its result, each point failed with the error', async () => {
    const db = join(dir, 'full-store.sqlite');
    const r = await runCli(
      ['sweep', '--db', db, '--net', 'lenet5', '--rows', '2,3,4,5,6', '--cols', '4', '--dataflow', 'os', '--jobs', '1'],
      {
        env: {
          NODE_OPTIONS: `--require ${faulty}`,
          MACTILE_TEST_FULL_ONLY: "^\\s*(DELETE FROM layer_results|UPDATE points SET status = 'failed')",
        },
        timeout: 120_000,
      },
    );
    expectOneLineError(
      r,
      3,
      /sweep: stopped starting worker processes: 3 worker processes in a row died with the same error: database .*: cannot store the results of a point: the disk is full/,
    );
    const rows = pointRows(db);
    expect(rows.map((p) => p.status)).toEqual(['failed', 'failed', 'failed', 'pending', 'pending']);
    expect(
      peek(db, (d) => d.prepare(`SELECT error FROM points WHERE status = 'failed'`).pluck().all() as string[]).every(
        (e) => /the worker process died \(exit 3\) while running this point: .*disk is full/.test(e),
      ),
    ).toBe(true);
  });
});

describe('only mactile sweep databases are used', () => {
  /** An unrelated SQLite database, in rollback or WAL mode, closed. */
  const foreign = (name: string, wal: boolean) => {
    const file = join(dir, name);
    const db = new Database(file);
    if (wal) db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('ada'), ('grace');`);
    db.close();
    return file;
  };
  const sweepOn = (db: string) => [
    'sweep',
    '--db',
    db,
    '--net',
    'lenet5',
    '--rows',
    '4',
    '--cols',
    '4',
    '--dataflow',
    'os',
    '--jobs',
    '1',
  ];

  it.each([false, true])(
    'refuses an unrelated SQLite file (WAL mode: %s) untouched, for --status, --report and a sweep',
    async (wal) => {
      const file = foreign(`people-${wal}.sqlite`, wal);
      const before = snapshot(file);
      expect(before.beside).toEqual([`people-${wal}.sqlite`]);
      for (const args of [
        ['sweep', '--status', '--db', file],
        ['sweep', '--report', join(dir, `rep-${wal}`), '--db', file],
        sweepOn(file),
      ]) {
        const r = await runCli(args);
        expectOneLineError(
          r,
          2,
          /database .*people-.*\.sqlite: expected a mactile sweep database \(SQLite application_id 0x4d545357\), received another SQLite database \(tables: people\); it was not changed/,
        );
        expect(snapshot(file)).toEqual(before);
      }
    },
  );

  it('refuses the SQLite database of another application by its application_id', async () => {
    const file = join(dir, 'other-app.sqlite');
    const db = new Database(file);
    db.pragma('application_id = 42');
    db.exec('CREATE TABLE points (x)');
    db.close();
    const before = snapshot(file);
    expectOneLineError(
      await runCli(sweepOn(file)),
      2,
      /received the SQLite database of another application \(application_id 0x0000002a\); it was not changed/,
    );
    expect(snapshot(file)).toEqual(before);
  });

  it('refuses damaged files (garbage after the SQLite header, a truncated sweep database) untouched', async () => {
    const garbage = join(dir, 'garbage.sqlite');
    writeFileSync(garbage, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(5000, 0xa5)]));
    const made = join(dir, 'made.sqlite');
    expect(
      (
        await runCli([
          'sweep',
          '--db',
          made,
          '--net',
          'lenet5,alexnet',
          '--rows',
          '4,8',
          '--cols',
          '4',
          '--dataflow',
          'os',
          '--jobs',
          '1',
        ])
      ).code,
    ).toBe(0);
    const truncated = join(dir, 'truncated.sqlite');
    writeFileSync(truncated, readFileSync(made));
    truncateSync(truncated, Math.floor(statSync(made).size / 3));
    for (const file of [garbage, truncated]) {
      const before = snapshot(file);
      for (const args of [['sweep', '--status', '--db', file], sweepOn(file)]) {
        expectOneLineError(
          await runCli(args),
          2,
          /database .*: expected an intact SQLite database, received a damaged one \((its 100-byte SQLite header is invalid|database disk image is malformed)\)/,
        );
        expect(snapshot(file).bytes).toBe(before.bytes);
      }
    }
  });

  it('refuses a directory, a missing folder and an empty file for --status with one-line messages', async () => {
    expectOneLineError(
      await runCli(['sweep', '--status', '--db', dir]),
      2,
      /database .*: expected an SQLite database file, received a directory/,
    );
    expectOneLineError(
      await runCli(sweepOn(dir)),
      2,
      /database .*: expected an SQLite database file, received a directory/,
    );
    expectOneLineError(
      await runCli(sweepOn(join(dir, 'no-such-folder', 's.sqlite'))),
      2,
      /cannot create it: expected an existing directory, received ".*no-such-folder", which does not exist/,
    );
    const nl = join(dir, 'new\nline');
    mkdirSync(nl);
    expectOneLineError(
      await runCli(['sweep', '--status', '--db', nl]),
      2,
      /new\\nline: expected an SQLite database file, received a directory/,
    );
    const empty = join(dir, 'empty.sqlite');
    writeFileSync(empty, '');
    expectOneLineError(
      await runCli(['sweep', '--status', '--db', empty]),
      2,
      /expected a mactile sweep database, received an empty file/,
    );
    // An empty file is a fine place for a new sweep.
    expect((await runCli(sweepOn(empty))).code).toBe(0);
    expect(
      peek(empty, (d) => [d.pragma('application_id', { simple: true }), d.pragma('user_version', { simple: true })]),
    ).toEqual([APPLICATION_ID, SCHEMA_VERSION]);
  });

  it('refuses a database of a newer schema', async () => {
    const file = join(dir, 'newer.sqlite');
    expect((await runCli(sweepOn(file))).code).toBe(0);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expectOneLineError(
      await runCli(['sweep', '--status', '--db', file]),
      2,
      new RegExp(
        `expected a mactile sweep database of schema ${SCHEMA_VERSION} or older, received schema ${SCHEMA_VERSION + 1} \\(written by a newer mactile\\)`,
      ),
    );
  });

  it('reads a schema-1 database (no application_id) as it is, and upgrades it when a sweep runs on it', async () => {
    const file = join(dir, 'schema1.sqlite');
    const args = [
      'sweep',
      '--db',
      file,
      '--net',
      'lenet5',
      '--rows',
      '4,8,16',
      '--cols',
      '4',
      '--dataflow',
      'os',
      '--jobs',
      '1',
    ];
    expect((await runCli(args)).code).toBe(0);
    // Make it what mactile wrote before: no owner columns, no application_id or user_version, meta schema = 1;
    // one point left running by a sweep of that version (no owner recorded), one pending.
    const db = new Database(file);
    db.exec(`UPDATE points SET status = 'running', worker = 'local-1-1' WHERE key LIKE '%|8x4|%';
      UPDATE points SET status = 'pending', worker = NULL, attempts = 0 WHERE key LIKE '%|16x4|%';
      DELETE FROM layer_results WHERE point_id IN (SELECT id FROM points WHERE status != 'done');
      DELETE FROM results WHERE point_id IN (SELECT id FROM points WHERE status != 'done');
      ALTER TABLE points DROP COLUMN owner_host; ALTER TABLE points DROP COLUMN owner_pid;
      ALTER TABLE points DROP COLUMN owner_start; ALTER TABLE points DROP COLUMN lease_until;
      UPDATE meta SET value = '1' WHERE key = 'schema';`);
    db.pragma('application_id = 0');
    db.pragma('user_version = 0');
    db.pragma('journal_mode = DELETE');
    db.close();
    const before = snapshot(file);
    const done = peek(
      file,
      (d) =>
        d.prepare(`SELECT key, finished_at FROM points WHERE status = 'done'`).get() as {
          key: string;
          finished_at: string;
        },
    );
    const status = await runCli(['sweep', '--status', '--db', file]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/3 points: 1 done, 1 running, 1 pending, 0 failed/);
    expect(snapshot(file)).toEqual(before);
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 points \(1 already done, 2 to run\)/);
    expect(r.stdout).toMatch(/3 points: 3 done, 0 running, 0 pending, 0 failed/);
    expect(
      peek(file, (d) => [
        d.pragma('application_id', { simple: true }),
        d.pragma('user_version', { simple: true }),
        d.prepare(`SELECT value FROM meta WHERE key = 'schema'`).pluck().get(),
      ]),
    ).toEqual([APPLICATION_ID, SCHEMA_VERSION, String(SCHEMA_VERSION)]);
    expect(pointRows(file).find((p) => p.key === done.key)).toMatchObject({
      finished_at: done.finished_at,
      attempts: 1,
    });
    expect(resultCount(file)).toEqual({ n: 3, d: 3 });
  });

  it('marks the databases it creates with its application_id and user_version', async () => {
    const file = join(dir, 'fresh.sqlite');
    expect((await runCli(sweepOn(file))).code).toBe(0);
    const head = readFileSync(file).subarray(0, 100);
    expect([head.readUInt32BE(68), head.readUInt32BE(60)]).toEqual([APPLICATION_ID, SCHEMA_VERSION]);
    // --status and --report read it without writing.
    const before = readFileSync(file);
    const report = await runCli(['sweep', '--report', join(dir, 'fresh-report'), '--db', file]);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(dir, 'fresh-report', 'index.html'), 'utf8')).toMatch(/lenet5/);
    expect((await runCli(['sweep', '--status', '--db', file])).stdout).toMatch(/1 points: 1 done/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
