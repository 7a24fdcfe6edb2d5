/**
 * Regenerates test/fixtures/scalesim/port-expected.json: the three SCALE-Sim v2.0.2 report files (data rows)
 * of 69 runs over layers that take SCALE-Sim's hard paths, computed by mactile's SCALE-Sim-compatible model.
 * `node --import tsx scripts/scalesim-fixture.ts` writes the file; `--check` only says whether it is current.
 * The rows were first produced by an external port of SCALE-Sim (see the fixture's README); a change to them
 * is a change of mactile's SCALE-Sim output, to be justified against SCALE-Sim itself before regenerating.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeNetwork, type NetworkPerf, type ScaleSimPart } from '../src/accel/systolic/model.js';
import { scaleSimLayer } from '../src/analytic/scalesim-geometry.js';
import { userModeRun } from '../src/analytic/scalesim-user.js';
import { validateConfig } from '../src/config/load.js';
import type { Dataflow, SystolicConfig } from '../src/config/schema.js';
import { expandDepthwise, loadScaleSimCsv } from '../src/nets/scalesim-csv.js';
import { scaleSimReportTexts } from '../src/report/scalesim-reports.js';
import { projectRoot } from '../src/util/paths.js';

/** One run: a topology (relative to test/fixtures/), the array, the dataflow, SCALE-Sim's interface mode and SRAM sizes in kB. */
export interface PortRun {
  topology: string;
  rows: number;
  cols: number;
  dataflow: Dataflow;
  mode: 'CALC' | 'USER';
  bandwidth: number | null;
  sram: [number, number, number];
  /** The older OFMAP stall term `ofmap_out - cycle - 1` (SCALE-Sim before upstream d78b477). */
  ofmapStallMinusOne: boolean;
}

export interface PortCase extends PortRun {
  /** What the run is, in a line (the test's title). */
  run: string;
  compute: string[];
  bandwidthReport: string[];
  detailed: string[];
}

export const FIXTURE = join(projectRoot(), 'test/fixtures/scalesim/port-expected.json');
const fixtures = join(projectRoot(), 'test/fixtures');

const run = (
  topology: string,
  rows: number,
  cols: number,
  dataflow: Dataflow,
  bandwidth: number | null,
  sram: [number, number, number],
  ofmapStallMinusOne = false,
): PortRun => ({
  topology,
  rows,
  cols,
  dataflow,
  mode: bandwidth === null ? 'CALC' : 'USER',
  bandwidth,
  sram,
  ofmapStallMinusOne,
});

/**
 * The runs, per dataflow: hard.csv on 8x8, 8x1, 1x6 and 5x3 arrays with 64, 1 and 2/1/3 kB SRAMs (CALC), seven
 * USER runs (Bandwidth 1, 3 and 10, stalls on every operand), LeNet-5 on 1 kB SRAMs and in USER mode, mid.csv;
 * then three runs with the older OFMAP stall term.
 */
export function portRuns(): PortRun[] {
  const runs: PortRun[] = [];
  for (const df of ['os', 'ws', 'is'] as const) {
    for (const [r, c] of [
      [8, 8],
      [8, 1],
      [1, 6],
      [5, 3],
    ] as const) {
      for (const kb of [
        [64, 64, 64],
        [1, 1, 1],
        [2, 1, 3],
      ] as [number, number, number][])
        runs.push(run('scalesim/hard.csv', r, c, df, null, kb));
    }
    for (const [r, c, bw, kb] of [
      [8, 1, 1, [1, 1, 1]],
      [1, 6, 3, [2, 1, 3]],
      [2, 2, 1, [2, 1, 3]],
      [5, 3, 3, [1, 1, 1]],
      [8, 8, 10, [1, 1, 1]],
      [8, 8, 1, [64, 64, 64]],
      [2, 2, 1, [1, 1, 1]],
    ] as [number, number, number, [number, number, number]][]) {
      runs.push(run('scalesim/hard.csv', r, c, df, bw, kb));
    }
    runs.push(run('topologies/lenet5.csv', 4, 4, df, null, [1, 1, 1]));
    runs.push(run('topologies/lenet5.csv', 16, 2, df, 2, [1, 2, 1]));
    runs.push(run('scalesim/mid.csv', 8, 8, df, null, [64, 64, 64]));
  }
  runs.push(run('scalesim/hard.csv', 2, 2, 'ws', 1, [1, 1, 1], true));
  runs.push(run('scalesim/hard.csv', 2, 2, 'is', 1, [1, 1, 1], true));
  runs.push(run('scalesim/hard.csv', 5, 3, 'is', 1, [1, 1, 1], true));
  return runs;
}

