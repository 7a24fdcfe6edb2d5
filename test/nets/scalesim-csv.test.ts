import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { macLayers, shapeText } from '../../src/nets/ir.js';
import {
  expandDepthwise,
  exportRows,
  formatTopology,
  loadScaleSimCsv,
  parseScaleSimCsv,
  TOPOLOGY_HEADER,
} from '../../src/nets/scalesim-csv.js';
import { alexnet, efficientnetB0, lenet5 } from '../../src/nets/zoo.js';

const REF = '/work/shared/reference/topologies';
const dir = mkdtempSync(join(tmpdir(), 'mactile-csv-'));
const csv = (name: string, body: string) => {
  const p = join(dir, name);
  writeFileSync(p, `${TOPOLOGY_HEADER}\n${body}`);
  return p;
};

describe('SCALE-Sim topology CSV', () => {
  it('loads SCALE-Sim\'s own LeNet-5 and AlexNet files unchanged', () => {
    const lenet = loadScaleSimCsv(`${REF}/lenet5.csv`);
    expect(lenet.scalesimRows.map((r) => r.name)).toEqual(['Conv1', 'Conv2', 'FC1', 'FC2', 'FC3']);
    expect(macLayers(lenet).map((l) => shapeText(l.outShape))).toEqual(['28x28x6', '10x10x16', '1x1x120', '1x1x84', '1x1x10']);
    const alex = loadScaleSimCsv(`${REF}/alexnet.csv`);
    expect(alex.scalesimRows[0]).toMatchObject({ name: 'Conv1', ifmapH: 224, filterH: 11, channels: 3, numFilter: 96, strideH: 4 });
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
    expect(expandDepthwise(parseScaleSimCsv(`${TOPOLOGY_HEADER}\nconvdp, 8, 8, 3, 3, 5, 1, 1,\n`, 'x.csv').rows)).toHaveLength(1);
  });

  it('reads GEMM files as H=M, W=K, 1xK filters', () => {
    const { rows, gemm } = parseScaleSimCsv('Layer, M, N, K,\ng1, 100, 30, 64,\n', 'g.csv');
    expect(gemm).toBe(true);
    expect(rows[0]).toMatchObject({ ifmapH: 100, ifmapW: 64, filterH: 1, filterW: 64, channels: 1, numFilter: 30 });
  });

  it.each([
    ['c1, 32, 32, 5, 5, 1, 6,\n', /line 2: expected 8 fields .* received 7 field/],
    ['c1, 32, 32, 5, 5, 1, 6, 1\n', /line 2: expected 8 fields .* and a trailing comma/],
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

  it('names a missing file', () => {
    expect(() => loadScaleSimCsv(join(dir, 'absent.csv'))).toThrow(/absent\.csv: cannot read it \(ENOENT\)/);
  });

  it('exports networks with padding applied and depthwise as DP rows, and reads them back to the same GEMMs', () => {
    for (const net of [lenet5(), alexnet(), efficientnetB0()]) {
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
    expect(alexRows[0]).toMatchObject({ ifmapH: 227, ifmapW: 227, filterH: 11, channels: 3, numFilter: 64, strideH: 4 });
    const dw = exportRows(efficientnetB0()).find((r) => r.name.startsWith('s1.b1.dw'))!;
    expect(dw).toMatchObject({ name: 's1.b1.dw_DP', ifmapH: 114, channels: 32, numFilter: 1 });
  });
});
