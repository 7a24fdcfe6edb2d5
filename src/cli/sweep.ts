/**
 * `mactile sweep`: design-space sweeps into an SQLite database, run by local worker processes or as a Slurm
 * job array; `--status` shows progress and `--report` renders the database as HTML. `sweep-worker` is the
 * worker process both backends start.
 */
import { Option, type Command } from 'commander';
import { cpus } from 'node:os';
import { MactileError } from '../util/errors.js';
import { SweepDb } from '../sweep/db.js';
import { gridPoints, numberList, wordList, type SweepLevel } from '../sweep/grid.js';
import { runLocal } from '../sweep/local.js';
import { writeSweepReport } from '../sweep/report.js';
import { submitSlurm } from '../sweep/slurm.js';
import { workLoop } from '../sweep/worker.js';
import { wholeNumber } from './options.js';

interface SweepOptions {
  db: string;
  net?: string;
  rows?: string;
  cols?: string;
  dataflow: string;
  precision: string;
  timing: string;
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

/** Registers `sweep` and the internal `sweep-worker`. */
export function registerSweep(cmd: Command): void {
  cmd
    .command('sweep')
    .description('sweep array sizes x dataflows x precisions over networks (analytic or RTL) into an SQLite database, locally or on Slurm')
    .requiredOption('--db <file>', 'SQLite database of the sweep (created if absent; a rerun skips the points already done)')
    .option('--net <list>', 'networks: zoo names or files, comma-separated')
    .option('--rows <list>', 'array rows, e.g. 8,16,32')
    .option('--cols <list>', 'array columns, e.g. 8,16,32')
    .option('--dataflow <list>', 'os, ws, is', 'os,ws,is')
    .option('--precision <list>', 'int8, int16', 'int8')
    .option('--timing <list>', 'scalesim, pipelined', 'scalesim')
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
        const db = SweepDb.open(opts.db, { create: false });
        const file = await writeSweepReport(db, opts.report);
        db.close();
        process.stdout.write(`wrote ${file}\n`);
        return;
      }
      for (const [key, v] of [['--net', opts.net], ['--rows', opts.rows], ['--cols', opts.cols]] as const) {
        if (!v) throw new MactileError(`sweep: expected ${key} (or --status / --report), received none`);
      }
      const points = gridPoints({
        nets: wordList(opts.net!), rows: numberList(opts.rows!, '--rows'), cols: numberList(opts.cols!, '--cols'),
        dataflows: wordList(opts.dataflow), precisions: wordList(opts.precision), timings: wordList(opts.timing), level: opts.level,
      });
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
