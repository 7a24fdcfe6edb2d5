/**
 * `mactile sweep`: design-space sweeps into an SQLite database, run by local worker processes or as a Slurm
 * job array; `--status` shows progress and `--report` renders the database as HTML. `sweep-worker` is the
 * worker process both backends start.
 */
import { Option, type Command } from 'commander';
import { cpus } from 'node:os';
import { MactileError } from '../util/errors.js';
import { SweepDb } from '../sweep/db.js';
import { ACCELERATORS, findAccelerator } from '../accel/registry.js';
import { loadConfig } from '../config/load.js';
import { gridPoints, type GridAxis, type SweepLevel } from '../sweep/grid.js';
import { wordList } from '../util/lists.js';
import { runLocal } from '../sweep/local.js';
import { writeSweepReport } from '../sweep/report.js';
import { submitSlurm } from '../sweep/slurm.js';
import { workLoop } from '../sweep/worker.js';
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
}

function printStatus(db: SweepDb): void {
  const c = db.counts();
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  process.stdout.write(`${db.file}: ${total} points: ${c.done} done, ${c.running} running, ${c.pending} pending, ${c.failed} failed${db.meta('slurm_job') ? ` (Slurm job ${db.meta('slurm_job')})` : ''}\n`);
  for (const f of db.failedPoints(20)) process.stdout.write(`  failed ${f.key}: ${f.error.split('\n')[0]}\n`);
}

/** The option name of an axis key in commander's camel case (`--atomic-c` -> atomicC). */
const camel = (option: string) => option.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The base config and axes of a sweep: `--config` (any kind) or, without it, a systolic array as before. */
function gridOf(opts: SweepOptions & Record<string, unknown>): { base: Record<string, unknown>; baseSource: string; axes: GridAxis[] } {
  const base = opts.config ? loadConfig(opts.config) : undefined;
  const accel = base ? findAccelerator(base.kind)! : ACCELERATORS[0]!;
  const given = (option: string) => opts[camel(option)] as string | undefined;
  for (const other of ACCELERATORS.filter((a) => a !== accel)) {
    for (const axis of other.sweepAxes) {
      if (given(axis.option) !== undefined && !accel.sweepAxes.some((a) => a.option === axis.option)) {
        throw new MactileError(`sweep: ${axis.option} is a ${other.kind} key; the base config is kind: ${accel.kind} (use --config with a ${other.kind} config)`);
      }
    }
  }
  // Without --config the legacy systolic grid: --rows and --cols required, every dataflow, INT8, SCALE-Sim timing.
  const legacy: Record<string, string> = base ? {} : { dataflow: 'os,ws,is', timing: 'scalesim' };
  if (!base) {
    for (const key of ['--rows', '--cols']) if (!given(key)) throw new MactileError(`sweep: expected ${key} (or --config, --status / --report), received none`);
  }
  const axes: GridAxis[] = [];
  for (const axis of accel.sweepAxes) {
    const text = given(axis.option) ?? legacy[axis.key];
    if (text !== undefined) axes.push({ key: axis.key, option: axis.option, values: axis.parse(text) });
  }
  const precision = opts.precision ?? (base ? undefined : 'int8');
  if (precision !== undefined) axes.push({ key: 'precision', option: '--precision', values: wordList(precision) });
  if (!base) return { base: { kind: accel.kind }, baseSource: 'the sweep options', axes };
  const { source, name: _name, ...raw } = base;
  return { base: raw, baseSource: source, axes };
}

