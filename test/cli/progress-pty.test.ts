/**
 * Progress as a user sees it on a terminal: `quantize`, `study`, `sim`, `sweep` and `synth` run under a pseudo-terminal
 * (util-linux `script`), outside CI, and draw a progress line with a count and an ETA whose count never
 * passes its total; with `--quiet` or in CI the same commands draw none.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cliCommand } from '../helpers/cli.js';
import { projectRoot } from '../../src/util/paths.js';
import { loadConfig } from '../../src/config/load.js';
import { accelOf } from '../../src/accel/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-pty-'));
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI on a 160-column pseudo-terminal; returns what the terminal received and the exit code. */
async function onTerminal(args: string[], env: Record<string, string> = {}): Promise<{ code: number; text: string }> {
  const cmd = [process.execPath, ...cliCommand(), ...args].map(quote).join(' ');
  const { CI: _ci, ...rest } = process.env;
  const r = await execa('script', ['-qfec', `stty cols 160; exec ${cmd}`, '/dev/null'], {
    cwd: projectRoot(),
    env: { ...rest, ...env },
    extendEnv: false,
    reject: false,
    timeout: 600_000,
  });
  return { code: r.exitCode ?? -1, text: r.stdout };
}

/** Each redraw of the terminal's line, escape sequences removed. */
function redraws(text: string): string[] {
  return (
    text
      // eslint-disable-next-line no-control-regex -- the terminal's escape sequences are what this removes
      .split(/\x1b\[1G|\r|\n/)
      // eslint-disable-next-line no-control-regex -- as above
      .map((f) => f.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '').trim())
  );
}

/** The progress frames drawn with a count and an ETA. */
const frames = (text: string) => redraws(text).filter((f) => / \| ETA /.test(f));

/** The frames of an activity (work without a count): `title: step (elapsed)`. */
const activityFrames = (text: string, title: RegExp) => redraws(text).filter((f) => title.test(f));

/** The n/total counts of the frames of one title, in order. */
function counts(fs: string[], title: RegExp): [number, number][] {
  return fs
    .filter((f) => title.test(f))
    .map((f) => /\] (\d+)\/(\d+) \|/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [Number(m[1]), Number(m[2])]);
}

function expectHonest(c: [number, number][]): void {
  expect(c.length).toBeGreaterThan(0);
  for (const [n, total] of c) expect(n).toBeLessThanOrEqual(total);
  for (let i = 1; i < c.length; i++) expect(c[i]![0]).toBeGreaterThanOrEqual(c[i - 1]![0]);
}

