/**
 * Cost of the activity build variant (docs/ENERGY.md): the plain and the activity simulator of a config run the
 * same kept job (AlexNet's conv1, 1.1 M cycles on 8x8), alternated A B A B, and their CPU time (user + system of
 * the driver processes) is compared. With `memory`, the configs have a memory system (numeric DRAM bandwidth).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { validateConfig } from '../src/config/load.js';
import type { HardwareConfig } from '../src/config/schema.js';
import { alexnet } from '../src/nets/zoo/index.js';
import { buildFor, simulateNetwork } from '../src/sim/run-network.js';

/** CPU seconds (user + system) of one driver run on a job. */
async function cpuSeconds(binary: string, job: string, dir: string): Promise<number> {
  const r = await execa('/usr/bin/time', ['-f', '%U %S', binary, job, join(dir, 'r.bin')], { reject: false });
  const [u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return u! + s!;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The DRAM port of a memory-system config (docs/MEMORY.md). */
interface DramPort {
  bandwidth: number;
  latency: number;
  beat_words: number;
}

/** Keeps the jobs of AlexNet's conv1 on a config in `keep` (the memory system keeps them through MACTILE_KEEP_JOBS). */
async function keepConv1(cfg: HardwareConfig, keep: string): Promise<void> {
  const before = process.env.MACTILE_KEEP_JOBS;
  process.env.MACTILE_KEEP_JOBS = keep;
  try {
    await simulateNetwork(alexnet(), cfg, { keepDir: keep, layers: ['conv1'] });
  } finally {
    if (before === undefined) delete process.env.MACTILE_KEEP_JOBS;
    else process.env.MACTILE_KEEP_JOBS = before;
  }
}

/** Markdown rows: per config the median CPU time of AlexNet's conv1 on each build, and the speed ratio. */
export async function activityCost(
  sizes: number[],
  dataflows: ('os' | 'ws')[],
  rounds = 5,
  memory?: DramPort,
): Promise<string[]> {
  const lines = [
    '| array | plain CPU s (median) | activity CPU s (median) | activity speed / plain |',
    '|---|---|---|---|',
  ];
  for (const n of sizes)
    for (const df of dataflows) {
      const cfg = validateConfig(
        { kind: 'systolic', rows: n, cols: n, dataflow: df, ...(memory ? { dram: memory } : {}) },
        `bench-${n}-${df}${memory ? '-mem' : ''}`,
      ) as HardwareConfig;
      const keep = mkdtempSync(join(tmpdir(), 'mactile-bench-activity-'));
      await keepConv1(cfg, keep);
      const plain = await buildFor(cfg);
      const act = await buildFor(cfg, {}, { activity: true });
      const jobs = readdirSync(keep)
        .filter((f) => f.endsWith('.job.bin'))
        .map((f) => join(keep, f));
      const run = async (binary: string) => {
        let s = 0;
        for (const j of jobs) s += await cpuSeconds(binary, j, keep);
        return s;
      };
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < rounds; i++) {
        a.push(await run(plain.binary));
        b.push(await run(act.binary));
      }
      rmSync(keep, { recursive: true, force: true });
      const [ma, mb] = [median(a), median(b)];
      const name = memory ? `${n}x${n} ${df}, memory system (${memory.bandwidth} words/cycle)` : `${n}x${n} ${df}`;
      lines.push(`| ${name} | ${ma.toFixed(3)} | ${mb.toFixed(3)} | ${(ma / mb).toFixed(2)}x |`);
    }
  return lines;
}