/** Registers `sweep` and the internal `sweep-worker`. */
export function registerSweep(cmd: Command): void {
  const sweep = cmd
    .command('sweep')
    .description('sweep accelerator configs (array sizes x dataflows, NVDLA atomic-C x atomic-K, precisions) over networks (analytic or RTL) into an SQLite database, locally or on Slurm')
    .requiredOption('--db <file>', 'SQLite database of the sweep (created if absent; a rerun skips the points already done)')
    .option('--net <list>', 'networks: zoo names or files, comma-separated')
    .option('--config <config>', 'base config of any kind (file or preset); the axes given replace its keys (default: a systolic array)');
  const seen = new Set<string>();
  for (const a of ACCELERATORS) {
    for (const axis of a.sweepAxes) {
      if (seen.has(axis.option)) continue;
      seen.add(axis.option);
      sweep.option(`${axis.option} <list>`, `${a.kind}: config key ${axis.key}, comma-separated${a === ACCELERATORS[0] && !['rows', 'cols'].includes(axis.key) ? ` (without --config: ${axis.key === 'dataflow' ? 'os,ws,is' : 'scalesim'})` : ''}`);
    }
  }
  sweep
    .option('--precision <list>', 'int8, int16 (without --config: int8)')
    .addOption(new Option('--level <level>', 'analytic model or RTL simulation').choices(['analytic', 'rtl']).default('analytic'))
    .addOption(new Option('--backend <backend>', 'where tasks run').choices(['local', 'slurm']).default('local'))
    .option('--jobs <n>', 'local worker processes (default: the number of cores)', wholeNumber)
    .option('--area', 'synthesize every point with yosys and record its area (cached per design)')
    .option('--slurm-tasks <n>', 'Slurm array tasks (default: min(points, 4))', wholeNumber)
    .option('--slurm-option <opt>', 'extra sbatch option, e.g. --partition=debug (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--status', 'show the progress of the sweep in --db and exit')
    .option('--report <dir>', 'render the sweep in --db as HTML into DIR and exit')
    .action(async (opts: SweepOptions) => {
      if (opts.status) {
        const db = SweepDb.open(opts.db, { create: false });
        printStatus(db);
        db.close();
        return;
      }
      if (opts.report) {
        checkOutputFolder(opts.report, '--report');
        const db = SweepDb.open(opts.db, { create: false });
        // Written into a staging folder inside the target and renamed into place: no half-written report.
        const file = await writeOutputFolder(opts.report, (stage) => writeSweepReport(db, stage), `--report ${opts.report}`).finally(() => db.close());
        process.stdout.write(`wrote ${file}\n`);
        return;
      }
      if (!opts.net) throw new MactileError(`sweep: expected --net (or --status / --report), received none`);
      const points = gridPoints({ nets: wordList(opts.net), ...gridOf(opts as SweepOptions & Record<string, unknown>), level: opts.level });
      const db = SweepDb.open(opts.db, { create: true });
      if (opts.area) db.setMeta('area', 'yosys');
      const added = db.addPoints(points);
      db.close();
      process.stdout.write(`${points.length} points (${added.alreadyDone} already done, ${added.toRun} to run) in ${opts.db}\n`);
      if (added.toRun === 0) return;
      if (opts.backend === 'slurm') {
        const tasks = Math.max(1, Math.min(opts.slurmTasks ?? 4, added.toRun));
        const { jobId, script } = await submitSlurm(opts.db, tasks, opts.slurmOption);
        process.stdout.write(`submitted Slurm job ${jobId} (${tasks} array tasks, script ${script}); follow it with: mactile sweep --status --db ${opts.db}\n`);
        return;
      }
      const jobs = opts.jobs ?? cpus().length;
      if (jobs < 1) throw new MactileError(`--jobs: expected at least 1, received ${jobs}`);
      const run = await runLocal(opts.db, jobs);
      const after = SweepDb.open(opts.db, { create: false });
      printStatus(after);
      after.close();
      process.stdout.write(`${run.workersStarted} worker process(es), ${run.crashes} crash(es), ${run.seconds.toFixed(1)} s\n`);
      if (run.crashes > 0) process.exitCode = 1;
    });

  cmd
    .command('sweep-worker', { hidden: true })
    .requiredOption('--db <file>')
    .requiredOption('--worker <id>')
    .action(async (opts: { db: string; worker: string }) => {
      if (!/^[A-Za-z0-9_.-]+$/.test(opts.worker)) throw new MactileError(`--worker: expected a name of letters, digits, "_", "-" or ".", received ${JSON.stringify(opts.worker)}`);
      const r = await workLoop(opts.db, opts.worker);
      process.stdout.write(`worker ${opts.worker}: ${r.ran} point(s), ${r.failed} failed\n`);
    });
}
