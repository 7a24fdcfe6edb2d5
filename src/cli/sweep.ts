/**
 * `mactile sweep`: design-space sweeps into an SQLite database, run by local worker processes or as a Slurm
 * job array; `--status` shows progress and `--report` renders the database as HTML. `sweep-worker` is the
 * worker process both backends start.
 */
import { Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { MactileError } from '../util/errors.js';
import { SweepDb, sqliteFailure } from '../sweep/db.js';
import { ACCELERATORS, findAccelerator } from '../accel/registry.js';
import { loadConfig } from '../config/load.js';
import { axisOption, gridPoints, type GridAxis, type SweepLevel } from '../sweep/grid.js';
import { wordList } from '../util/lists.js';
import { heldText, runLocal } from '../sweep/local.js';
import { writeSweepReport } from '../sweep/report.js';
import { checkSlurmOptions, checkSlurmPath, submitSlurm } from '../sweep/slurm.js';
import { workLoop } from '../sweep/worker.js';
import { bestPointLines, timingLine } from '../sweep/summary.js';
import { counter } from '../util/progress.js';
import { checkOutputFolder, writeOutputFolder } from '../util/output.js';
import { wholeNumber } from './options.js';

interface SweepOptions {
  db: string;
  net?: string;
  config?: string;
  precision?: string;
  level: SweepLevel;
  backend: 'local' | 'slurm';
  jobs?: number;
  area?: boolean;
  status?: boolean;
  report?: string;
  slurmTasks?: number;
  slurmOption: string[];
  axis: GridAxis[];
}

/** A value shown inside a one-line message: newlines and other control characters escaped. */
// eslint-disable-next-line no-control-regex -- control characters are what this escapes
const oneLine = (s: string) => s.replace(/[\x00-\x1f\x7f]/g, (c) => JSON.stringify(c).slice(1, -1));

/** A MactileError (or an SQLite failure on the database, made one) as one line; anything else as it is. */
function oneLineError(file: string, doing: string, err: unknown): unknown {
  const sqlite =
    typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('SQLITE_');
  if (!(err instanceof MactileError) && !sqlite) return err;
  const e = sqliteFailure(file, doing, err);
  return new MactileError(oneLine(e.message), e.exitCode);
}

function printStatus(db: SweepDb): void {
  const c = db.counts();
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `${db.file}: ${total} points: ${c.done} done, ${c.running} running, ${c.pending} pending, ${c.failed} failed${db.meta('slurm_job') ? ` (Slurm job ${db.meta('slurm_job')})` : ''}\n`,
  );
  const timing = timingLine(db);
  if (timing) process.stdout.write(`${timing}\n`);
  for (const f of db.failedPoints(20)) process.stdout.write(`  failed ${oneLine(f.key)}: ${f.error.split('\n')[0]}\n`);
}

/** The option name of an axis key in commander's camel case (`--atomic-c` -> atomicC). */
const camel = (option: string) => option.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The base config and axes of a sweep: `--config` (any kind) or, without it, a systolic array as before. */
function gridOf(opts: SweepOptions & Record<string, unknown>): {
  base: Record<string, unknown>;
  baseSource: string;
  axes: GridAxis[];
} {
  const base = opts.config ? loadConfig(opts.config) : undefined;
  const accel = base ? findAccelerator(base.kind)! : ACCELERATORS[0]!;
  const given = (option: string) => opts[camel(option)] as string | undefined;
  for (const other of ACCELERATORS.filter((a) => a !== accel)) {
    for (const axis of other.sweepAxes) {
      if (given(axis.option) !== undefined && !accel.sweepAxes.some((a) => a.option === axis.option)) {
        throw new MactileError(
          `sweep: ${axis.option} is a ${other.kind} key; the base config is kind: ${accel.kind} (use --config with a ${other.kind} config)`,
        );
      }
    }
  }
  // Without --config the legacy systolic grid: --rows and --cols required, every dataflow, INT8, SCALE-Sim timing.
  const legacy: Record<string, string> = base ? {} : { dataflow: 'os,ws,is', timing: 'scalesim' };
  if (!base) {
    for (const key of ['--rows', '--cols'])
      if (!given(key))
        throw new MactileError(`sweep: expected ${key} (or --config, --status / --report), received none`);
  }
  const axes: GridAxis[] = [];
  for (const axis of accel.sweepAxes) {
    const text = given(axis.option) ?? legacy[axis.key];
    if (text !== undefined) axes.push({ key: axis.key, option: axis.option, values: axis.parse(text) });
  }
  const precision = opts.precision ?? (base ? undefined : 'int8');
  if (precision !== undefined) axes.push({ key: 'precision', option: '--precision', values: wordList(precision) });
  for (const a of opts.axis) {
    const clash = axes.find((x) => x.key === a.key || x.key.startsWith(`${a.key}.`) || a.key.startsWith(`${x.key}.`));
    if (clash)
      throw new MactileError(
        `sweep: ${a.option} and ${clash.option} both set the config key ${clash.key}; give it once`,
      );
    axes.push(a);
  }
  if (!base) return { base: { kind: accel.kind }, baseSource: 'the sweep options', axes };
  const { source, name: _name, ...raw } = base;
  return { base: raw, baseSource: source, axes };
}

