/**
 * Times the SCALE-Sim-compatible flavour on every distinct loadable workload file of ../shared/reference/topologies,
 * one child process per file (wall time, peak RSS, refusal): `node dist/bench/scalesim-files.js ROWSxCOLS DF BW
 * [TIMEOUT_S] [FILTER]` (BW: calc or words/cycle; FILTER: a substring of the paths). Prints a markdown table of the
 * files over 2 s, refused, or over 1 GB, and the totals. `--one FILE ROWSxCOLS DF BW` runs one file (the child).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeNetwork } from '../src/accel/systolic/model.js';
import { validateConfig } from '../src/config/load.js';
import type { Dataflow, SystolicConfig } from '../src/config/schema.js';
import { loadScaleSimCsv } from '../src/nets/scalesim-csv.js';
import { projectRoot } from '../src/util/paths.js';

const TOPOLOGIES = join(projectRoot(), '..', 'shared', 'reference', 'topologies');

function csvFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? csvFiles(p) : f.endsWith('.csv') ? [relative(TOPOLOGIES, p)] : [];
    })
    .sort();
}

function config(array: string, dataflow: string, bw: string): SystolicConfig {
  const [rows, cols] = array.split('x').map(Number);
  return validateConfig(
    {
      kind: 'systolic',
      rows,
      cols,
      dataflow: dataflow as Dataflow,
      sram: { ifmap_kb: 64, filter_kb: 64, ofmap_kb: 64 },
      dram: { bandwidth: bw === 'calc' ? 'calc' : Number(bw) },
    },
    `scalesim-${array}-${dataflow}-${bw}`,
  ) as SystolicConfig;
}

interface One {
  ms: number;
  rssMb: number;
  error?: string;
  cycles?: number;
}

function runOne(rel: string, array: string, df: string, bw: string): One {
  const t0 = performance.now();
  try {
    const perf = analyzeNetwork(loadScaleSimCsv(join(TOPOLOGIES, rel)), config(array, df, bw), 'scalesim');
    return { ms: performance.now() - t0, rssMb: 0, cycles: perf.totals.cycles };
  } catch (e) {
    return { ms: performance.now() - t0, rssMb: 0, error: (e as Error).message };
  }
}

const args = process.argv.slice(2);
if (args[0] === '--one') {
  const r = runOne(args[1]!, args[2]!, args[3]!, args[4]!);
  r.rssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(r) + '\n');
} else {
  const [array = '32x32', df = 'os', bw = 'calc', timeout = '20', filter = ''] = args;
  const texts = new Set<string>();
  const rows: string[] = [];
  let total = 0,
    n = 0,
    peak = 0;
  for (const rel of csvFiles(TOPOLOGIES)) {
    if (!rel.includes(filter)) continue;
    const text = readFileSync(join(TOPOLOGIES, rel), 'utf8');
    if (texts.has(text)) continue;
    try {
      loadScaleSimCsv(join(TOPOLOGIES, rel));
    } catch {
      continue;
    }
    texts.add(text);
    n++;
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--one', rel, array, df, bw], {
      encoding: 'utf8',
      timeout: Number(timeout) * 1000,
    });
    let r: One;
    if (child.status === 0) r = JSON.parse(child.stdout) as One;
    else
      r = {
        ms: Number(timeout) * 1000,
        rssMb: NaN,
        error: `killed (${child.signal ?? child.status}) ${child.stderr.slice(0, 200)}`,
      };
    total += r.ms;
    peak = Math.max(peak, r.rssMb || 0);
    if (r.ms > 2000 || r.error !== undefined || r.rssMb > 1024)
      rows.push(`| ${rel} | ${(r.ms / 1000).toFixed(1)} | ${r.rssMb.toFixed(0)} | ${r.error?.slice(0, 160) ?? ''} |`);
  }
  process.stdout.write(
    [
      `${array} ${df} ${bw}: ${n} files, ${(total / 1000).toFixed(1)} s in all (per-file timeout ${timeout} s), peak RSS ${peak.toFixed(0)} MB`,
      '| file | s | RSS MB | refused / killed |',
      '|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}
