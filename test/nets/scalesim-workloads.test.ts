/**
 * Every workload file SCALE-Sim v2 and v3 ship (the CSV files of their topologies/ folders, kept byte for byte
 * in ../shared/reference/topologies) either loads, as SCALE-Sim itself reads it, or is refused with the file,
 * the line and the field. What SCALE-Sim reads is recorded in fixtures/scalesim-reads.json by
 * fixtures/scalesim-reads.py, which runs SCALE-Sim's own topology_utils.py (v2 at 22f88b1, v3 at fab89b7):
 * wherever SCALE-Sim reads a file, mactile reads the same rows and MACs; where SCALE-Sim fails, mactile reads
 * what v2 reads from the repaired file (SCALESIM_FAILS below says why SCALE-Sim fails).
 *
 * What SCALE-Sim itself gets wrong in these files:
 * - It never reads different numbers from mactile where it reads a file at all; but it fails on 43 files
 *   (SCALESIM_FAILS): on rows of commas only and on section rows (v2 and v3), on rows without the trailing comma
 *   (it drops the last field of every row, then misses the stride), and v3 on a 9th column.
 * - scalesim-v3/llama/llama3b.csv, every row: its 9th column is "Batch Size". v2 reads it as the horizontal
 *   stride (1 here, so the numbers happen to be right); v3 moves it into its sparsity-ratio slot, reads "1" as a
 *   ratio and fails (IndexError): v3 cannot read its own file. mactile reads it as the batch size (1).
 * - mlperf/div4q/Sentimental_seqLSTM_short.csv (both trees), lines 6 and 9: a 9th number without a header;
 *   v2 reads it as the horizontal stride (as mactile does), v3 as a sparsity ratio, and fails.
 * - scalesim-v3/sparsity/gemm.csv: v2 ignores the Sparsity column of a GEMM file, v3 applies it only with
 *   SparsitySupport; mactile refuses a ratio other than 1:1 rather than run a sparse layer dense.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeNetwork } from '../../src/accel/systolic/model.js';
import type { SystolicConfig } from '../../src/accel/systolic/config.js';
import { loadConfig } from '../../src/config/load.js';
import { networkMacs } from '../../src/nets/ir.js';
import { loadScaleSimCsv, type ScaleSimRow } from '../../src/nets/scalesim-csv.js';
import { projectRoot } from '../../src/util/paths.js';
import { runCliInProcess } from '../helpers/cli.js';

const TOPOLOGIES = join(projectRoot(), '..', 'shared', 'reference', 'topologies');

interface Read {
  error?: string;
  rows?: number;
  macs?: number;
  sha1?: string;
}
interface FileReads {
  mode: 'conv' | 'gemm';
  v2: Read;
  v3: Read;
  repaired?: Read;
}
const READS = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'scalesim-reads.json'), 'utf8')) as {
  files: Record<string, FileReads>;
};

function csvFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? csvFiles(p) : f.endsWith('.csv') ? [relative(TOPOLOGIES, p)] : [];
    })
    .sort();
}

/** Both trees hold these files (identical copies). */
const both = (...files: string[]) => files.flatMap((f) => [`scalesim-v2/${f}`, `scalesim-v3/${f}`]);

/** Files mactile refuses, with the message (FILE is the file's path). */
const REFUSED: [string, string][] = [
  // Symbolic sizes (B, H, D): SCALE-Sim fails the same way.
  ...both('CSV/LSTM.csv', 'rnn_eval/LSTM_template.csv').map((f): [string, string] => [
    f,
    'topology FILE, line 2: IFMAP Width: expected a whole number, received "B"',
  ]),
  // "FC, 1, 1, 1, ,1 2, 2, 1,": a field left empty and "1 2" in the next one; SCALE-Sim fails on the section rows before it.
  ...both('CSV/MLPERF.csv', 'mlperf/MLPERF.csv').map((f): [string, string] => [
    f,
    'topology FILE, line 219: Filter Width: expected a whole number, received ""',
  ]),
  ...both('mlperf/Sentimental_seqLSTM.csv').map((f): [string, string] => [
    f,
    'topology FILE, line 29: Filter Width: expected a whole number, received ""',
  ]),
  // Columns Eh, Ew, e2 after the strides (annotations?): not SCALE-Sim columns; SCALE-Sim fails on the empty cells.
  ...both('conv_nets/Resnet50.csv').map((f): [string, string] => [
    f,
    'topology FILE, line 1: column 11: expected no further columns after Strides, or one of Stride Width, Sparsity, Batch Size, received "Eh"',
  ]),
  // TAB-separated; SCALE-Sim fails (IndexError).
  ...both('conv_nets/UNet_maestro.csv').map((f): [string, string] => [
    f,
    'topology FILE, line 1: the fields are separated by TABs; SCALE-Sim reads comma-separated values only (replace the TABs by commas)',
  ]),
  // N:M sparsity other than 1:1 (v2 fails on the ratios of the conv files and ignores the GEMM file's column).
  ...['alexnet_part.csv:1:4', 'conv.csv:2:4', 'gemm.csv:3:4'].map((s): [string, string] => {
    const [f, n, m] = s.split(':');
    return [
      `scalesim-v3/sparsity/${f}`,
      `topology FILE, line 2: Sparsity: mactile models dense layers only, received "${n}:${m}" (SCALE-Sim v3 applies an N:M ratio only with SparsitySupport in its config); write 1:1 to run the layer dense`,
    ];
  }),
];

