/**
 * Sweep benchmarks: an analytic sweep of 1,200 points over AlexNet, and the wall time of one RTL sweep with
 * 1 and with 2 local workers (builds warmed up first, so that the comparison is of simulation work).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../src/util/paths.js';

async function sweep(args: string[]): Promise<number> {
  const t = performance.now();
  const r = await execa(process.execPath, [join(projectRoot(), 'dist/src/cli/main.js'), 'sweep', ...args], {
    reject: false,
  });
  if (r.exitCode !== 0) throw new Error(`sweep failed: ${r.stderr}`);
  return (performance.now() - t) / 1000;
}

/** Markdown rows: the analytic sweep time and the RTL sweep time with 1 and 2 workers. */
export async function sweepBench(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mactile-bench-sweep-'));
  const lines = ['| sweep | points | workers | wall (s) |', '|---|---|---|---|'];
  const grid = [
    '--rows',
    '4,8,12,16,24,32,48,64,96,128',
    '--cols',
    '4,8,12,16,24,32,48,64,96,128',
    '--dataflow',
    'os,ws,is',
    '--precision',
    'int8,int16',
    '--timing',
    'scalesim,pipelined',
  ];
  lines.push(
    `| analytic, AlexNet | 1,200 | 2 | ${(await sweep(['--db', join(dir, 'a.sqlite'), '--net', 'alexnet', ...grid, '--jobs', '2'])).toFixed(1)} |`,
  );
  const rtl = ['--net', 'alexnet', '--rows', '8,16', '--cols', '8,16', '--dataflow', 'os', '--level', 'rtl'];
  await sweep(['--db', join(dir, 'warm.sqlite'), ...rtl, '--jobs', '1']);
  for (const jobs of [1, 2]) {
    lines.push(
      `| RTL, AlexNet, 8/16 x 8/16 os (builds cached) | 4 | ${jobs} | ${(await sweep(['--db', join(dir, `rtl-${jobs}.sqlite`), ...rtl, '--jobs', String(jobs)])).toFixed(1)} |`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  return lines;
}
