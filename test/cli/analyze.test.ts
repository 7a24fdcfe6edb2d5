/**
 * The `analyze`, `nets`, `export` and `configs` commands as a user runs them: in this process through main(argv)
 * (runCliInProcess), and the executable itself in a child process.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-cli-'));

describe('mactile analyze', () => {
  it('prints a per-layer table with totals', async () => {
    const r = await runCliInProcess(['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--compat', 'scalesim']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SCALE-Sim v2 compatible model/);
    expect(r.stdout).toMatch(/^conv1 .* 3,821 /m);
    expect(r.stdout).toMatch(/^total .* 15,961 /m);
  });

  it('prints JSON with layers and totals, percentages in percent', async () => {
    const r = await runCliInProcess([
      'analyze',
      '--net',
      'lenet5',
      '--config',
      'sa-8x8-os',
      '--compat',
      'scalesim',
      '--format',
      'json',
    ]);
    const doc = JSON.parse(r.stdout);
    expect(doc.layers.map((l: { cycles: number }) => l.cycles)).toEqual([3821, 4263, 6209, 1473, 195]);
    expect(doc.layers[0]).toMatchObject({ name: 'conv1', macs: 117_600, stallCycles: 0 });
    expect(doc.layers[0].overallUtil).toBeCloseTo(48.0895, 4);
    expect(doc.layers[0].mappingEfficiency).toBeCloseTo(75, 6);
    for (const key of ['computeUtil', 'sramIfmapReads', 'dramIfmapWords', 'dramIfmapBw', 'timeUs'])
      expect(doc.layers[0]).toHaveProperty(key);
    expect(doc.totals).toMatchObject({ cycles: 15_961, macs: 416_520 });
  });

  it("defaults to mactile's own model: the RTL's true cycles in the config's timing mode", async () => {
    const r = await runCliInProcess(['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.model).toBe('mactile');
    // SCALE-Sim's count + 1 (its off-by-one) + 4 (read latency and output path) per layer.
    expect(doc.layers.map((l: { cycles: number }) => l.cycles)).toEqual([3826, 4268, 6214, 1478, 200]);
    const piped = JSON.parse(
      (
        await runCliInProcess([
          'analyze',
          '--net',
          'lenet5',
          '--config',
          'sa-8x8-ws',
          '--timing',
          'pipelined',
          '--format',
          'json',
        ])
      ).stdout,
    );
    expect(piped.totals.cycles).toBeLessThan(29_406);
  });

  it('writes CSV and the three SCALE-Sim report files', async () => {
    const csv = await runCliInProcess(['analyze', '--net', 'lenet5', '--config', 'sa-8x8-ws', '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toMatch(/^layer,kind,macs,M,K,N,/);
    expect(csv.stdout.trim().split('\n')).toHaveLength(6);
    const out = join(dir, 'ss');
    const r = await runCliInProcess([
      'analyze',
      '--net',
      'lenet5',
      '--config',
      'sa-8x8-os',
      '--format',
      'scalesim',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'COMPUTE_REPORT.csv'), 'utf8').split('\n')[0]).toBe(
      'LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,',
    );
    expect(readFileSync(join(out, 'BANDWIDTH_REPORT.csv'), 'utf8')).toMatch(/^LayerID, Avg IFMAP SRAM BW, /);
    expect(readFileSync(join(out, 'DETAILED_ACCESS_REPORT.csv'), 'utf8')).toMatch(/^LayerID, SRAM IFMAP Start Cycle, /);
  });

  it('reads SCALE-Sim topology files and .cfg configs', async () => {
    const r = await runCliInProcess([
      'analyze',
      '--net',
      'test/fixtures/topologies/alexnet.csv',
      '--config',
      'sa-8x8-os',
      '--rows',
      '128',
      '--cols',
      '128',
      '--compat',
      'scalesim',
      '--format',
      'json',
    ]);
    expect(JSON.parse(r.stdout).totals.cycles).toBe(67_567);
    const cfg = await runCliInProcess([
      'analyze',
      '--net',
      'lenet5',
      '--config',
      'scalesim-32x32-os',
      '--compat',
      'scalesim',
      '--format',
      'json',
    ]);
    expect(JSON.parse(cfg.stdout).totals.cycles).toBe(5_558);
  });

  it.each([
    [
      ['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--dataflow', 'xs'],
      /key 'dataflow' \(from --dataflow\): expected one of os \| ws \| is, received "xs"/,
    ],
    [
      ['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--precision', 'int7'],
      /key 'precision' \(from --precision\): expected one of int8 \| int16, received "int7"/,
    ],
    [
      ['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--rows', '0'],
      /key 'rows' \(from --rows\): expected an integer from 1 to 256, received 0/,
    ],
    [
      ['analyze', '--net', 'resnet', '--config', 'sa-8x8-os'],
      /network "resnet": expected one of lenet5, alexnet, efficientnet_b0/,
    ],
    [['analyze', '--net', 'missing.csv', '--config', 'sa-8x8-os'], /topology missing\.csv: no such file/],
    [['analyze', '--net', 'lenet5', '--config', 'nope.yaml'], /config "nope\.yaml": no such file/],
    [
      ['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--compat', 'timeloop'],
      /--compat: expected scalesim, received "timeloop"/,
    ],
    [
      ['analyze', '--net', 'lenet5', '--config', 'nv_small', '--compat', 'scalesim'],
      /--compat scalesim and --format scalesim need kind: systolic, received kind: nvdla/,
    ],
  ])('rejects bad input %j with one line and a non-zero exit', async (args, message) => {
    const r = await runCliInProcess(args as string[]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it("analyzes NVDLA-style cores with the exact model the RTL equals, and NVDLA's estimator beside it", async () => {
    const a = JSON.parse(
      (await runCliInProcess(['analyze', '--net', 'lenet5', '--config', 'nv_small', '--format', 'json'])).stdout,
    );
    const s = JSON.parse(
      (await runCliInProcess(['sim', '--net', 'lenet5', '--config', 'nv_small', '--format', 'json'])).stdout,
    );
    expect(a.totals.cycles).toBe(s.totals.rtlCycles);
    expect(a.layers.map((l: { cycles: number }) => l.cycles)).toEqual(
      s.layers.map((l: { rtlCycles: number }) => l.rtlCycles),
    );
    expect(a.layers.map((l: { estimatorCycles: number }) => l.estimatorCycles)).toEqual(
      s.layers.map((l: { referenceCycles: number }) => l.referenceCycles),
    );
  });

  it.each([
    ['test/fixtures/configs/sa-8x8-os-dram4.yaml', ['IFMAP', 'FILTER', 'OFMAP']],
    ['test/fixtures/configs/nv_small-dram4.yaml', ['feature', 'weight', 'output']],
  ])(
    'with a memory system (%s) shows compute cycles, stalls by cause and DRAM words read and written per layer',
    async (config, causes) => {
      const doc = JSON.parse(
        (await runCliInProcess(['analyze', '--net', 'lenet5', '--config', config, '--format', 'json'])).stdout,
      );
      type Layer = {
        cycles: number;
        computeCycles: number;
        stallCycles: number;
        stallsByCause: Record<string, number>;
        dramWords: number;
        dramReadWords: number;
        dramWrittenWords: number;
      };
      const layers = doc.layers as Layer[];
      expect(layers).toHaveLength(5);
      for (const l of layers) {
        expect(Object.keys(l.stallsByCause)).toEqual(causes);
        const stalls = Object.values(l.stallsByCause).reduce((a, b) => a + b, 0);
        expect(stalls).toBe(l.stallCycles);
        expect(l.computeCycles + stalls).toBe(l.cycles);
        expect(l.dramReadWords + l.dramWrittenWords).toBe(l.dramWords);
      }
      // LeNet-5's fully connected layers wait for their weights at 4 words per cycle: FILTER / weight stalls.
      expect(layers[2]!.stallsByCause[causes[1]!]).toBeGreaterThan(layers[2]!.computeCycles);
      // The existing per-kind fields stay beside the new ones.
      const kindFields = (l: Record<string, unknown>) =>
        'stallIfmapCycles' in l
          ? [l.stallIfmapCycles, l.stallFilterCycles, l.stallOfmapCycles]
          : Object.values(l.memory as object).slice(0, 3);
      for (const l of doc.layers) expect(kindFields(l)).toEqual(Object.values(l.stallsByCause));
      const table = (await runCliInProcess(['analyze', '--net', 'lenet5', '--config', config, '--full'])).stdout;
      const lines = table.split('\n');
      // Columns by the rule under the header (cells may be blank in the totals row).
      const spans = [...lines[2]!.matchAll(/-+/g)].map((m) => [m.index, m.index + m[0].length] as const);
      const header = spans.map(([a, b]) => lines[1]!.slice(a, b).trim());
      for (const h of ['compute', ...causes.map((c) => `stall ${c}`), 'DRAM read', 'DRAM written'])
        expect(header).toContain(h);
      const cell = (row: string, h: string) => {
        const [a, b] = spans[header.indexOf(h)]!;
        return Number(row.slice(a, b).trim().replace(/,/g, ''));
      };
      const fc1 = lines.find((x) => x.startsWith('fc1 '))!;
      expect(cell(fc1, 'compute')).toBe(layers[2]!.computeCycles);
      expect(cell(fc1, `stall ${causes[1]}`)).toBe(layers[2]!.stallsByCause[causes[1]!]);
      expect(cell(fc1, 'DRAM written')).toBe(layers[2]!.dramWrittenWords);
      const total = lines.find((x) => x.startsWith('total '))!;
      const sum = (f: (l: Layer) => number) => layers.reduce((a, l) => a + f(l), 0);
      expect(cell(total, `stall ${causes[0]}`)).toBe(sum((l) => l.stallsByCause[causes[0]!]!));
      expect(cell(total, 'DRAM read')).toBe(sum((l) => l.dramReadWords));
    },
  );

  it('splits DRAM words into read and written with an ideal memory too, and has no stalls by cause there', async () => {
    for (const config of ['sa-8x8-ws', 'nv_small']) {
      const doc = JSON.parse(
        (await runCliInProcess(['analyze', '--net', 'lenet5', '--config', config, '--format', 'json'])).stdout,
      );
      for (const l of doc.layers) {
        expect(l.dramReadWords + l.dramWrittenWords).toBe(l.dramWords);
        expect(l.dramWrittenWords).toBeGreaterThan(0);
        expect(l).not.toHaveProperty('stallsByCause');
      }
    }
  });

  it('names the file and line of a bad topology row', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(
      file,
      'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nc1, 32, 32, 5, 5, 1, 6, 0,\n',
    );
    const r = await runCliInProcess(['analyze', '--net', file, '--config', 'sa-8x8-os']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv, line 2: Strides: expected a positive number, received 0/);
  });
});

describe('other commands', () => {
  it('nets lists the zoo with MAC counts', async () => {
    const r = await runCliInProcess(['nets', '--format', 'json']);
    expect(JSON.parse(r.stdout).map((n: { name: string; macs: number }) => [n.name, n.macs])).toEqual([
      ['lenet5', 416_520],
      ['alexnet', 714_188_480],
      ['efficientnet_b0', 385_814_752],
      ['resnet18', 1_814_073_344],
      ['resnet50', 4_089_184_256],
      ['mobilenet_v2', 300_774_272],
      ['vgg16', 15_470_264_320],
      ['googlenet', 1_498_376_192],
      ['yolo_tiny', 3_485_520_896],
      ['bert_base', 931_135_488],
      ['vit_b16', 1_453_954_560],
    ]);
    const bad = await runCliInProcess(['nets', '--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'xml' is invalid\. Allowed choices are table, json/);
  });
  it('export writes a SCALE-Sim topology that analyze reads back to the same cycles', async () => {
    const file = join(dir, 'effnet.csv');
    expect((await runCliInProcess(['export', '--net', 'efficientnet_b0', '--out', file])).code).toBe(0);
    const a = JSON.parse(
      (
        await runCliInProcess([
          'analyze',
          '--net',
          file,
          '--config',
          'sa-16x16-ws',
          '--compat',
          'scalesim',
          '--format',
          'json',
        ])
      ).stdout,
    );
    const b = JSON.parse(
      (
        await runCliInProcess([
          'analyze',
          '--net',
          'efficientnet_b0',
          '--config',
          'sa-16x16-ws',
          '--compat',
          'scalesim',
          '--format',
          'json',
        ])
      ).stdout,
    );
    expect(a.totals.cycles).toBe(b.totals.cycles);
  });
  it('configs lists the presets', async () => {
    const r = await runCliInProcess(['configs']);
    expect(r.stdout).toMatch(/nv_small .* nvdla atomic-C 8 x atomic-K 8 int8/);
    expect(r.stdout).toMatch(/sa-32x32-ws .*configs\/sa-32x32-ws\.toml/);
  });
});

describe('main(argv) in process and the executable', () => {
  it("starts each call with no exit code of its own and gives the caller's back", async () => {
    process.exitCode = 1; // as a failed command before it would leave it
    try {
      const ok = await runCliInProcess(['configs']);
      expect(ok.code).toBe(0);
      expect(process.exitCode).toBe(1);
      const bad = await runCliInProcess(['nets', '--format', 'xml']);
      expect(bad.code).toBe(2);
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = undefined;
    }
  });

  it('src/cli/main.ts, the executable, runs the same program and exits with its code', async () => {
    const r = await runCliInProcess(['nets', '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'xml' is invalid\. Allowed choices are table, json/);
    expect(r.stdout).toBe('');
    const ok = await runCliInProcess(['nets']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe((await runCliInProcess(['nets'])).stdout);
  });
});
