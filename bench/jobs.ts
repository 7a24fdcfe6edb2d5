/**
 * `sim --jobs 2` against `--jobs 1` on whole networks: each run is a `mactile sim` process (the build cached
 * by a first run), the two sides alternate (1, 2, 1, 2, ...) and the table gives the medians of wall time and
 * of CPU time (user + system of the process and its drivers, from /usr/bin/time).
 */
import { execa } from 'execa';
import { join } from 'node:path';
import { projectRoot } from '../src/util/paths.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One `mactile sim` run: wall and CPU seconds; fails when the run does not pass. */
async function simRun(net: string, config: string, jobs: number): Promise<{ wall: number; cpu: number }> {
  const cli = join(projectRoot(), 'dist', 'src', 'cli', 'main.js');
  const t = performance.now();
  const r = await execa(
    '/usr/bin/time',
    ['-f', 'cpu %U %S', process.execPath, cli, 'sim', '--net', net, '--config', config, '--jobs', String(jobs)],
    { reject: false },
  );
  const wall = (performance.now() - t) / 1000;
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (r.exitCode !== 0 || !cpu)
    throw new Error(`sim --net ${net} --config ${config} --jobs ${jobs} failed: ${r.stderr}`);
  return { wall, cpu: Number(cpu[1]) + Number(cpu[2]) };
}

/** Markdown rows: per network, the medians of ROUNDS alternated runs of --jobs 1 and --jobs 2. */
export async function jobsSpeedup(nets: string[], config: string, rounds: number): Promise<string[]> {
  const lines = [
    `Config ${config}, ${rounds} alternated rounds (jobs 1, jobs 2, ...), medians; CPU = user + system of sim and its drivers.`,
    '',
    '| network | wall jobs 1 (s) | wall jobs 2 (s) | wall speed-up | CPU jobs 1 (s) | CPU jobs 2 (s) |',
    '|---|---|---|---|---|---|',
  ];
  for (const net of nets) {
    await simRun(net, config, 1); // builds (or finds) the simulator
    const runs: Record<1 | 2, { wall: number; cpu: number }[]> = { 1: [], 2: [] };
    for (let i = 0; i < rounds; i++) for (const j of [1, 2] as const) runs[j].push(await simRun(net, config, j));
    const w = (j: 1 | 2) => median(runs[j].map((r) => r.wall));
    const c = (j: 1 | 2) => median(runs[j].map((r) => r.cpu));
    lines.push(
      `| ${net} | ${w(1).toFixed(1)} | ${w(2).toFixed(1)} | ${(w(1) / w(2)).toFixed(2)}x | ${c(1).toFixed(1)} | ${c(2).toFixed(1)} |`,
    );
  }
  return lines;
}
