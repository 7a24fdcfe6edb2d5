/**
 * Waveforms and replay: `sim --trace` writes an FST of the default windows (first and last fold) whose
 * decoded values are the RTL's cycle counter and the golden outputs at the cycles the RTL writes them;
 * tracing off leaves the build key as it is; `replay` of a kept job reproduces its result exactly, and a
 * damaged or foreign kept job is a one-line error. One tracing build (4x4 os) serves every RTL test here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { systolic as systolicKind } from '../../src/accel/systolic/index.js';
import { dataflowOf } from '../../src/accel/systolic/dataflows/index.js';
import { layerSchedule } from '../../src/accel/systolic/model.js';
import { planLayer } from '../../src/accel/systolic/plan.js';
import { buildKey, verilatorVersionLine } from '../../src/sim/build.js';
import { readKeptJob } from '../../src/sim/kept-job.js';
import { normalizeWindows } from '../../src/sim/run-options.js';
import { lenet5 } from '../../src/nets/zoo/index.js';
import { macLayers } from '../../src/nets/ir.js';
import type { IntMatrix } from '../../src/sim/job.js';
import { ownStderr, runCliInProcess } from '../helpers/cli.js';
import { systolic } from '../helpers/configs.js';
import { parseVcd } from '../helpers/vcd.js';
import { projectRoot } from '../../src/util/paths.js';

const CONFIG = ['--config', 'sa-8x8-os', '--rows', '4', '--cols', '4'];
const LAYER = 'conv2';
const work = mkdtempSync(join(tmpdir(), 'mactile-trace-test-'));
const traceDir = join(work, 'waves');
const keepDir = join(work, 'kept');
const keptFile = join(keepDir, `layer_${LAYER}.replay.json`);
/** The simulators the tests below ran (the tracing build, then the plain one). */
const binaries: { trace?: string; plain?: string } = {};
const binaryOf = (key: string) => join(projectRoot(), 'generated', 'build', key, 'sim');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('build variants', () => {
  it('tracing off leaves the build key unchanged; tracing on gives the variant its own key', () => {
    const src = systolicKind.design(systolic(4, 4, 'os'));
    const plain = buildKey(src, 'Verilator 5.006');
    expect(buildKey(src, 'Verilator 5.006', undefined)).toBe(plain);
    expect(buildKey(src, 'Verilator 5.006', {})).toBe(plain);
    expect(buildKey(src, 'Verilator 5.006', { trace: false })).toBe(plain);
    expect(buildKey(src, 'Verilator 5.006', { trace: true })).not.toBe(plain);
  });

  it('windows are clipped to the layer, sorted and merged', () => {
    expect(
      normalizeWindows(
        [
          { start: 90, end: 120 },
          { start: 0, end: 50 },
          { start: 40, end: 60 },
        ],
        100,
      ),
    ).toEqual([
      { start: 0, end: 60 },
      { start: 90, end: 100 },
    ]);
  });
});

