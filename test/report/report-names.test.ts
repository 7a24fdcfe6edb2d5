/**
 * What a report is of and what its runs are called: with --model the model's network is studied (a --net
 * that is another network is refused, the page is titled after the network whose data it holds), and
 * configs that share a name get runs of distinct labels, so no run's data files overwrite another's.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { writeReport } from '../../src/report/html.js';
import { runNames, type RunStudy } from '../../src/report/study.js';
import { ownStderr, runCli } from '../helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'mactile-report-names-'));

/** A systolic config file `name.yaml` in a folder of its own under `root`. */
function configFile(root: string, folder: string, name: string, rows: number, extra = ''): string {
  mkdirSync(join(root, folder), { recursive: true });
  const file = join(root, folder, `${name}.yaml`);
  writeFileSync(file, `kind: systolic\nrows: ${rows}\ncols: 2\ndataflow: os\n${extra}`);
  return file;
}

/** A one-layer SCALE-Sim topology (a small conv), so that a report runs in seconds. */
function tinyTopology(dir: string): string {
  const file = join(dir, 'tiny.csv');
  writeFileSync(
    file,
    'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nconv1,6,6,3,3,2,3,1,\n',
  );
  return file;
}

const cfg = (name: string, source: string, rows = 2) =>
  validateConfig({ kind: 'systolic', name, rows, cols: 2, dataflow: 'os' }, source);