/** Files SCALE-Sim (the versions named) fails on and mactile loads, with the note that says what mactile did. */
const SCALESIM_FAILS: { files: string[]; versions: ('v2' | 'v3')[]; note: RegExp }[] = [
  {
    // ",,,,,,,," under the header: int('') fails.
    files: both(
      'mlperf/NCF_recommendation_short.csv',
      'mlperf/Sentimental_seqCNN.csv',
      'mlperf/Transformer_short.csv',
      ...['div64q', 'div256q'].flatMap((d) =>
        [
          'AlphaGoZero',
          'NCF_recommendation_short',
          'Resnet50',
          'Sentimental_seqCNN',
          'Sentimental_seqLSTM_short',
          'Transformer_short',
        ].map((f) => `mlperf/${d}/${f}.csv`),
      ),
    ),
    versions: ['v2', 'v3'],
    note: /^line 2: a row of commas only: skipped \(SCALE-Sim fails on it\)$/,
  },
  {
    // One row without the trailing comma: SCALE-Sim drops its stride and fails.
    files: both('conv_nets/MobileNet_4k_non_dw.csv', 'conv_nets/mobilnet_4k.csv', 'conv_nets/mobilnet_reduce_run.csv'),
    versions: ['v2', 'v3'],
    note: /^line \d+: no trailing comma; SCALE-Sim drops the last field of every row and fails on this row, mactile reads all 8 fields$/,
  },
  {
    // A network's name on a row of its own ("Transformer,").
    files: both('mlperf/NCF_recommendation.csv', 'mlperf/Transformer.csv'),
    versions: ['v2', 'v3'],
    note: /^line 3: section row "(Neural Collaborative Filtering\(Recommendation\)|Transformer)" \(a name and no values\): skipped$/,
  },
  {
    files: both('mlperf/div4q/Sentimental_seqLSTM_short.csv'),
    versions: ['v3'],
    note: /^lines 6, 9: the 9th value \(no header\) is read as the horizontal stride, as SCALE-Sim v2 reads it/,
  },
  {
    files: ['scalesim-v3/llama/llama3b.csv'],
    versions: ['v3'],
    note: /^column 9 Batch Size: batch 1 throughout; SCALE-Sim v2 reads a 9th column as the horizontal stride and v3 as a sparsity ratio/,
  },
];

/** SHA-1 of the rows as fixtures/scalesim-reads.py prints SCALE-Sim's (a repeated name without mactile's #k). */
function digest(rows: ScaleSimRow[]): string {
  const seen = new Set<string>();
  const text = rows
    .map((r) => {
      const m = /^(.*)#\d+$/.exec(r.name);
      const name = m && seen.has(m[1]!) ? m[1]! : r.name;
      seen.add(r.name);
      return [name, r.ifmapH, r.ifmapW, r.filterH, r.filterW, r.channels, r.numFilter, r.strideH, r.strideW].join('|');
    })
    .join('\n');
  return createHash('sha1').update(text).digest('hex');
}