/** Opens a database, runs `fn` on it and closes it again. */
function withDb<T>(file: string, opts: { create: boolean; readonly?: boolean }, fn: (db: SweepDb) => T): T {
  const db = SweepDb.open(file, opts);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

async function sweepAction(opts: SweepOptions): Promise<void> {
  if (opts.status) return withDb(opts.db, { create: false, readonly: true }, printStatus);
  if (opts.report) {
    const report = opts.report;
    checkOutputFolder(report, '--report');
    const db = SweepDb.open(opts.db, { create: false, readonly: true });
    let file: string;
    try {
      // Written into a staging folder inside the target and renamed into place: no half-written report.
      file = await writeOutputFolder(report, (stage) => writeSweepReport(db, stage), `--report ${report}`);
    } finally {
      db.close();
    }
    process.stdout.write(`wrote ${file}\n`);
    return;
  }
  if (!opts.net) throw new MactileError(`sweep: expected --net (or --status / --report), received none`);
  // Every option is checked before the database is created or changed.
  const points = gridPoints({
    nets: wordList(opts.net),
    ...gridOf(opts as SweepOptions & Record<string, unknown>),
    level: opts.level,
  });
  const keys = points.map((p) => p.key);
  let jobs = 1;
  if (opts.backend === 'slurm') {
    checkSlurmOptions(opts.slurmOption);
    checkSlurmPath(opts.db);
  } else {
    const cores = availableParallelism();
    jobs = opts.jobs ?? cores;
    if (jobs < 1) throw new MactileError(`--jobs: expected at least 1, received ${jobs}`);
    if (jobs > cores) {
      process.stderr.write(
        `mactile: note: --jobs ${jobs} is more than the ${cores} cores of this machine; starting at most ${cores} worker processes\n`,
      );
      jobs = cores;
    }
  }
  const added = withDb(opts.db, { create: true }, (db) => {
    if (opts.area) db.setMeta('area', 'yosys');
    return db.addPoints(points);
  });
  const heldNote = added.held.length ? `, ${added.held.length} running in another sweep` : '';
  process.stdout.write(
    `${points.length} points (${added.alreadyDone} already done, ${added.toRun} to run${heldNote}) in ${opts.db}\n`,
  );
  if (opts.backend === 'slurm') {
    if (added.held.length) process.stdout.write(`not submitted again: ${oneLine(heldText(added.held))}\n`);
    if (added.toRun === 0) return;
    const tasks = Math.max(1, Math.min(opts.slurmTasks ?? 4, added.toRun));
    const { jobId, script } = await submitSlurm(opts.db, tasks, opts.slurmOption);
    process.stdout.write(
      `submitted Slurm job ${jobId} (${tasks} array tasks, script ${script}); follow it with: mactile sweep --status --db ${opts.db}\n`,
    );
    return;
  }
  if (added.toRun === 0 && added.held.length === 0) return;
  const bar = counter(`sweep of ${opts.db}`, added.toRun + added.held.length);
  let before: number | undefined;
  const run = await runLocal(
    opts.db,
    jobs,
    (line) => process.stdout.write(`${oneLine(line)}\n`),
    (c, workers) => {
      before ??= c.done + c.failed;
      bar.advance(c.done + c.failed - before);
      before = c.done + c.failed;
      bar.step(`${workers} worker process(es); ${c.running} running, ${c.pending} pending, ${c.failed} failed`);
    },
  ).finally(() => bar.done());
  const { status, held } = withDb(opts.db, { create: false }, (db) => {
    printStatus(db);
    for (const line of bestPointLines(db, 3, keys)) process.stdout.write(`${line}\n`);
    process.stdout.write(
      `${run.workersStarted} worker process(es), ${run.crashes} crash(es), ${run.seconds.toFixed(1)} s\n`,
    );
    return { status: db.statusOf(keys), held: db.liveHeld() };
  });
  const mine = (s: string) => keys.filter((k) => status.get(k)?.status === s);
  const follow = `follow them with: mactile sweep --status --db ${opts.db}`;
  if (run.interrupted) {
    throw new MactileError(
      `sweep: interrupted by ${run.interrupted}; ${mine('pending').length} point(s) not run stay pending: run the same command again to finish them`,
      run.interrupted === 'SIGINT' ? 130 : 143,
    );
  }
  if (run.stopped)
    throw new MactileError(
      `sweep: stopped starting worker processes: ${run.stopped}; ${mine('pending').length} point(s) not run stay pending`,
      3,
    );
  const failed = mine('failed');
  if (failed.length) {
    const first = failed[0]!;
    throw new MactileError(
      `sweep: ${failed.length} of ${points.length} point(s) failed (first: ${first}: ${(status.get(first)!.error ?? '').split('\n')[0]}); see mactile sweep --status --db ${opts.db}`,
      1,
    );
  }
  const elsewhere = held.filter((h) => status.get(h.key)?.status === 'running');
  if (elsewhere.length) throw new MactileError(`sweep: ${heldText(elsewhere)}; they were not run here: ${follow}`, 1);
  const left = keys.length - mine('done').length;
  if (left) throw new MactileError(`sweep: ${left} point(s) are not done after every worker ended: ${follow}`, 3);
  if (run.crashes > 0)
    throw new MactileError(
      `sweep: every point is done, but ${run.crashes} worker process(es) crashed (the last said: ${run.lastCrash})`,
      1,
    );
}

/** Registers `sweep` and the internal `sweep-worker`. */
export function registerSweep(cmd: Command): void {
  const sweep = cmd
    .command('sweep')
    .description(
      'sweep accelerator configs (array sizes x dataflows, NVDLA atomic-C x atomic-K, precisions) over networks (analytic or RTL) into an SQLite database, locally or on Slurm',
    )
    .requiredOption(
      '--db <file>',
      'SQLite database of the sweep (created if absent; a rerun skips the points already done)',
    )
    .option('--net <list>', 'networks: zoo names or files, comma-separated')
    .option(
      '--config <config>',
      'base config of any kind (file or preset); the axes given replace its keys (default: a systolic array)',
    );
  const seen = new Set<string>();
  for (const a of ACCELERATORS) {
    for (const axis of a.sweepAxes) {
      if (seen.has(axis.option)) continue;
      seen.add(axis.option);
      sweep.option(
        `${axis.option} <list>`,
        `${a.kind}: config key ${axis.key}, comma-separated${a === ACCELERATORS[0] && !['rows', 'cols'].includes(axis.key) ? ` (without --config: ${axis.key === 'dataflow' ? 'os,ws,is' : 'scalesim'})` : ''}`,
      );
    }
  }
  sweep
    .option('--precision <list>', 'int8, int16 (without --config: int8)')
    .option(
      '--axis <key=values>',
      'sweep any key of the base config, e.g. clock_mhz=500,1000, sram.ifmap_kb=64,256, dram.bandwidth=4,16, batch=1,16 (repeatable)',
      (v: string, prev: GridAxis[]) => [...prev, axisOption(v)],
      [] as GridAxis[],
    )
    .addOption(
      new Option('--level <level>', 'analytic model or RTL simulation')
        .choices(['analytic', 'rtl'])
        .default('analytic'),
    )
    .addOption(new Option('--backend <backend>', 'where tasks run').choices(['local', 'slurm']).default('local'))
    .option('--jobs <n>', 'local worker processes (default and most: the number of cores)', wholeNumber)
    .option('--area', 'synthesize every point with yosys and record its area (cached per design)')
    .option('--slurm-tasks <n>', 'Slurm array tasks (default: min(points, 4))', wholeNumber)
    .option(
      '--slurm-option <opt>',
      'extra sbatch option, e.g. --partition=debug (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--status', 'show the progress of the sweep in --db and exit')
    .option('--report <dir>', 'render the sweep in --db as HTML into DIR and exit')
    .action(async (opts: SweepOptions) => {
      try {
        await sweepAction(opts);
      } catch (err) {
        throw oneLineError(opts.db, 'use it', err);
      }
    });

  cmd
    .command('sweep-worker', { hidden: true })
    .requiredOption('--db <file>')
    .requiredOption('--worker <id>')
    .option(
      '--parent <pid>',
      'exit (giving the point back) when the process with this pid, its parent, is gone',
      wholeNumber,
    )
    .action(async (opts: { db: string; worker: string; parent?: number }) => {
      if (!/^[A-Za-z0-9_.-]+$/.test(opts.worker))
        throw new MactileError(
          `--worker: expected a name of letters, digits, "_", "-" or ".", received ${JSON.stringify(opts.worker)}`,
        );
      try {
        const r = await workLoop(opts.db, opts.worker, { parent: opts.parent });
        process.stdout.write(`worker ${opts.worker}: ${r.ran} point(s), ${r.failed} failed\n`);
      } catch (err) {
        throw oneLineError(opts.db, 'run points', err);
      }
    });
}