describe('progress on a terminal', () => {
  it('quantize: calibration digits, variants and held-out digits, each with a count and an ETA', async () => {
    // All 2,000 held-out digits: with the fast executors fewer digits can take under a redraw or two, too short a
    // phase for an ETA (one is owed to phases over about two seconds).
    const args = ['quantize', '--model', 'models/lenet5.onnx', '--test-images', '2000', '--calibration-images', '100'];
    const r = await onTerminal([...args, '--calibration', 'minmax,mse']);
    expect(r.code).toBe(0);
    const fs = frames(r.text);
    const calibration = counts(fs, /^calibrating on training digits /);
    expectHonest(calibration);
    expect(calibration.at(-1)).toEqual([100, 100]);
    const digits = counts(fs, /^evaluating FP32 and 4 variant\(s\) on held-out digits /);
    expectHonest(digits);
    expect(digits.at(-1)).toEqual([2000, 2000]);
    expect(fs.some((f) => /^evaluating .* ETA \d+ (s|min|h)\b/.test(f))).toBe(true);
    expect(r.text).not.toMatch(/NaN|Infinity|NFs/);
    expect(r.text).toMatch(/FP32 accuracy/);

    const quiet = await onTerminal([...args, '--calibration', 'minmax', '--quiet']);
    expect(quiet.code).toBe(0);
    expect(frames(quiet.text)).toEqual([]);
    const ci = await onTerminal([...args, '--calibration', 'minmax'], { CI: 'true' });
    expect(frames(ci.text)).toEqual([]);
  }, 600_000);

  it("study (make demo's job): its quantization children's digits on the parent's line, with an ETA", async () => {
    const out = join(dir, 'study');
    const r = await onTerminal([
      'study',
      '--nets',
      'lenet5',
      '--models',
      'models/lenet5.onnx',
      '--precision',
      'int8',
      '--sizes',
      '8',
      '--rtl',
      'none',
      '--no-area',
      '--out',
      out,
    ]);
    expect(r.code, r.text).toBe(0);
    const fs = frames(r.text);
    const jobs = counts(fs, /^quantization studies /);
    expectHonest(jobs);
    expect(jobs.at(-1)).toEqual([1, 1]);
    // The child's own counts, read from its progress lines, in the label: calibration, then the held-out digits.
    const digits = fs
      .map((f) => /lenet5 int8: evaluating (\d+)\/(\d+)/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [Number(m[1]), Number(m[2])] as [number, number]);
    expectHonest(digits);
    expect(digits.every(([, total]) => total === 2000)).toBe(true);
    expect(fs.some((f) => /lenet5 int8: calibrating \d+\/500/.test(f))).toBe(true);
    expect(fs.some((f) => /^quantization studies .* ETA \d+ (s|min|h)\b/.test(f))).toBe(true);
    expect(r.text).not.toMatch(/NaN|Infinity|NFs|mactile-progress/);
  }, 600_000);

  it("sim: the network's layers, counted up to their total", async () => {
    const r = await onTerminal(['sim', '--net', 'lenet5', '--config', 'nv_small']);
    expect(r.code).toBe(0);
    const c = counts(frames(r.text), /^simulating lenet5 on nv_small /);
    expectHonest(c);
    expect(c[0]).toEqual([0, 5]);
    expect(c.at(-1)).toEqual([5, 5]);
    expect(r.text).toMatch(/all layers bit-exact/);
  }, 600_000);

  it('sweep: its points with an ETA, then the best points; --status gives elapsed time and an ETA', async () => {
    const db = join(dir, 'sweep.sqlite');
    const r = await onTerminal([
      'sweep',
      '--db',
      db,
      '--net',
      'lenet5',
      '--rows',
      '4,8',
      '--cols',
      '4,8',
      '--dataflow',
      'os',
      '--jobs',
      '2',
    ]);
    expect(r.code).toBe(0);
    const fs = frames(r.text);
    const c = counts(fs, /^sweep of /);
    expectHonest(c);
    expect(c.every(([, total]) => total === 4)).toBe(true);
    expect(c.at(-1)).toEqual([4, 4]);
    // An estimate, in whatever unit it falls (a loaded machine gives `ETA 1 min 05 s`), not `ETA --`.
    expect(fs.some((f) => /^sweep of .* ETA \d+ (s|min|h)\b/.test(f))).toBe(true);
    // The best points, fastest first: a bigger array takes fewer cycles on LeNet-5.
    const best = /best points of lenet5 \(fewest cycles\):\r?\n\s+1\. (\S+) os int8 scalesim: ([\d,]+) cycles/.exec(
      r.text,
    );
    expect(best?.[1]).toBe('8x8');
    const status = await onTerminal(['sweep', '--status', '--db', db]);
    expect(status.text).toMatch(/4 points: 4 done, 0 running, 0 pending, 0 failed/);
    expect(status.text).toMatch(/took \d+ s from the first point's start to the last one's end/);
  }, 600_000);

  it("synth: yosys's passes as they run, with the time elapsed (yosys gives no count to make an ETA of)", async () => {
    const cfgFile = join(dir, 'pty-synth-1x1.yaml');
    writeFileSync(cfgFile, 'kind: systolic\nrows: 1\ncols: 1\ndataflow: os\n');
    const cfg = loadConfig(cfgFile);
    // Not from the cache: a cached result prints at once, with no progress to show.
    rmSync(join(projectRoot(), 'generated', 'synth', `${accelOf(cfg).design(cfg).hash}-generic.json`), { force: true });
    const r = await onTerminal(['synth', cfgFile]);
    expect(r.code).toBe(0);
    const fs = activityFrames(r.text, /^synthesizing mt_sa_top \(yosys generic\):/);
    // The line follows yosys: several of its stages appear (how many are caught between redraws depends on the
    // machine's load: a stage that takes under a redraw interval may be passed over), a pass among them.
    const stages = fs.map((f) => /: (\S.*) \((\d+) s\)$/.exec(f)).filter((m) => m !== null);
    expect(new Set(stages.map((m) => m[1])).size, fs.join('\n')).toBeGreaterThanOrEqual(2); // e.g. frontend, OPT
    expect(
      stages.some((m) => / pass /.test(m[1]!)),
      fs.join('\n'),
    ).toBe(true);
    const elapsed = stages.map((m) => Number(m[2]));
    for (let i = 1; i < elapsed.length; i++) expect(elapsed[i]).toBeGreaterThanOrEqual(elapsed[i - 1]!);
    expect(r.text).toMatch(/\$_DFF/);
    expect(r.text).not.toMatch(/NaN|Infinity/);
  }, 600_000);
});
