/**
 * Cost of the activity build variant (docs/ENERGY.md): the plain and the activity simulator of a config run the
 * same kept jobs (AlexNet's five conv layers, repeated until the plain build takes some seconds of CPU),
 * alternated plain, activity, plain, activity ..., and compare two CPU times per run: the driver's own clock
 * of its clocked loops (the result file's sim_ns, summed over items) and the whole process's user + system.
 * Speed is plain / activity, the median over the rounds. With `memory`, the configs have a memory system.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { validateConfig } from '../src/config/load.js';
import type { HardwareConfig } from '../src/config/schema.js';
import { systolicJob } from '../src/accel/systolic/job.js';
import { systolicMemJob } from '../src/accel/systolic/mem-job.js';
import { alexnet } from '../src/nets/zoo/index.js';
import { macLayers } from '../src/nets/ir.js';
import { decodeFile } from '../src/sim/job/codec.js';
import { readMemResult, readResult } from '../src/sim/job.js';
import { buildFor, simulateNetwork } from '../src/sim/run-network.js';

/** CPU seconds of one run: the driver's clocked loops (sim_ns) and the whole process (user + system). */
interface RunCpu {
  loop: number;
  process: number;
}

/** A kept job: its file and what decoding its result needs. */
interface KeptJobFile {
  file: string;
  dw: 8 | 16;
  shapes: { rows: number; cols: number }[];
}

/** The kept jobs of a folder, decoded far enough to read their results. */
function keptJobs(dir: string, memory: boolean): KeptJobFile[] {
  const def = memory ? systolicMemJob.file : systolicJob.file;
  return readdirSync(dir)
    .filter((f) => f.endsWith('.job.bin'))
    .sort()
    .map((f) => {
      const job = decodeFile(def, readFileSync(join(dir, f))) as unknown as {
        dw: number;
        items: { o_rows: number; o_cols: number }[];
      };
      const shapes = job.items.map((it) => ({ rows: it.o_rows, cols: it.o_cols }));
      return { file: join(dir, f), dw: job.dw === 16 ? 16 : 8, shapes };
    });
}

