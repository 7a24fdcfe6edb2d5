/**
 * Ctrl-C (SIGINT) and SIGTERM stop every command within two seconds, also during long synchronous work,
 * with the conventional status (killed by the signal: 130 / 143 in a shell), and leave no partial output,
 * no job folder and no simulator running. No library may keep a signal handler installed while mactile
 * computes. Runs Verilator: run this file under `flock /tmp/mactile-cpu.lock`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { processAlive } from '../../src/util/cleanup.js';
import { projectRoot } from '../../src/util/paths.js';
import { cliCommand, runCli } from '../helpers/cli.js';
import { leftovers } from './helpers.js';

let base: string;
let cfgFile: string;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'mactile-signals-'));
  cfgFile = join(base, 'hardening-signals-3x2.yaml');
  writeFileSync(cfgFile, 'kind: systolic\nrows: 3\ncols: 2\ndataflow: os\n');
  // The simulator is built once, so that the runs below spend their time simulating.
  const r = await runCli(['sim', '--net', 'lenet5', '--config', cfgFile, '--layers', 'fc3']);
  expect(r.code, r.stderr).toBe(0);
}, 900_000);

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[]): Started {
  const child = spawn(process.execPath, [...cliCommand(), ...args], {
    cwd: projectRoot(),
    env: { ...process.env, CI: '1' },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('exit', (code, signal) => res({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, ended };
}

/** Sends `signal` and returns how long the process took to end, and how it ended. */
async function stop(s: Started, signal: NodeJS.Signals) {
  const t0 = performance.now();
  s.child.kill(signal);
  const end = await Promise.race([
    s.ended,
    new Promise<'still running'>((res) => setTimeout(() => res('still running'), 10_000)),
  ]);
  const ms = performance.now() - t0;
  if (end === 'still running') s.child.kill('SIGKILL');
  return { end, ms };
}

/** Ended by the signal itself (the shell's 128 + n), not by an exit code of its own. */
function expectKilledBy(end: unknown, signal: NodeJS.Signals) {
  expect(end).not.toBe('still running');
  const e = end as { code: number | null; signal: NodeJS.Signals | null };
  expect(e.signal === signal || e.code === (signal === 'SIGINT' ? 130 : 143), JSON.stringify(e)).toBe(true);
}

/** The child processes of `pid` (e.g. the simulator, sweep workers). */
const childrenOf = (pid: number) =>
  spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);

const jobDirsOf = (pid: number) => readdirSync(tmpdir()).filter((n) => n.startsWith(`mactile-job-${pid}-`));

