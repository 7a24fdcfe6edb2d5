import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { macLayers, networkMacs, shapeText } from '../../src/nets/ir.js';
import {
  expandDepthwise,
  exportRows,
  formatTopology,
  loadScaleSimCsv,
  parseScaleSimCsv,
  TOPOLOGY_HEADER,
} from '../../src/nets/scalesim-csv.js';
import {
  alexnet,
  bertBase,
  efficientnetB0,
  googlenet,
  lenet5,
  mobilenetV2,
  resnet50,
  yoloTiny,
} from '../../src/nets/zoo/index.js';
import { projectRoot } from '../../src/util/paths.js';

const REF = join(projectRoot(), '..', 'shared', 'reference', 'topologies');
if (!existsSync(REF))
  throw new Error(`${REF} is missing: these tests read SCALE-Sim's topology files from ../shared/reference/topologies`);
const parse = (body: string, header = TOPOLOGY_HEADER) => parseScaleSimCsv(`${header}\n${body}`, 'x.csv');
const dir = mkdtempSync(join(tmpdir(), 'mactile-csv-'));
const csv = (name: string, body: string) => {
  const p = join(dir, name);
  writeFileSync(p, `${TOPOLOGY_HEADER}\n${body}`);
  return p;
};

describe('SCALE-Sim topology CSV', () => {
  it("loads SCALE-Sim's own LeNet-5 and AlexNet files unchanged", () => {
    const lenet = loadScaleSimCsv(`${REF}/lenet5.csv`);
    expect(lenet.scalesimRows.map((r) => r.name)).toEqual(['Conv1', 'Conv2', 'FC1', 'FC2', 'FC3']);
    expect(macLayers(lenet).map((l) => shapeText(l.outShape))).toEqual([
      '28x28x6',
      '10x10x16',
      '1x1x120',
      '1x1x84',
      '1x1x10',
    ]);
    const alex = loadScaleSimCsv(`${REF}/alexnet.csv`);
    expect(alex.scalesimRows[0]).toMatchObject({
      name: 'Conv1',
      ifmapH: 224,
      filterH: 11,
      channels: 3,
      numFilter: 96,
      strideH: 4,
    });
    // SCALE-Sim's ceiling rule: (224 - 11 + 4) / 4 = 54.25 -> 55 outputs, the last window partly outside.
    expect(macLayers(alex)[0]!.outShape).toEqual({ h: 55, w: 55, c: 96 });
    expect(macLayers(alex)[0]!.pad).toEqual({ top: 0, left: 0, bottom: 3, right: 3 });
  });

  it('drops the last field of every row, reads a 9th column as the horizontal stride', () => {
    const { rows } = parseScaleSimCsv(`${TOPOLOGY_HEADER}\nc1, 9, 12, 3, 3, 2, 4, 2, 3,\n`, 'x.csv');
    expect(rows[0]).toMatchObject({ strideH: 2, strideW: 3 });
  });

  it('splits DP rows into one single-channel layer per channel', () => {
    const { rows } = parseScaleSimCsv(`${TOPOLOGY_HEADER}\nconvDP, 8, 8, 3, 3, 5, 1, 1,\n`, 'x.csv');
    const split = expandDepthwise(rows);
    expect(split).toHaveLength(5);
    expect(split.every((r) => r.channels === 1 && r.numFilter === 1)).toBe(true);
    expect(split.map((r) => r.name)).toEqual(['convDP_0', 'convDP_1', 'convDP_2', 'convDP_3', 'convDP_4']);
    // `DP` is case-sensitive in SCALE-Sim.
    expect(
      expandDepthwise(parseScaleSimCsv(`${TOPOLOGY_HEADER}\nconvdp, 8, 8, 3, 3, 5, 1, 1,\n`, 'x.csv').rows),
    ).toHaveLength(1);
  });

  it('reads GEMM files as H=M, W=K, 1xK filters', () => {
    const { rows, gemm } = parseScaleSimCsv('Layer, M, N, K,\ng1, 100, 30, 64,\n', 'g.csv');
    expect(gemm).toBe(true);
    expect(rows[0]).toMatchObject({ ifmapH: 100, ifmapW: 64, filterH: 1, filterW: 64, channels: 1, numFilter: 30 });
  });

  it.each([
    ['c1, 32, 32, 5, 5, 1, 6,\n', /line 2: expected 8 fields .* received 7 field/],
    [
      'c1, 32, 32, 5, 5, 1, 6, 1, 2\n',
      /line 2: the row does not end with a comma, and SCALE-Sim drops the last field of every row: it would not read "2" \(column 9\); end the row with a comma/,
    ],
    ['c1, 32, 32, 5, 5, 1, 6, 1.0,\n', /line 2: Strides: expected a whole number, received "1\.0"/],
    ['c1, 32, 32, 5, 5, 1, 6, +1,\n', /line 2: Strides: expected a whole number, received "\+1"/],
    ['c1, 32, 32, 5, 5, 1e1, 6, 1,\n', /line 2: Channels: expected a whole number, received "1e1"/],
    [
      'c1, 32, 32, 5, 5, 1, 6, 1, 1:4,\n',
      /line 2: column 9 \(no header; SCALE-Sim v2 reads it as the horizontal stride, v3 as a sparsity ratio\): expected a whole number, received "1:4"/,
    ],
    [
      'c1, 32, 32, 5, 5, 1, 6, 1, 1, 7,\n',
      /line 2: column 10: expected no value \(the header names 8 columns\), received "7"/,
    ],
    ['c1\t32\t32\t5\t5\t1\t6\t1\t\n', /line 2: the fields are separated by TABs/],
    ['c1, 32, 32, 5, 5,\n', /line 2: expected 8 fields .* received 5 field/],
    ['c1, 32, x, 5, 5, 1, 6, 1,\n', /line 2: IFMAP Width: expected a whole number, received "x"/],
    ['c1, 32, 32, 5, 5, 1, 6, 0,\n', /line 2: Strides: expected a positive number, received 0/],
    ['c1, 0, 32, 5, 5, 1, 6, 1,\n', /line 2: IFMAP Height: expected a positive number, received 0/],
    ['c1, 4, 4, 5, 5, 1, 6, 1,\n', /line 2: layer c1: filter 5x5 is larger than its input 4x4/],
    [', 4, 4, 1, 1, 1, 6, 1,\n', /line 2: expected a layer name/],
    ['\n', /expected at least one layer row/],
  ])('rejects a bad row %j naming file and line', (body, message) => {
    const file = csv('bad.csv', body);
    expect(() => loadScaleSimCsv(file)).toThrow(message);
    expect(() => loadScaleSimCsv(file)).toThrow(/^topology .*bad\.csv/);
  });

  it('ignores a BOM, reads CRLF, skips blank lines, rows of commas and section rows, and says so', () => {
    const { rows, notes } = parseScaleSimCsv(
      `\uFEFF${TOPOLOGY_HEADER}\r\n\r\n,,,,,,,,\r\nNet A,\r\nc1, 32, 32, 5, 5, 1, 6, 1,\r\nc2, 28, 28, 5, 5, 6, 16, 1,#a comment\r\n`,
      'x.csv',
    );
    expect(rows.map((r) => [r.name, r.line])).toEqual([
      ['c1', 5],
      ['c2', 6],
    ]);
    expect(notes).toEqual([
      'line 4: section row "Net A" (a name and no values): skipped',
      'line 3: a row of commas only: skipped (SCALE-Sim fails on it)',
    ]);
  });

  it('reads an 8-field row without its trailing comma (which SCALE-Sim cannot) and notes it', () => {
    const { rows, notes } = parse('c1, 32, 32, 5, 5, 1, 6, 2\nc2, 8, 8, 1, 1, 6, 6, 1', TOPOLOGY_HEADER.slice(0, -1));
    expect(rows.map((r) => [r.name, r.strideH, r.strideW])).toEqual([
      ['c1', 2, 2],
      ['c2', 1, 1],
    ]);
    expect(notes).toEqual([
      'lines 2, 3: no trailing comma; SCALE-Sim drops the last field of every row and fails on these rows, mactile reads all 8 fields',
    ]);
  });

  it.each([
    ['Layer name,Ifmap height,ifmap width,filter height,filter width,channel,num filters,strides,', []],
    [
      'Layer name,\u00a0IFMAP Height,\u00a0IFMAP Width,\u00a0Filter Height,\u00a0Filter Width,\u00a0Channels,\u00a0Num Filter,\u00a0Strides,',
      [],
    ],
    [
      'Layer, IFMAP Width, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,',
      [
        'line 1: column 2 is headed "IFMAP Width" like column 3; it is read as IFMAP Height, by position, as SCALE-Sim reads it',
      ],
    ],
    [
      'Layer name, IFMAP Hieght, IFMAP Width, Filter Height, Filter Widht, Channels, Num Filter, Strides,',
      [
        'line 1: column 2 header "IFMAP Hieght" is read as IFMAP Height',
        'line 1: column 5 header "Filter Widht" is read as Filter Width',
      ],
    ],
    [
      'Layer name,IFMAP height,IFMAP width,Filter height,Filter width,Channels,Num filter,Stride height,Stride width,',
      [],
    ],
  ])('reads the header %j by position', (header, notes) => {
    const r = parse('c1, 9, 12, 3, 2, 2, 4, 2, 3,\n', header);
    expect(r.rows[0]).toMatchObject({ ifmapH: 9, ifmapW: 12, filterH: 3, filterW: 2, strideH: 2, strideW: 3 });
    expect(r.notes.filter((n) => n.startsWith('line 1'))).toEqual(notes);
  });

  it.each([
    [
      'Layer name, IFMAP Width, IFMAP Height, Filter Height, Filter Width, Channels, Num Filter, Strides,',
      /line 1: column 2 is "IFMAP Width", where SCALE-Sim reads IFMAP Height: SCALE-Sim reads the columns by position .*; put them in that order/,
    ],
    [
      'Layer, M, K, N,',
      /line 1: column 3 is "K", where SCALE-Sim reads N: SCALE-Sim reads the columns by position \(Layer, M, N, K\)/,
    ],
    [
      'Layer name, IFMAP Height, IFMAP Width, Kernel, Filter Width, Channels, Num Filter, Strides,',
      /line 1: column 4: expected the header "Filter Height" .*, received "Kernel"/,
    ],
    [
      'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides, Padding,',
      /line 1: column 9: expected no further columns after Strides, or one of Stride Width, Sparsity, Batch Size, received "Padding"/,
    ],
    [
      'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter,',
      /line 1: expected the header .* received 7 column\(s\)/,
    ],
    [
      'c0, 32, 32, 5, 5, 1, 6, 1,',
      /line 1: expected a header line .* received a layer row "c0, 32, 32, 5, 5, 1, 6, 1," \(SCALE-Sim skips the first line, so its first layer would be lost\)/,
    ],
    ['', /line 1: expected a header line .* received an empty line/],
    [
      'Layer name\tIFMAP Height\tIFMAP Width',
      /line 1: the fields are separated by TABs; SCALE-Sim reads comma-separated values only \(replace the TABs by commas\)/,
    ],
  ])('refuses the header %j', (header, message) => {
    expect(() => parse('c1, 32, 32, 5, 5, 1, 6, 1,\n', header)).toThrow(message);
  });

  it('reads v3 Sparsity and Batch Size columns when dense and batch 1, refuses anything else', () => {
    const sparse = `${TOPOLOGY_HEADER} Sparsity,`;
    expect(
      parse('c1, 8, 8, 3, 3, 2, 4, 1, 1:1,\nc2, 8, 8, 3, 3, 2, 4, 1, 4:4,\nc3, 8, 8, 3, 3, 2, 4, 1,\n', sparse).rows,
    ).toHaveLength(3);
    expect(() => parse('c1, 8, 8, 3, 3, 2, 4, 1, 2:4,\n', sparse)).toThrow(
      /line 2: Sparsity: mactile models dense layers only, received "2:4"/,
    );
    expect(() => parse('c1, 8, 8, 3, 3, 2, 4, 1, 5:4,\n', sparse)).toThrow(
      /line 2: Sparsity: expected a ratio N:M with 1 <= N <= M, received "5:4"/,
    );
    const gemm = parseScaleSimCsv('Layer Name, M, N, K, Sparsity,\ng1, 3, 5, 16, 1:1,\n', 'g.csv');
    expect(gemm.rows[0]).toMatchObject({ ifmapH: 3, ifmapW: 16, numFilter: 5 });
    const batch = `${TOPOLOGY_HEADER} Batch Size,`;
    const b = parse('c1, 8, 8, 3, 3, 2, 4, 2, 1,\n', batch);
    // The 9th column is the batch here, not the horizontal stride (which SCALE-Sim v2 would take it for).
    expect(b.rows[0]).toMatchObject({ strideH: 2, strideW: 2 });
    expect(b.notes[0]).toMatch(/^column 9 Batch Size: batch 1 throughout/);
    expect(() => parse('c1, 8, 8, 3, 3, 2, 4, 1, 4,\n', batch)).toThrow(
      /line 2: Batch Size: expected 1 \(mactile models batch 1; SCALE-Sim reads no batch size/,
    );
  });

  it('renames repeated layer names, keeping the DP rule on the name as written', () => {
    const { rows, notes } = parse(
      'c, 8, 8, 1, 1, 2, 2, 1,\nc, 8, 8, 1, 1, 2, 2, 1,\nc#2, 8, 8, 1, 1, 2, 2, 1,\nc, 8, 8, 1, 1, 2, 2, 1,\nxDP, 8, 8, 3, 3, 4, 1, 1,\nxDP, 8, 8, 3, 3, 4, 1, 1,\n',
    );
    expect(rows.map((r) => r.name)).toEqual(['c', 'c#2', 'c#2#2', 'c#3', 'xDP', 'xDP#2']);
    expect(expandDepthwise(rows)).toHaveLength(4 + 4 + 4);
    expect(notes).toEqual([
      'lines 2, 3, 5: layer name "c" is used 3 times; the repeats are called "c#2" and "c#3"',
      'line 4: layer name "c#2" is already the name of a renamed repeat; this layer is called "c#2#2"',
      'lines 6, 7: layer name "xDP" is used 2 times; the repeats are called "xDP#2"',
    ]);
    expect(
      loadScaleSimCsv(csv('dup.csv', 'c, 8, 8, 1, 1, 2, 2, 1,\nc, 8, 8, 1, 1, 2, 2, 1,\n')).layers.map((l) => l.name),
    ).toEqual(['c', 'c#2']);
  });

  it('names a missing file', () => {
    expect(() => loadScaleSimCsv(join(dir, 'absent.csv'))).toThrow(/absent\.csv: cannot read it \(ENOENT\)/);
  });

  it('exports networks with padding applied and depthwise as DP rows, and reads them back to the same GEMMs', () => {
    for (const net of [lenet5(), alexnet(), efficientnetB0(), resnet50(), mobilenetV2(), googlenet(), yoloTiny()]) {
      const text = formatTopology(exportRows(net));
      const back = loadScaleSimCsv(csv(`${net.name}.csv`, text.split('\n').slice(1).join('\n')));
      const orig = macLayers(net);
      const again = macLayers(back);
      expect(again).toHaveLength(orig.length);
      orig.forEach((l, i) => {
        const b = again[i]!;
        expect(shapeText(b.outShape), l.name).toBe(shapeText(l.outShape));
        expect(b.groups, l.name).toBe(l.groups);
      });
    }
    const alexRows = exportRows(alexnet());
    // The padded AlexNet conv1 input is the famous 227x227 (224 + 2 + 2, minus the column no window reaches).
    expect(alexRows[0]).toMatchObject({
      ifmapH: 227,
      ifmapW: 227,
      filterH: 11,
      channels: 3,
      numFilter: 64,
      strideH: 4,
    });
    // A grouped convolution that is not depthwise (an encoder's per-head products) is one row per group.
    const bert = exportRows(bertBase());
    expect(bert.filter((r) => r.name.startsWith('attn.qk_g'))).toHaveLength(12);
    expect(bert).toHaveLength(6 + 2 * 12);
    expect(networkMacs(loadScaleSimCsv(csv('bert.csv', formatTopology(bert).split('\n').slice(1).join('\n'))))).toBe(
      networkMacs(bertBase()),
    );
    const dw = exportRows(efficientnetB0()).find((r) => r.name.startsWith('s1.b1.dw'))!;
    expect(dw).toMatchObject({ name: 's1.b1.dw_DP', ifmapH: 114, channels: 32, numFilter: 1 });
  });
});
