/**
 * Runs a compiled simulator on one job file under a watchdog and reads its results back, turning every
 * failure (timeout, crash, refused job, hang caught by the driver's cycle watchdog) into one clear error.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { onCleanup, removeOld, removeStale, signalsSettled } from '../util/cleanup.js';
import { MactileError } from '../util/errors.js';
import { readResult, type GemmResult } from './job.js';
import { keepFolder, keptTag, windowsArg, type DriverRunOptions } from './run-options.js';

export interface DriverRun<T extends GemmResult = GemmResult> {
  items: T[];
  driverSeconds: number;
  /** The driver's own time in the clocked loops (process start, job reading and result writing excluded). */
  simSeconds: number;
  /** Per item, the activity counters' increase (an activity build with `run.activity`): [a, b, psum, ...] toggles. */
  activity?: number[][];
}

/** Reads RESULT.activity: one line of `counters` whole numbers per item. */
function readActivity(file: string, what: string, items: number, counters: number): number[][] {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const rows = lines.map((line) => line.split(' ').map(Number));
  const bad = (r: number[]) => r.length !== counters || !r.every((v) => Number.isSafeInteger(v) && v >= 0);
  if (rows.length !== items || rows.some(bad))
    throw new MactileError(
      `${what}: expected ${items} lines of ${counters} toggle counts in ${file}, found ${lines.length} lines (${rows.find(bad)?.length ?? counters} counts in the first bad one; is the build an activity build?)`,
      3,
    );
  return rows;
}

/** Job folders in the temporary folder: `mactile-job-<pid>-XXXXXX`; older mactile named them `mactile-job-XXXXXX`. */
const JOB_DIR = /^mactile-job-(\d+)-[A-Za-z0-9]{6}$/;
const LEGACY_JOB_DIR = /^mactile-job-[A-Za-z0-9]{6}$/;
let swept = false;

/** Removes the job folders of processes that are gone (killed before they could clean up). */
function sweepJobDirs(): void {
  if (swept) return;
  swept = true;
  removeStale(tmpdir(), JOB_DIR);
  removeOld(tmpdir(), LEGACY_JOB_DIR, 24);
}

/**
 * Writes `job`, runs `binary JOB RESULT`, and returns one result per item. `what` names the layer,
 * `itemName` its items (GEMM, convolution), `limits[i]` the watchdog limit the job gave item i and
 * `predicted[i]` the analytic cycles (for the message).
 */
export async function runDriver<T extends GemmResult = GemmResult>(
  binary: string,
  job: Buffer,
  opts: {
    /** Reads the result file (default: the shared result layout). */
    read?: (file: string, dw: 8 | 16, outShapes: { rows: number; cols: number }[]) => { status: string; gemms: T[] };
    what: string;
    itemName: string;
    dw: 8 | 16;
    outShapes: { rows: number; cols: number }[];
    limits: number[];
    predicted: number[];
    timeoutSeconds?: number;
    /** A waveform to write, a folder to keep the job in, or the kept job to replay (run-options.ts). */
    run?: DriverRunOptions;
    /** Toggle counters per line of RESULT.activity (default 3: the PE array's a, b, psum). */
    activityCounters?: number;
  },
): Promise<DriverRun<T>> {
  const kept = opts.run?.job;
  if (kept && !kept.bytes.equals(job))
    throw new MactileError(
      `${kept.file}: expected the job ${opts.what} encodes from the inputs kept with it (${job.length} bytes), found other bytes (${kept.bytes.length}); the kept job is damaged or was made by another mactile`,
    );
  const trace = opts.run?.trace;
  sweepJobDirs();
  const dir = mkdtempSync(join(tmpdir(), `mactile-job-${process.pid}-`));
  const timeout = opts.timeoutSeconds ?? 3600;
  // Removed if the process exits or is stopped by a signal while the simulator runs.
  const disposeCleanup = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const jobFile = join(dir, 'job.bin');
    const resFile = join(dir, 'result.bin');
    writeFileSync(jobFile, job);
    const t0 = performance.now();
    const args = trace ? [jobFile, resFile, trace.file, windowsArg(trace.windows)] : [jobFile, resFile];
    const run = await execa(binary, args, { reject: false, timeout: timeout * 1000, all: true });
    const driverSeconds = (performance.now() - t0) / 1000;
    if (run.timedOut)
      throw new MactileError(`${opts.what}: the simulation did not finish within ${timeout} s and was stopped`, 3);
    if (run.signal)
      throw new MactileError(`${opts.what}: the simulator crashed (${run.signal}); no results are reported for it`, 3);
    if (run.exitCode !== 0 && run.exitCode !== 3) {
      throw new MactileError(
        `${opts.what}: the simulator failed (exit ${run.exitCode}): ${(run.all ?? '').trim().split('\n').slice(-3).join(' ')}`,
        3,
      );
    }
    const read = opts.read ?? (readResult as unknown as NonNullable<typeof opts.read>);
    const result = read(resFile, opts.dw, opts.outShapes);
    const n = opts.outShapes.length;
    if (result.status === 'watchdog') {
      const i = result.gemms.length - 1;
      throw new MactileError(
        `${opts.what}: the simulation hung: ${opts.itemName} ${i + 1} of ${n} did not finish within ${opts.limits[i]} cycles (the analytic model predicts ${opts.predicted[i]}); no results are reported for it`,
        3,
      );
    }
    if (result.gemms.length !== n)
      throw new MactileError(
        `${opts.what}: the simulator returned ${result.gemms.length} of ${n} ${opts.itemName}s`,
        3,
      );
    const activity = opts.run?.activity
      ? { activity: readActivity(`${resFile}.activity`, opts.what, n, opts.activityCounters ?? 3) }
      : {};
    return {
      items: result.gemms,
      driverSeconds,
      simSeconds: result.gemms.reduce((s, g) => s + g.simSeconds, 0),
      ...activity,
    };
  } finally {
    // MACTILE_KEEP_JOBS=DIR (or `sim --keep-jobs DIR`) keeps the job and result files (for replay, debugging
    // and profiling the driver).
    const keep = keepFolder(opts.run);
    if (keep) {
      mkdirSync(keep, { recursive: true });
      const tag = keptTag(opts.what);
      for (const f of ['job.bin', 'result.bin'])
        if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(keep, `${tag}.${f}`));
    }
    rmSync(dir, { recursive: true, force: true });
    disposeCleanup();
    // The caller checks the layer next, synchronously: a Ctrl-C of the last moments must end the run first.
    await signalsSettled();
  }
}

/** The watchdog limit of an item: twice the analytic cycles plus a margin. */
export function watchdogLimit(predicted: number): number {
  return 2 * predicted + 1000;
}