/** Runs one driver on one job: its CPU times and the bytes of its activity file (empty for a plain build). */
async function runOnce(binary: string, job: KeptJobFile, out: string, memory: boolean): Promise<RunCpu> {
  const r = await execa('/usr/bin/time', ['-f', '%U %S', binary, job.file, out], { reject: false });
  if (r.exitCode !== 0) throw new Error(`bench activity: ${binary} on ${job.file} exited ${r.exitCode}: ${r.stderr}`);
  const [u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  const res = memory ? readMemResult(out, job.dw, job.shapes) : readResult(out, job.dw, job.shapes);
  if (res.status !== 'ok') throw new Error(`bench activity: ${job.file} ended with status ${res.status}`);
  return { loop: res.gemms.reduce((t, g) => t + g.simSeconds, 0), process: u! + s! };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The DRAM port of a memory-system config (docs/MEMORY.md). */
interface DramPort {
  bandwidth: number;
  latency: number;
  beat_words: number;
}

/** The MAC layers the benchmark runs: AlexNet's conv layers. */
const LAYERS = macLayers(alexnet())
  .filter((l) => l.kind === 'conv')
  .map((l) => l.name);

/** Keeps the jobs of the benchmark's layers on a config in `keep` (the memory system keeps them through MACTILE_KEEP_JOBS). */
async function keepLayers(cfg: HardwareConfig, keep: string): Promise<void> {
  const before = process.env.MACTILE_KEEP_JOBS;
  process.env.MACTILE_KEEP_JOBS = keep;
  try {
    await simulateNetwork(alexnet(), cfg, { keepDir: keep, layers: LAYERS });
  } finally {
    if (before === undefined) delete process.env.MACTILE_KEEP_JOBS;
    else process.env.MACTILE_KEEP_JOBS = before;
  }
}

/** Options of `activityCost`. */
export interface ActivityBenchOptions {
  /** Plain and activity runs each (the median is over them; default 5). */
  rounds?: number;
  /** CPU seconds of the plain build's clocked loops a run should last at least (the jobs are repeated; default 3). */
  minSeconds?: number;
  memory?: DramPort;
}

/**
 * Markdown rows: per config the median CPU time of a run (the driver's loops and the process) on each build,
 * the speed ratios of the medians and the lowest and highest ratio of a round's pair of runs.
 */
export async function activityCost(
  sizes: number[],
  dataflows: ('os' | 'ws')[],
  opts: ActivityBenchOptions = {},
): Promise<string[]> {
  const { rounds = 5, minSeconds = 3, memory } = opts;
  const lines = [
    '| array | repeats | plain loop s | activity loop s | speed (loop) | plain process s | activity process s | speed (process) | min / max speed (loop) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const n of sizes)
    for (const df of dataflows) {
      const cfg = validateConfig(
        { kind: 'systolic', rows: n, cols: n, dataflow: df, ...(memory ? { dram: memory } : {}) },
        `bench-${n}-${df}${memory ? '-mem' : ''}`,
      ) as HardwareConfig;
      const keep = mkdtempSync(join(tmpdir(), 'mactile-bench-activity-'));
      await keepLayers(cfg, keep);
      const plain = await buildFor(cfg);
      const act = await buildFor(cfg, {}, { activity: true });
      const jobs = keptJobs(keep, !!memory);
      const out = join(keep, 'r.bin');
      const run = async (binary: string, repeats: number): Promise<RunCpu> => {
        const t = { loop: 0, process: 0 };
        for (let k = 0; k < repeats; k++)
          for (const j of jobs) {
            const r = await runOnce(binary, j, out, !!memory);
            t.loop += r.loop;
            t.process += r.process;
          }
        return t;
      };
      // A warm-up run of the plain build sets how often the jobs repeat in a run.
      const warm = await run(plain.binary, 1);
      const repeats = Math.max(1, Math.ceil(minSeconds / warm.loop));
      const a: RunCpu[] = [];
      const b: RunCpu[] = [];
      for (let i = 0; i < rounds; i++) {
        a.push(await run(plain.binary, repeats));
        b.push(await run(act.binary, repeats));
      }
      rmSync(keep, { recursive: true, force: true });
      const med = (xs: RunCpu[], k: keyof RunCpu) => median(xs.map((x) => x[k]));
      const speeds = a.map((x, i) => x.loop / b[i]!.loop);
      const name = memory ? `${n}x${n} ${df}, memory system (${memory.bandwidth} words/cycle)` : `${n}x${n} ${df}`;
      const [pl, al, pp, ap] = [med(a, 'loop'), med(b, 'loop'), med(a, 'process'), med(b, 'process')];
      lines.push(
        `| ${name} | ${repeats} x ${jobs.length} jobs | ${pl.toFixed(2)} | ${al.toFixed(2)} | ${(pl / al).toFixed(2)}x | ${pp.toFixed(2)} | ${ap.toFixed(2)} | ${(pp / ap).toFixed(2)}x | ${Math.min(...speeds).toFixed(2)} / ${Math.max(...speeds).toFixed(2)} |`,
      );
      process.stderr.write(lines.at(-1) + '\n');
    }
  return lines;
}

/**
 * The toggle counts of the activity build on the benchmark's configs and layers, as JSON (config -> per layer
 * [name, bit-exact, cycle-exact, toggles]): run it before and after a change of the counting and compare.
 */
export async function activityCounts(sizes: number[], dataflows: ('os' | 'ws')[], memory: DramPort): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const mem of [false, true])
    for (const n of sizes)
      for (const df of dataflows) {
        const name = `${n}x${n} ${df}${mem ? ' memory' : ''}`;
        const cfg = validateConfig(
          { kind: 'systolic', rows: n, cols: n, dataflow: df, ...(mem ? { dram: memory } : {}) },
          `bench-counts-${n}-${df}${mem ? '-mem' : ''}`,
        ) as HardwareConfig;
        const sim = await simulateNetwork(alexnet(), cfg, { layers: LAYERS, activity: true });
        out[name] = sim.layers.map((l) => [l.name, l.bitExact, l.cycleExact, l.activity]);
      }
  return JSON.stringify(out, null, 1);
}