describe('every SCALE-Sim workload file', () => {
  it(`is there: ${TOPOLOGIES} holds the 250 CSV files of scale-sim-v2 and scale-sim-v3 the fixture describes`, () => {
    if (!existsSync(TOPOLOGIES)) {
      throw new Error(
        `${TOPOLOGIES} is missing: these tests read SCALE-Sim's workload files from ../shared/reference/topologies next to the repository`,
      );
    }
    expect(csvFiles(TOPOLOGIES)).toEqual(Object.keys(READS.files));
    expect(csvFiles(TOPOLOGIES).filter((f) => f.startsWith('scalesim-v2/'))).toHaveLength(117);
    expect(csvFiles(TOPOLOGIES).filter((f) => f.startsWith('scalesim-v3/'))).toHaveLength(131);
  });

  const files = existsSync(TOPOLOGIES) ? csvFiles(TOPOLOGIES) : [];
  const refused = new Map(REFUSED);
  const fails = new Map(SCALESIM_FAILS.flatMap((g) => g.files.map((f) => [f, g] as const)));
  const cfg = loadConfig('scalesim-32x32-os') as SystolicConfig;

  it('lists only files that exist, each once', () => {
    const listed = [...REFUSED.map(([f]) => f), ...SCALESIM_FAILS.flatMap((g) => g.files)];
    expect(listed.filter((f) => !READS.files[f])).toEqual([]);
    expect(new Set(listed).size).toBe(listed.length);
    expect(REFUSED).toHaveLength(17);
    expect(fails.size).toBe(43);
  });

  it.each(files)('%s', (rel) => {
    const file = join(TOPOLOGIES, rel);
    const reads = READS.files[rel]!;
    const message = refused.get(rel);
    if (message !== undefined) {
      let error: Error | undefined;
      try {
        loadScaleSimCsv(file);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toBe(message.replace('FILE', file));
      return;
    }
    const net = loadScaleSimCsv(file);
    const ours = { rows: net.scalesimRows.length, macs: networkMacs(net), sha1: digest(net.scalesimRows) };
    const failing = (['v2', 'v3'] as const).filter((v) => reads[v].error !== undefined);
    for (const v of ['v2', 'v3'] as const)
      if (!failing.includes(v)) expect(ours, `${rel}: what SCALE-Sim ${v} reads`).toEqual(reads[v]);
    const group = fails.get(rel);
    expect(failing, `${rel}: the SCALE-Sim versions that fail on it`).toEqual(group?.versions ?? []);
    if (group) {
      expect(
        net.scalesimNotes.some((n) => group.note.test(n)),
        `${rel}: notes ${JSON.stringify(net.scalesimNotes)}`,
      ).toBe(true);
      expect(ours, `${rel}: what SCALE-Sim v2 reads from the repaired file`).toEqual(reads.repaired);
    }
    // mactile's own model (not the slow SCALE-Sim compatibility mode) is closed-form: well under a second per file.
    const t0 = performance.now();
    const perf = analyzeNetwork(net, cfg);
    const ms = performance.now() - t0;
    expect(perf.totals.macs).toBe(ours.macs);
    expect(perf.layers).toHaveLength(ours.rows);
    expect(perf.totals.cycles).toBeGreaterThan(0);
    expect(ms, `${rel}: analyzeNetwork took ${ms.toFixed(1)} ms`).toBeLessThan(1000);
  });

  it('the SCALE-Sim-compatible flavour runs on every loadable file (32x32 os, CALC) in bounded time and memory', () => {
    // Both trees share many files byte for byte: each distinct text once. Identical layer shapes are computed once
    // anyway (the memory model memoises them), so this is the cost of every distinct shape of every file.
    const texts = new Set<string>();
    const slow: string[] = [];
    const t0 = performance.now();
    let peak = 0;
    for (const rel of files) {
      const text = readFileSync(join(TOPOLOGIES, rel), 'utf8');
      if (refused.has(rel) || texts.has(text)) continue;
      texts.add(text);
      const t = performance.now();
      const perf = analyzeNetwork(loadScaleSimCsv(join(TOPOLOGIES, rel)), cfg, 'scalesim');
      const ms = performance.now() - t;
      if (ms > 2000) slow.push(`${rel} ${(ms / 1000).toFixed(1)} s`);
      const { cycles, dramWords, overallUtil, macs } = perf.totals;
      for (const [what, v] of Object.entries({ cycles, dramWords, overallUtil, macs }))
        expect(Number.isFinite(v) && v > 0, `${rel}: ${what} = ${v}`).toBe(true);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const s = (performance.now() - t0) / 1000;
    console.log(
      `compat flavour: ${texts.size} files in ${s.toFixed(1)} s, peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB; over 2 s: ${slow.join(', ')}`,
    );
    expect(texts.size).toBe(109);
    expect(s).toBeLessThan(120);
    expect(peak).toBeLessThan(2 * 2 ** 30);
  }, 300_000);

  it('mactile nets --net FILE prints the MAC total of a GEMM file, a file with a BOM and lower-case headers, and llama3b.csv', async () => {
    const cases: [string, RegExp][] = [
      ['scalesim-v3/ispass25_models/vit_bg.csv', /^vit_bg +256x768x1 +4 +1,555,562,496 /m],
      ['scalesim-v2/resnet/resnet_fwd.csv', /^resnet_fwd +224x224x3 +54 +5,826,038,528 /m],
      ['scalesim-v3/llama/llama3b.csv', /^llama3b +512x512x3 +51 +431,424,096,174,080 /m],
    ];
    for (const [rel, line] of cases) {
      const r = await runCliInProcess(['nets', '--net', join(TOPOLOGIES, rel)]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(line);
    }
    const deep = JSON.parse(
      (
        await runCliInProcess([
          'nets',
          '--net',
          join(TOPOLOGIES, 'scalesim-v2/deepbench/DeepBenchConv/DeepSpeech.csv'),
          '--format',
          'json',
        ])
      ).stdout,
    );
    expect(deep).toMatchObject({
      macLayers: 6,
      macs: READS.files['scalesim-v2/deepbench/DeepBenchConv/DeepSpeech.csv']!.v2.macs,
    });
    expect(deep.notes).toEqual([
      'line 1: column 2 is headed "IFMAP Width" like column 3; it is read as IFMAP Height, by position, as SCALE-Sim reads it',
    ]);
    const bad = await runCliInProcess(['nets', '--net', join(TOPOLOGIES, 'scalesim-v2/conv_nets/UNet_maestro.csv')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/UNet_maestro\.csv, line 1: the fields are separated by TABs/);
  });
});