describe('user values are refused with one line naming the option', () => {
  for (const [args, want] of [
    [['--trace', traceDir, '--window', '5:3'], /--window.*expected START:END.*received "5:3"/],
    [['--trace', traceDir, '--window', '1:2;rm'], /--window.*expected START:END.*received "1:2;rm"/],
    [['--window', '0:10'], /--window: expected together with --trace DIR/],
    [['--trace', '/proc/self/x'], /--trace \/proc\/self\/x/],
  ] as [string[], RegExp][]) {
    it(args.join(' '), async () => {
      const r = await runCliInProcess(['sim', '--net', 'lenet5', ...CONFIG, '--layers', LAYER, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toMatch(want);
    });
  }
});

describe('a traced LeNet-5 layer on a 4x4 array', () => {
  it('writes an FST whose decoded values are the cycle counter and the golden outputs where the RTL writes them', async () => {
    const r = await runCliInProcess([
      'sim',
      '--net',
      'lenet5',
      ...CONFIG,
      '--layers',
      LAYER,
      '--trace',
      traceDir,
      '--keep-jobs',
      keepDir,
      '--format',
      'json',
    ]);
    expect(ownStderr(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    const sim = JSON.parse(r.stdout) as {
      build: { key: string };
      traces: { fst: string; map: string; windows: { start: number; end: number }[] }[];
    };
    binaries.trace = binaryOf(sim.build.key);
    const t = sim.traces[0]!;
    const cfg = systolic(4, 4, 'os');
    const l = macLayers(lenet5()).find((x) => x.name === LAYER)!;
    const [sched] = layerSchedule(l, cfg);
    // The first fold and the last, from the model: a fold is the cycles of a one-fold GEMM.
    const span = 150 + 4 + 4 - 2 + 1 + 3;
    expect(t.windows).toEqual([
      { start: 0, end: span },
      { start: sched!.cycles - span, end: sched!.cycles },
    ]);
    expect(readFileSync(t.map, 'utf8')).toMatch(/acc\[i\]\[j\]\s+PE\(i,j\)'s 32-bit accumulator/);

    const vcd = parseVcd((await execa('fst2vcd', [t.fst])).stdout);
    const top = 'TOP.mt_sa_top';
    const inside = (c: number) => t.windows.some((w) => c >= w.start && c < w.end);
    // Only the windows were dumped: the file holds cycles of the first and last fold, nothing between.
    expect(vcd.times.length).toBeGreaterThan(0);
    for (const time of vcd.times) expect(inside(Math.floor(time / 2)), `time ${time}`).toBe(true);
    // The RTL's cycle counter reads c at time 2c (the layer is one GEMM), in both windows.
    for (const c of [0, 1, 57, span - 1, sched!.cycles - span, sched!.cycles - 1])
      expect(vcd.at(`${top}.cnt_cycles`, 2 * c), `cycle ${c}`).toBe(BigInt(c));
    // The fold pulse is high exactly at the fold starts the model predicts (inside the windows).
    for (const c of sched!.foldStarts.filter(inside)) expect(vcd.at(`${top}.fold_pulse`, 2 * c)).toBe(1n);
    expect(vcd.at(`${top}.fold_pulse`, 2 * (sched!.foldStarts[0]! + 1))).toBe(0n);

    // Results written in the windows, lane by lane, against the golden outputs kept with the job.
    const kept = readKeptJob(keptFile);
    const df = dataflowOf('os');
    const [plan] = planLayer(l, kept.x, kept.q, df);
    const shape = plan!.job.out;
    const values: IntMatrix = { ...shape, data: new Int16Array(shape.rows * shape.cols) };
    const written: IntMatrix = { ...shape, data: new Int16Array(shape.rows * shape.cols) };
    let writes = 0;
    for (let c = 0; c < sched!.cycles; c++) {
      if (!inside(c) || vcd.at(`${top}.o_wr_en`, 2 * c) !== 1n) continue;
      writes++;
      const row = Number(vcd.at(`${top}.o_wr_row`, 2 * c));
      const col = Number(vcd.at(`${top}.o_wr_col`, 2 * c));
      const mask = vcd.at(`${top}.o_wr_mask`, 2 * c)!;
      const data = vcd.at(`${top}.o_wr_data`, 2 * c)!;
      for (let j = 0; j < 4; j++) {
        if (((mask >> BigInt(j)) & 1n) === 0n) continue;
        const byte = Number((data >> BigInt(8 * j)) & 0xffn);
        values.data[(row + j) * shape.cols + col] = byte >= 128 ? byte - 256 : byte;
        written.data[(row + j) * shape.cols + col] = 1;
      }
    }
    expect(writes, 'result writes in the first and last fold').toBeGreaterThanOrEqual(8);
    let checked = 0;
    const channels = l.outShape.c;
    for (let m = 0; m < plan!.m; m++) {
      for (let j = 0; j < plan!.n; j++) {
        if (df.resultAt(written, m, j, plan!) !== 1) continue;
        checked++;
        expect(df.resultAt(values, m, j, plan!), `output pixel ${m}, channel ${j}`).toBe(
          kept.expected.data[m * channels + j],
        );
      }
    }
    expect(checked, 'outputs seen in the waveform: two folds of 4x4').toBeGreaterThanOrEqual(32);
  });

  it('replay of the kept job reproduces its result exactly', async () => {
    const r = await runCliInProcess(['replay', keptFile, '--trace', join(work, 'replay-waves'), '--format', 'json']);
    expect(ownStderr(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      reproduced: boolean;
      differences: string[];
      check: { rtlCycles: number; bitExact: boolean };
    };
    const kept = readKeptJob(keptFile);
    expect(doc.differences).toEqual([]);
    expect(doc.reproduced).toBe(true);
    expect(doc.ok).toBe(true);
    expect('check' in kept.original && kept.original.check.rtlCycles).toBe(doc.check.rtlCycles);
    // The table form says so in words. It runs on the plain build: the job kept from the tracing build gives the
    // same outputs and cycles there, so tracing changes nothing the checks see.
    const table = await runCliInProcess(['replay', keptFile.replace('.replay.json', '.job.bin')]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/reproduces the kept run exactly: the same outputs and \d+ cycles/);
    // A folder of one kept job names it.
    const folder = await runCliInProcess(['replay', keepDir, '--format', 'json']);
    expect(folder.code).toBe(0);
    expect((JSON.parse(folder.stdout) as { file: string }).file).toBe(keptFile);
    const plainKey = /; build ([0-9a-f]{20})/.exec(table.stdout)![1]!;
    binaries.plain = binaryOf(plainKey);
    // The plain build the replay used has the key of a build without the option; the traced run had its own.
    const design = systolicKind.design(systolic(4, 4, 'os'));
    expect(plainKey).toBe(buildKey(design, await verilatorVersionLine()));
    expect(binaries.trace).toBe(binaryOf(buildKey(design, await verilatorVersionLine(), { trace: true })));
  });

  it('the drivers check the trace arguments themselves', async () => {
    const job = join(keepDir, `layer_${LAYER}.job.bin`);
    const run = (binary: string, windows: string) =>
      execa(binary, [job, join(work, 'r.bin'), join(work, 'w.fst'), windows], { reject: false });
    for (const [windows, want] of [
      ['5:3', /trace windows: expected each START below its END/],
      ['0:10;rm -rf .', /trace windows: expected START:END\[,START:END...\] of whole numbers/],
      ['10:20,0:5', /windows in increasing order/],
    ] as [string, RegExp][]) {
      const r = await run(binaries.trace!, windows);
      expect(r.exitCode, windows).toBe(2);
      expect(r.stderr, windows).toMatch(want);
    }
    const plain = await run(binaries.plain!, '0:10');
    expect(plain.exitCode).toBe(2);
    expect(plain.stderr).toMatch(/built without tracing/);
  });

  it('a damaged or foreign kept job is a one-line error naming the file and what was expected', async () => {
    const text = readFileSync(keptFile, 'utf8');
    const doc = JSON.parse(text) as { job: { data: string }; input: { data: string } };
    const cases: [string, string, RegExp][] = [
      ['foreign.replay.json', 'P6 1 1 255\n', /found text that is not JSON/],
      ['other.replay.json', '{"format": "something-else"}', /found no "format": "mactile-kept-job" field/],
      ['truncated.replay.json', text.slice(0, text.length / 2), /found text that is not JSON/],
      [
        'job.replay.json',
        JSON.stringify({ ...doc, job: { ...doc.job, data: `AAAA${doc.job.data.slice(4)}` } }),
        /the job's bytes do not match their SHA-256/,
      ],
      [
        'input.replay.json',
        JSON.stringify({ ...doc, input: { ...doc.input, data: 'AAAA' } }),
        /field input\.data holds 3 bytes, expected \d+ 16-bit values/,
      ],
    ];
    const empty = await runCliInProcess(['replay', traceDir]);
    expect(empty.stderr.trim()).toBe(
      `mactile: replay ${traceDir}: expected one kept job (a .replay.json file, or a folder holding one), found a folder of 0`,
    );
    for (const [name, body, want] of cases) {
      const file = join(work, name);
      writeFileSync(file, body);
      const r = await runCliInProcess(['replay', file]);
      expect(r.code, name).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, name).toHaveLength(1);
      expect(lines[0], name).toContain(`replay ${file}: expected a kept job of mactile`);
      expect(lines[0], name).toMatch(want);
    }
  });
});
