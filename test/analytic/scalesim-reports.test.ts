/**
 * SCALE-Sim v2.0.2's report files, byte for byte: headers, the LeNet-5 conv1 rows of the reference run,
 * Python's float text, and the three reports of 75 runs of a faithful port of SCALE-Sim (fixture
 * test/fixtures/scalesim/port-expected.json, see the README there) over layers that take the hard paths:
 * group boundaries on IFMAP and FILTER, OFMAP drains with 1-3 kB SRAMs, windows outside the image, stride
 * larger than the kernel, rectangular strides, a DP split, FC layers, 8x1 and 1x6 arrays, USER mode with
 * Bandwidth 1, 2, 3 and 10, and write stalls.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeNetwork } from '../../src/accel/systolic/model.js';
import { scaleSimLayer } from '../../src/analytic/scalesim-geometry.js';
import { userModeRun } from '../../src/analytic/scalesim-user.js';
import { validateConfig } from '../../src/config/load.js';
import type { Dataflow, SystolicConfig } from '../../src/config/schema.js';
import { expandDepthwise, loadScaleSimCsv } from '../../src/nets/scalesim-csv.js';
import {
  BANDWIDTH_REPORT_HEADER, COMPUTE_REPORT_HEADER, DETAILED_ACCESS_REPORT_HEADER, pythonFloat, scaleSimReportTexts, writeScaleSimReports,
} from '../../src/report/scalesim-reports.js';
import { MactileError } from '../../src/util/errors.js';

const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));

interface PortCase {
  command: string;
  topology: string;
  rows: number;
  cols: number;
  dataflow: Dataflow;
  mode: 'CALC' | 'USER';
  bandwidth: number | null;
  sram: [number, number, number];
  ofmapStallMinusOne: boolean;
  compute: string[];
  bandwidthReport: string[];
  detailed: string[];
}
const portCases = JSON.parse(readFileSync(fixture('scalesim/port-expected.json'), 'utf8')) as PortCase[];

function configOf(c: Pick<PortCase, 'rows' | 'cols' | 'dataflow' | 'mode' | 'bandwidth' | 'sram'>): SystolicConfig {
  return validateConfig({
    kind: 'systolic', rows: c.rows, cols: c.cols, dataflow: c.dataflow,
    sram: { ifmap_kb: c.sram[0], filter_kb: c.sram[1], ofmap_kb: c.sram[2] },
    dram: { bandwidth: c.mode === 'CALC' ? 'calc' : c.bandwidth! },
  }, `port-${c.rows}x${c.cols}-${c.dataflow}`) as SystolicConfig;
}
const dataRows = (text: string) => text.trimEnd().split('\n').slice(1);

describe('Python float text', () => {
  it.each([
    [75, '75.0'], [-131, '-131.0'], [1e-5, '1e-05'], [1.5e16, '1.5e+16'], [48.089505365087675, '48.089505365087675'],
    [0, '0.0'], [0.0001, '0.0001'], [0.00012345, '0.00012345'], [1e16, '1e+16'], [9999999999999998, '9999999999999998.0'],
    [123456789012345.6, '123456789012345.6'], [0.1, '0.1'], [2.5e-7, '2.5e-07'], [1.7976931348623157e308, '1.7976931348623157e+308'],
    [5e-324, '5e-324'], [-2.272727272727273, '-2.272727272727273'], [3275, '3275.0'], [1e100, '1e+100'],
    [NaN, 'nan'], [Infinity, 'inf'], [-Infinity, '-inf'],
  ])('%s prints as %s', (x, text) => {
    expect(pythonFloat(x)).toBe(text);
  });
});

describe('SCALE-Sim report files', () => {
  const lenet = loadScaleSimCsv(fixture('topologies/lenet5.csv'));
  const perf = analyzeNetwork(lenet, configOf({ rows: 8, cols: 8, dataflow: 'os', mode: 'CALC', bandwidth: null, sram: [64, 64, 64] }), 'scalesim');
  const texts = scaleSimReportTexts(perf);

  it('starts each file with SCALE-Sim v2.0.2\'s header line (19 DETAILED columns), trailing comma included', () => {
    expect(texts['COMPUTE_REPORT.csv']!.split('\n')[0]).toBe('LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,');
    expect(texts['BANDWIDTH_REPORT.csv']!.split('\n')[0]).toBe(
      'LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,');
    expect(texts['DETAILED_ACCESS_REPORT.csv']!.split('\n')[0]).toBe(
      'LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, SRAM Filter Start Cycle, SRAM Filter Stop Cycle, ' +
      'SRAM Filter Reads, SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, ' +
      'DRAM IFMAP Reads, DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, ' +
      'DRAM OFMAP Writes,');
    expect(DETAILED_ACCESS_REPORT_HEADER.split(', ')).toHaveLength(19);
    expect([COMPUTE_REPORT_HEADER, BANDWIDTH_REPORT_HEADER, DETAILED_ACCESS_REPORT_HEADER].every((h) => h.endsWith(','))).toBe(true);
  });

  it('reproduces the LeNet-5 conv1 rows of 8x8 os (CALC) exactly', () => {
    expect(dataRows(texts['COMPUTE_REPORT.csv']!)[0]).toBe('0, 3821, 0, 48.089505365087675, 75.0, 48.07692307692313,');
    expect(dataRows(texts['BANDWIDTH_REPORT.csv']!)[0]).toBe(
      '0, 5.129547238942685, 3.847160429207014, 1.6414551164616593, 7.816793893129771, 2.272727272727273, 8.0,');
    expect(dataRows(texts['DETAILED_ACCESS_REPORT.csv']!)[0]).toBe(
      '0, 1.0, 3815.0, 19600, 1.0, 3813.0, 14700, 24.0, 3819.0, 6272, -131.0, -1.0, 1024, -66.0, -1.0, 150, 3821.0, 4408.0, 4704,');
  });

  it('writes one row per simulated layer, a DP row split per channel, LayerID from 0, every line ending ",\\n"', () => {
    const hard = loadScaleSimCsv(fixture('scalesim/hard.csv'));
    const t = scaleSimReportTexts(analyzeNetwork(hard, configOf({ rows: 8, cols: 8, dataflow: 'ws', mode: 'CALC', bandwidth: null, sram: [64, 64, 64] }), 'scalesim'));
    const parts = expandDepthwise(hard.scalesimRows).length;
    expect(parts).toBe(hard.scalesimRows.length + 2);
    for (const text of Object.values(t)) {
      expect(text.endsWith(',\n')).toBe(true);
      expect(dataRows(text).map((l) => l.split(', ')[0])).toEqual(Array.from({ length: parts }, (_, i) => String(i)));
    }
  });

  it('writes COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv into a new folder', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mactile-scalesim-')), 'run', 'nested');
    const files = writeScaleSimReports(perf, dir);
    expect(files).toEqual(['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv'].map((f) => join(dir, f)));
    for (const f of files) expect(readFileSync(f, 'utf8')).toBe(texts[f.slice(dir.length + 1)]);
  });

  it('refuses an analysis in mactile\'s own model, which has no SCALE-Sim layers', () => {
    const own = analyzeNetwork(lenet, perf.config, 'mactile');
    expect(() => writeScaleSimReports(own, mkdtempSync(join(tmpdir(), 'mactile-scalesim-')))).toThrow(MactileError);
  });
});

describe('reports equal a faithful port of SCALE-Sim v2.0.2', () => {
  it.each(portCases.filter((c) => !c.ofmapStallMinusOne).map((c) => [c.command, c] as const))('%s', (_, c) => {
    const net = loadScaleSimCsv(fixture(c.topology));
    const t = scaleSimReportTexts(analyzeNetwork(net, configOf(c), 'scalesim'));
    expect(dataRows(t['COMPUTE_REPORT.csv']!)).toEqual(c.compute);
    expect(dataRows(t['BANDWIDTH_REPORT.csv']!)).toEqual(c.bandwidthReport);
    expect(dataRows(t['DETAILED_ACCESS_REPORT.csv']!)).toEqual(c.detailed);
  });

  it.each(portCases.filter((c) => c.ofmapStallMinusOne).map((c) => [c.command, c] as const))(
    'the older OFMAP stall term (ofmap_out - cycle - 1): %s', (_, c) => {
      const net = loadScaleSimCsv(fixture(c.topology));
      const words = { ifmap: c.sram[0] * 1024, filter: c.sram[1] * 1024, ofmap: c.sram[2] * 1024 };
      const got = expandDepthwise(net.scalesimRows).map((row, id) => {
        const u = userModeRun(scaleSimLayer(row, configOf(c)), words, c.bandwidth!, true);
        const w = (x: { start: number; stop: number }) => [pythonFloat(x.start), pythonFloat(x.stop)];
        return {
          compute: [id, u.totalCycles, u.stallCycles].join(', '),
          windows: [...w(u.sram.ifmap), ...w(u.sram.filter), ...w(u.sram.ofmap), ...w(u.ifmap), String(u.ifmap.words), ...w(u.filter), String(u.filter.words), ...w(u.ofmap), String(u.ofmap.words)].join(', '),
        };
      });
      expect(got.map((g) => g.compute)).toEqual(c.compute.map((l) => l.split(', ').slice(0, 3).join(', ')));
      const expected = c.detailed.map((l) => {
        const f = l.split(', ');
        return [f[1], f[2], f[4], f[5], f[7], f[8], ...f.slice(10, 19)].join(', ').replace(/,$/, '');
      });
      expect(got.map((g) => g.windows)).toEqual(expected);
      // the variants really differ on these runs
      const now = scaleSimReportTexts(analyzeNetwork(net, configOf(c), 'scalesim'));
      expect(dataRows(now['COMPUTE_REPORT.csv']!)).not.toEqual(c.compute);
    });
});