describe('report: --net and --model', () => {
  it('refuses a --net that is not the network of --model, before any work', async () => {
    const r = await runCli([
      'report',
      '--net',
      'alexnet',
      '--model',
      'models/lenet5.onnx',
      '--configs',
      'sa-8x8-os',
      '--out',
      join(tmp(), 'r'),
      '--quiet',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^mactile: --net alexnet: is not the network of --model models\/lenet5\.onnx \(MAC layer 1 is conv 224x224x3 -> 55x55x64, kernel 11x11, .* against the model's conv 32x32x1 -> 28x28x6, kernel 5x5, .*\); with --model the model's network is studied: leave out --net, or give the model's network$/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('refuses a report of nothing', async () => {
    const r = await runCli(['report', '--configs', 'sa-8x8-os', '--out', join(tmp(), 'r'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mactile: report: expected --net NET or --model M\.onnx \(or both\), received neither$/);
  });

  // One small study of the model without --net: the page is titled after the model's network, whose data it holds.
  it('without --net studies the model and is titled after its network; a --net of the same network is accepted', async () => {
    const dir = tmp();
    const sa = configFile(dir, 'a', 'sa-4x4', 4);
    const small = [
      '--configs',
      sa,
      '--precision',
      'int8',
      '--calibration',
      'minmax',
      '--granularity',
      'channel',
      '--test-images',
      '50',
      '--quiet',
    ];
    const r = await runCli(['report', '--model', 'models/lenet5.onnx', ...small, '--out', join(dir, 'model')]);
    expect(ownStderr(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, 'model', 'index.html'), 'utf8');
    expect(html).toContain('<title>mactile study: lenet5</title>');
    const report = JSON.parse(readFileSync(join(dir, 'model', 'data', 'report.json'), 'utf8')) as {
      network: string;
      runs: { layers: { name: string }[]; operands: string }[];
    };
    expect(report.network).toBe('lenet5');
    expect(report.runs[0]!.operands).toMatch(/^quantized model/);
    expect(report.runs[0]!.layers).toHaveLength(5);
    // The zoo's LeNet-5 is the same network as the model (same MAC layers, other names): accepted.
    const same = await runCli([
      'report',
      '--net',
      'lenet5',
      '--model',
      'models/lenet5.onnx',
      ...small,
      '--out',
      join(dir, 'both'),
    ]);
    expect(ownStderr(same.stderr)).toBe('');
    expect(same.code).toBe(0);
    expect(readFileSync(join(dir, 'both', 'index.html'), 'utf8')).toContain('<title>mactile study: lenet5</title>');
  });
});

describe('report: configs of the same name', () => {
  it('labels the runs apart (-2, -3) and writes every data file it claims', async () => {
    const dir = tmp();
    // Three different configs named "sa" (the name comes from the file name), and one named sa-2 already.
    const files = [
      configFile(dir, 'a', 'sa', 2),
      configFile(dir, 'b', 'sa', 3),
      configFile(dir, 'c', 'sa', 4),
      configFile(dir, 'd', 'other', 2, 'name: sa-2\n'),
    ];
    const out = join(dir, 'r');
    const r = await runCli([
      'report',
      '--net',
      tinyTopology(dir),
      '--configs',
      files.join(','),
      '--precision',
      'int8',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `note: 3 configs are named sa: their runs are labelled sa (${files[0]}), sa-3 (${files[1]}), sa-4 (${files[2]})`,
    );
    const claimed = Number(/\((\d+) data files\)/.exec(r.stdout)![1]);
    const written = readdirSync(join(out, 'data'));
    expect(written).toHaveLength(claimed);
    const runs = JSON.parse(readFileSync(join(out, 'data', 'comparison.json'), 'utf8')) as {
      run: string;
      config: { rows: number; source: string };
    }[];
    expect(runs.map((x) => x.run)).toEqual(['sa int8', 'sa-3 int8', 'sa-4 int8', 'sa-2 int8']);
    expect(runs.map((x) => x.config.rows)).toEqual([2, 3, 4, 2]);
    for (const [label, rows] of [
      ['sa-int8', 2],
      ['sa-3-int8', 3],
      ['sa-4-int8', 4],
      ['sa-2-int8', 2],
    ] as const) {
      const run = JSON.parse(readFileSync(join(out, 'data', `layers-${label}.json`), 'utf8')) as {
        config: { rows: number };
      };
      expect(run.config.rows, label).toBe(rows);
    }
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('3 configs are named sa: their runs are labelled sa (');
    expect(new Set([...html.matchAll(/<h2 id="(run-[^"]+)"/g)].map((m) => m[1])).size).toBe(4);
  });

  it('refuses a config listed twice, naming it', async () => {
    const r = await runCli([
      'report',
      '--net',
      'lenet5',
      '--configs',
      'sa-8x8-os,sa-8x8-ws,sa-8x8-os',
      '--out',
      join(tmp(), 'r'),
      '--quiet',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^mactile: --configs: sa-8x8-os \(.*configs\/sa-8x8-os\.yaml\) is listed 2 times; list each config once$/,
    );
  });

  it('numbers runs past the names other configs have, without regard to case', () => {
    const { names, notes } = runNames([
      cfg('x', '/a/x.yaml'),
      cfg('X', '/b/X.yaml', 3),
      cfg('x-2', '/c/x-2.yaml'),
      cfg('x', '/d/x.yaml', 4),
      cfg('y', '/e/y.yaml'),
    ]);
    expect(names).toEqual(['x', 'X-3', 'x-2', 'x-4', 'y']);
    expect(notes).toEqual([
      '3 configs are named x: their runs are labelled x (/a/x.yaml), X-3 (/b/X.yaml), x-4 (/d/x.yaml)',
    ]);
    expect(runNames([cfg('x', '/a/x.yaml'), cfg('y', '/b/y.yaml')])).toEqual({ names: ['x', 'y'], notes: [] });
  });

  it('writeReport refuses runs whose data files would be the same', async () => {
    const run = (label: string) =>
      ({
        label,
        name: label.split(' ')[0],
        config: cfg('x', '/a/x.yaml'),
        precision: 'int8',
        layers: [],
      }) as unknown as RunStudy;
    const err = await writeReport(join(tmp(), 'r'), {
      title: 't',
      network: 'n',
      command: 'c',
      date: 'd',
      tools: {},
      runs: [run('x int8'), run('X int8')],
      skipped: [],
      hostOps: [],
    }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/the runs "x int8" and "X int8" would write the same data files \(layers-X-int8\.\*\)/);
  });
});