export const runTitle = (r: PortRun) =>
  `${r.topology} ${r.rows}x${r.cols} ${r.dataflow} ${r.mode}${r.bandwidth === null ? '' : ` ${r.bandwidth}`} sram=${r.sram.join(',')}${r.ofmapStallMinusOne ? ' ofmap-stall-minus-1' : ''}`;

export function configOf(
  r: Pick<PortRun, 'rows' | 'cols' | 'dataflow' | 'mode' | 'bandwidth' | 'sram'>,
): SystolicConfig {
  return validateConfig(
    {
      kind: 'systolic',
      rows: r.rows,
      cols: r.cols,
      dataflow: r.dataflow,
      sram: { ifmap_kb: r.sram[0], filter_kb: r.sram[1], ofmap_kb: r.sram[2] },
      dram: { bandwidth: r.mode === 'CALC' ? 'calc' : r.bandwidth! },
    },
    `port-${r.rows}x${r.cols}-${r.dataflow}`,
  ) as SystolicConfig;
}

/** The analysis with the older OFMAP stall term: each simulated layer's USER run redone with it. */
function withOfmapStallMinusOne(perf: NetworkPerf, r: PortRun): NetworkPerf {
  const cfg = perf.config;
  const words = { ifmap: r.sram[0] * 1024, filter: r.sram[1] * 1024, ofmap: r.sram[2] * 1024 };
  const net = loadScaleSimCsv(join(fixtures, r.topology));
  const rows = expandDepthwise(net.scalesimRows);
  const parts = perf.layers.flatMap((l) => l.scalesimParts ?? []);
  const redone = parts.map((p, i): ScaleSimPart => {
    const L = scaleSimLayer(rows[i]!, cfg);
    const u = userModeRun(L, words, r.bandwidth!, true);
    const macs = L.m * L.n * L.k;
    return {
      ...p,
      cycles: u.totalCycles,
      stallCycles: u.stallCycles,
      dram: { ifmap: u.ifmap, filter: u.filter, ofmap: u.ofmap },
      sram: u.sram,
      figures: { ...p.figures, overallUtil: (macs * 100) / (u.totalCycles * L.rows * L.cols) },
    };
  });
  return { ...perf, layers: [{ ...perf.layers[0]!, scalesimParts: redone }] };
}

const dataRows = (text: string) => text.trimEnd().split('\n').slice(1);

/** The report rows of one run. */
export function portCase(r: PortRun): PortCase {
  const net = loadScaleSimCsv(join(fixtures, r.topology));
  let perf = analyzeNetwork(net, configOf(r), 'scalesim');
  if (r.ofmapStallMinusOne) perf = withOfmapStallMinusOne(perf, r);
  const t = scaleSimReportTexts(perf);
  return {
    ...r,
    run: runTitle(r),
    compute: dataRows(t['COMPUTE_REPORT.csv']!),
    bandwidthReport: dataRows(t['BANDWIDTH_REPORT.csv']!),
    detailed: dataRows(t['DETAILED_ACCESS_REPORT.csv']!),
  };
}

/** The fixture's text: one-space JSON, keys in a fixed order, no final newline. */
export function portFixtureText(): string {
  return JSON.stringify(portRuns().map(portCase), null, 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = portFixtureText();
  const current = (() => {
    try {
      return readFileSync(FIXTURE, 'utf8');
    } catch {
      return '';
    }
  })();
  if (process.argv.includes('--check')) {
    process.stdout.write(
      text === current ? `${FIXTURE} is current\n` : `${FIXTURE} differs from what the model gives now\n`,
    );
    process.exitCode = text === current ? 0 : 1;
  } else {
    writeFileSync(FIXTURE, text);
    process.stdout.write(`${text === current ? 'unchanged' : 'wrote'} ${FIXTURE} (${portRuns().length} runs)\n`);
  }
}