describe('quantize (a long synchronous study)', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} ends it within 2 s and leaves the earlier --out file whole`, async () => {
      const dir = join(base, `quantize-${signal}`);
      mkdirSync(dir);
      const out = join(dir, 'q.json');
      writeFileSync(out, 'earlier\n');
      const s = start([
        'quantize',
        '--model',
        'models/efficientnet_b0_mnist.onnx',
        '--calibration',
        'all',
        '--granularity',
        'all',
        '--out',
        out,
      ]);
      // Well into the study: the model is loaded and calibration or evaluation runs, synchronously.
      await new Promise((res) => setTimeout(res, 8_000));
      expect(s.child.exitCode).toBeNull();
      const { end, ms } = await stop(s, signal);
      expectKilledBy(end, signal);
      expect(ms).toBeLessThan(2_000);
      expect(readFileSync(out, 'utf8')).toBe('earlier\n');
      expect(readdirSync(dir)).toEqual(['q.json']);
    });
  }
});

describe('sim (a multi-layer run)', () => {
  // No conv1: on the compiled CLI it runs so fast that a poll can miss its job folder and catch the last layer's.
  const args = () => ['sim', '--net', 'alexnet', '--config', cfgFile, '--layers', 'conv2,conv3,conv4'];

  it('SIGINT while the simulator runs ends it within 2 s, with no job folder and no simulator left', async () => {
    const s = start(args());
    const pid = s.child.pid!;
    await vi.waitFor(() => expect(jobDirsOf(pid).length).toBeGreaterThan(0), { timeout: 300_000, interval: 50 });
    await vi.waitFor(() => expect(childrenOf(pid).length).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
    const simulators = childrenOf(pid);
    const { end, ms } = await stop(s, 'SIGINT');
    expectKilledBy(end, 'SIGINT');
    expect(ms).toBeLessThan(2_000);
    expect(jobDirsOf(pid)).toEqual([]);
    await vi.waitFor(() => expect(simulators.filter((p) => processAlive(p))).toEqual([]), { timeout: 2_000 });
  });

  it('SIGTERM between simulator runs (checking a layer, synchronously) ends it within 2 s', async () => {
    const s = start(args());
    const pid = s.child.pid!;
    // Polling the temporary folder can miss the short gap between two layers and catch the end of the run
    // instead; inotify (fs.watch, set up long before the child has started) reports the first layer's job
    // folder going away as it happens.
    const removed = new Promise<void>((res) => {
      const w = watch(tmpdir(), (_event, name) => {
        if (name?.startsWith(`mactile-job-${pid}-`) && !existsSync(join(tmpdir(), name))) {
          w.close();
          res();
        }
      });
    });
    await removed;
    expect(s.child.exitCode, 'the run is still going (two layers left)').toBeNull();
    const { end, ms } = await stop(s, 'SIGTERM');
    expectKilledBy(end, 'SIGTERM');
    expect(ms).toBeLessThan(2_000);
    expect(jobDirsOf(pid)).toEqual([]);
  });
});

describe('sweep', () => {
  it('SIGINT ends the sweep within 2 s; the database stays sound', async () => {
    const db = join(base, 'sweep.sqlite');
    const s = start([
      'sweep',
      '--db',
      db,
      '--net',
      'resnet50,vgg16',
      '--rows',
      Array.from({ length: 32 }, (_, i) => i + 1).join(','),
      '--cols',
      Array.from({ length: 32 }, (_, i) => i + 1).join(','),
      '--jobs',
      '2',
    ]);
    await vi.waitFor(() => expect(s.stdout()).toMatch(/points \(/), { timeout: 120_000, interval: 50 });
    await new Promise((res) => setTimeout(res, 2_000));
    const workers = childrenOf(s.child.pid!);
    expect(workers.length).toBeGreaterThan(0);
    const { end, ms } = await stop(s, 'SIGINT');
    expectKilledBy(end, 'SIGINT');
    expect(ms).toBeLessThan(2_000);
    await vi.waitFor(() => expect(workers.filter((p) => processAlive(p))).toEqual([]), { timeout: 3_000 });
    const status = await runCli(['sweep', '--status', '--db', db]);
    expect(status.code, status.stderr).toBe(0);
  });

  it('SIGINT while a sweep report is written leaves the earlier report whole', async () => {
    const db = join(base, 'sweep-report.sqlite');
    const r = await runCli([
      'sweep',
      '--db',
      db,
      '--net',
      'lenet5,alexnet',
      '--rows',
      '2,4,8,16',
      '--cols',
      '2,4,8,16',
      '--jobs',
      '2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = join(base, 'sweep-report');
    mkdirSync(out);
    writeFileSync(join(out, 'index.html'), 'earlier\n');
    for (const delay of [1_500, 2_500, 3_500]) {
      const s = start(['sweep', '--db', db, '--report', out]);
      await new Promise((res) => setTimeout(res, delay));
      if (s.child.exitCode !== null) break; // finished before the signal: nothing to check for this delay
      const { end, ms } = await stop(s, 'SIGINT');
      expectKilledBy(end, 'SIGINT');
      expect(ms).toBeLessThan(2_000);
      const index = readFileSync(join(out, 'index.html'), 'utf8');
      expect(index === 'earlier\n' || index.trimEnd().endsWith('</html>')).toBe(true);
    }
    // A later report removes whatever staging folder a killed one left, and writes whole files.
    const again = await runCli(['sweep', '--db', db, '--report', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(leftovers(out)).toEqual([]);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
  });
});
