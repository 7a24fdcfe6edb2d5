/**
 * What a user expects of a command-line tool: `./mactile` runs from anywhere (also through a symlink on
 * PATH) and writes under the working directory; a GEMM file's rows are `gemm`; `--format scalesim
 * --run-folder` writes into OUT/<run_name>/ as SCALE-Sim does; the tables of big networks fit a
 * 120-column terminal with --summary.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cliCommand, runCliInProcess } from '../helpers/cli.js';
import { projectRoot } from '../../src/util/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-conventions-'));

describe('./mactile', () => {
  it('runs from another working directory through a symlink, and generate writes under that directory', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(join(projectRoot(), 'mactile'), join(bin, 'mactile'));
    const work = mkdtempSync(join(dir, 'work-'));
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const r = await execa('mactile', ['generate', 'sa-8x8-os'], { cwd: work, env, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const made = readdirSync(join(work, 'generated'));
    expect(made).toHaveLength(1);
    expect(made[0]).toMatch(/^sa-8x8-os-[0-9a-f]{16}$/);
    expect(r.stdout).toContain(`wrote ${join(work, 'generated', made[0]!)}/`);
    expect(existsSync(join(work, 'generated', made[0]!, 'manifest.json'))).toBe(true);
  });
});

describe('a SCALE-Sim GEMM file', () => {
  it('is shown as kind gemm in analyze and nets', async () => {
    const csv = join(dir, 'gemms.csv');
    writeFileSync(csv, 'Layer, M, N, K,\nproj, 64, 32, 128,\nout, 16, 8, 32,\n');
    const json = JSON.parse(
      (await runCliInProcess(['analyze', '--net', csv, '--config', 'sa-8x8-os', '--format', 'json'])).stdout,
    ) as { layers: { name: string; kind: string }[] };
    expect(json.layers.map((l) => [l.name, l.kind])).toEqual([
      ['proj', 'gemm'],
      ['out', 'gemm'],
    ]);
    const table = (await runCliInProcess(['nets', '--net', csv, '--layers'])).stdout;
    expect(table).toMatch(/^proj\s+gemm\s/m);
    // A topology file's rows stay convolutions.
    const conv = (
      await runCliInProcess(['nets', '--net', join(projectRoot(), 'test/fixtures/topologies/lenet5.csv'), '--layers'])
    ).stdout;
    expect(conv).not.toMatch(/\sgemm\s/);
  });
});

describe('analyze --format scalesim --run-folder', () => {
  it("writes SCALE-Sim's report files into OUT/<run_name>/", async () => {
    const out = join(dir, 'scalesim-out');
    const r = await runCliInProcess([
      'analyze',
      '--net',
      'lenet5',
      '--config',
      'configs/scalesim-32x32-os.cfg',
      '--format',
      'scalesim',
      '--out',
      out,
      '--run-folder',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(out, 'scalesim_32x32_os')).sort()).toEqual([
      'BANDWIDTH_REPORT.csv',
      'COMPUTE_REPORT.csv',
      'DETAILED_ACCESS_REPORT.csv',
    ]);
    const wrong = await runCliInProcess(['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--run-folder']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--run-folder: expected with --format scalesim, received --format table/);
  });
});

describe('tables of big networks', () => {
  it('--summary fits 120 columns: the main columns and the 30 layers with the most cycles', async () => {
    const args = ['analyze', '--net', 'efficientnet_b0', '--config', 'sa-32x32-ws'];
    const full = (await runCliInProcess(args)).stdout;
    const summary = (await runCliInProcess([...args, '--summary'])).stdout;
    const widest = (t: string) => Math.max(...t.split('\n').map((l) => l.length));
    expect(widest(full)).toBeGreaterThan(120);
    expect(widest(summary)).toBeLessThanOrEqual(120);
    const rows = (t: string) => t.split('\n').filter((l) => /^s\d|^stem|^head|^classifier/.test(l));
    expect(rows(full)).toHaveLength(82);
    const shown = rows(summary);
    expect(shown).toHaveLength(30);
    // The layers shown are the 30 with the most cycles, in network order.
    const cycles = new Map(
      (
        JSON.parse((await runCliInProcess([...args, '--format', 'json'])).stdout) as {
          layers: { name: string; cycles: number }[];
        }
      ).layers.map((l) => [l.name, l.cycles]),
    );
    const top = [...cycles.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)
      .map(([n]) => n);
    expect(shown.map((l) => l.split(/\s+/)[0])).toEqual([...cycles.keys()].filter((n) => top.includes(n)));
    expect(summary).toMatch(/^total\s/m);
    const note = summary.replace(/\n {2}/g, ' ');
    expect(note).toMatch(/summary: 52 of 82 rows not shown/);
    expect(note).toMatch(/column\(s\) not shown: .*DRAM words/);
    // Kept columns: cycles, utilisation, mapping efficiency and time.
    expect(summary).toMatch(/^layer\s+kind\s.*MACs\s+cycles\s+stalls\s+util %\s+map eff %\s+time us/m);
  });
});

describe('NVDLA keys on the command line', () => {
  it('--atomic-c and --atomic-k override them as --rows and --cols do for arrays', async () => {
    const file = join(dir, 'nv_16x16.yaml');
    writeFileSync(
      file,
      readFileSync(join(projectRoot(), 'configs/nv_small.yaml'), 'utf8')
        .replace(/^atomic_c: 8$/m, 'atomic_c: 16')
        .replace(/^atomic_k: 8$/m, 'atomic_k: 16'),
    );
    const totals = async (args: string[]) =>
      (
        JSON.parse((await runCliInProcess(['analyze', '--net', 'lenet5', ...args, '--format', 'json'])).stdout) as {
          totals: { cycles: number };
        }
      ).totals.cycles;
    const overridden = await totals(['--config', 'nv_small', '--atomic-c', '16', '--atomic-k', '16']);
    expect(overridden).toBe(await totals(['--config', file]));
    expect(overridden).not.toBe(await totals(['--config', 'nv_small']));
    const wrongKind = await runCliInProcess([
      'analyze',
      '--net',
      'lenet5',
      '--config',
      'sa-8x8-os',
      '--atomic-c',
      '16',
    ]);
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.stderr).toMatch(/unknown key 'atomic_c' \(from --atomic-c\): expected one of kind, name, rows/);
  });
});

describe('a table on a narrow terminal', () => {
  it('is summarised to the terminal without asking, and --full gives it whole', async () => {
    const cli = [process.execPath, ...cliCommand(), 'analyze', '--net', 'efficientnet_b0', '--config', 'sa-32x32-ws'];
    const run = async (extra: string[]) =>
      (
        await execa(
          'script',
          ['-qfec', `stty cols 100; exec ${[...cli, ...extra].map((a) => `'${a}'`).join(' ')}`, '/dev/null'],
          {
            cwd: projectRoot(),
          },
        )
      ).stdout.replace(/\r/g, '');
    const widest = (t: string) => Math.max(...t.split('\n').map((l) => l.length));
    const narrow = await run(['--quiet']); // (no progress line among the table's lines)
    expect(widest(narrow)).toBeLessThanOrEqual(100);
    expect(narrow).toMatch(/summary: 52 of 82 rows not shown/);
    expect(widest(await run(['--quiet', '--full']))).toBeGreaterThan(100);
  });
});
