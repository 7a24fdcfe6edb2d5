/**
 * SCALE-Sim v2.0.2 compatibility of the analytic model: every published reference figure
 * (/work/shared/reference/scalesim.md, copied topologies in test/fixtures/topologies), and the shortcuts the
 * memory model takes (closed forms, circle map, bulk OFMAP stores) against the plain walks they replace.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeNetwork, analyzeRowScaleSim, type NetworkPerf } from '../../src/accel/systolic/model.js';
import {
  bandCount,
  bandCum,
  bandRowOfEntry,
  distinctWords,
  ifmapEntriesDistinct,
  ofmapBand,
  foldOf,
  scaleSimLayer,
  type ScaleSimLayer,
} from '../../src/analytic/scalesim-geometry.js';
import { scaleSimMemory } from '../../src/analytic/scalesim-memory.js';
import {
  calcSets,
  circleMapWalk,
  filterWalkClosed,
  ifmapDistinctWalkClosed,
  walkStream,
} from '../../src/analytic/scalesim-read-calc.js';
import { OfmapStream, OfmapWriteBuffer, ofmapDramNoStalls } from '../../src/analytic/scalesim-write.js';
import { validateConfig } from '../../src/config/load.js';
import type { Dataflow, SystolicConfig } from '../../src/config/schema.js';
import { expandDepthwise, loadScaleSimCsv, parseScaleSimCsv, type ScaleSimRow } from '../../src/nets/scalesim-csv.js';
import { readFileSync } from 'node:fs';
import { efficientnetB0 } from '../../src/nets/zoo/index.js';
import { MactileError } from '../../src/util/errors.js';

const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const lenet = loadScaleSimCsv(fixture('topologies/lenet5.csv'));
const alexnet = loadScaleSimCsv(fixture('topologies/alexnet.csv'));
const hardRows = expandDepthwise(parseScaleSimCsv(readFileSync(fixture('scalesim/hard.csv'), 'utf8'), 'hard.csv').rows);

/** A SCALE-Sim config: shipped defaults (64 kB SRAMs, CALC) unless told otherwise. */
function cfg(
  rows: number,
  cols: number,
  dataflow: Dataflow,
  bandwidth: 'calc' | number = 'calc',
  kb: [number, number, number] = [64, 64, 64],
): SystolicConfig {
  return validateConfig(
    {
      kind: 'systolic',
      rows,
      cols,
      dataflow,
      sram: { ifmap_kb: kb[0], filter_kb: kb[1], ofmap_kb: kb[2] },
      dram: { bandwidth },
    },
    `scalesim-${rows}x${cols}-${dataflow}-${bandwidth}`,
  ) as SystolicConfig;
}
const cycles = (p: NetworkPerf) => p.layers.map((l) => l.cycles);

describe('SCALE-Sim reference figures (CALC mode, shipped default config)', () => {
  it.each([
    ['os', [3821, 4263, 6209, 1473, 195], 15961],
    ['ws', [3223, 4635, 17249, 3794, 505], 29406],
    ['is', [10975, 9385, 7099, 1589, 351], 29399],
  ] as const)('LeNet-5 on 8x8 %s: per-layer Total Cycles and their sum', (df, perLayer, total) => {
    const perf = analyzeNetwork(lenet, cfg(8, 8, df), 'scalesim');
    expect(cycles(perf)).toEqual(perLayer);
    expect(perf.totals.cycles).toBe(total);
    expect(perf.totals.stallCycles).toBe(0);
  });

  it.each([
    [16, 8404, 15053, 14957],
    [32, 5558, 8208, 8501],
    [128, 3718, 4423, 6373],
  ])('LeNet-5 totals on %ix%i: os %i, ws %i, is %i', (n, os, ws, is) => {
    expect([os, ws, is]).toEqual(
      (['os', 'ws', 'is'] as const).map((df) => analyzeNetwork(lenet, cfg(n, n, df), 'scalesim').totals.cycles),
    );
  });

  it('LeNet-5 on 8x8 os: overall utilisation and mapping efficiency per layer', () => {
    const perf = analyzeNetwork(lenet, cfg(8, 8, 'os'), 'scalesim');
    [48.0895, 87.9662, 12.0792, 10.6925, 6.7308].forEach((u, i) =>
      expect(perf.layers[i]!.overallUtil).toBeCloseTo(u, 4),
    );
    [75.0, 96.1538, 12.5, 11.9318, 7.8125].forEach((m, i) =>
      expect(perf.layers[i]!.mappingEfficiency).toBeCloseTo(m, 4),
    );
  });

  it('LeNet-5 conv1 on 8x8 os: DRAM words, activity windows and average bandwidths', () => {
    const conv1 = analyzeNetwork(lenet, cfg(8, 8, 'os'), 'scalesim').layers[0]!;
    expect(conv1.scalesimParts![0]!.dram).toEqual({
      ifmap: { words: 1024, start: -131, stop: -1 },
      filter: { words: 150, start: -66, stop: -1 },
      ofmap: { words: 4704, start: 3821, stop: 4408 },
    });
    expect(conv1.dramIfmapBw).toBeCloseTo(7.8168, 4);
    expect(conv1.dramFilterBw).toBeCloseTo(2.2727, 4);
    expect(conv1.dramOfmapBw).toBe(8.0);
  });

  it("LeNet-5 conv2 and fc1 on 8x8 os: whole sets before cycle 0, and a group boundary for fc1's 48,000 filter words", () => {
    const [, conv2, fc1] = analyzeNetwork(lenet, cfg(8, 8, 'os'), 'scalesim').layers.map(
      (l) => l.scalesimParts![0]!.dram,
    );
    expect(conv2).toEqual({
      ifmap: { words: 1176, start: -131, stop: -1 },
      filter: { words: 2400, start: -262, stop: -1 },
      ofmap: { words: 1600, start: 4263, stop: 4462 },
    });
    expect(fc1!.filter).toEqual({ words: 48000, start: -3275, stop: 4238 });
  });

  it.each([
    ['os', 67567],
    ['ws', 139901],
    ['is', 146717],
  ] as const)("AlexNet (SCALE-Sim's file) on 128x128 %s: %i total cycles", (df, total) => {
    const perf = analyzeNetwork(alexnet, cfg(128, 128, df), 'scalesim');
    expect(perf.totals.cycles).toBe(total);
    expect(perf.totals.macs).toBe(805_118_496);
    if (df === 'os') expect(perf.totals.overallUtil).toBeCloseTo(72.73, 2);
  });

  it('AlexNet conv1 on 128x128 os writes 290,527 OFMAP words: padded lines inside a drain count in full', () => {
    const conv1 = analyzeNetwork(alexnet, cfg(128, 128, 'os'), 'scalesim').layers[0]!;
    expect(conv1.m * conv1.n).toBe(290_400);
    expect(conv1.dramOfmapWords).toBe(290_527);
  });
});

describe('SCALE-Sim USER bandwidth mode', () => {
  it.each([
    ['os', [3821, 4263, 34733, 1473, 195]],
    ['ws', [3223, 4635, 38240, 3794, 505]],
    ['is', [10975, 9385, 35007, 1589, 351]],
  ] as const)('LeNet-5 on 8x8 %s with Bandwidth 1: fc1 waits for its filter prefetch', (df, perLayer) => {
    const perf = analyzeNetwork(lenet, cfg(8, 8, df, 1), 'scalesim');
    expect(cycles(perf)).toEqual(perLayer);
    const calc = analyzeNetwork(lenet, cfg(8, 8, df), 'scalesim');
    expect(perf.layers.map((l) => l.stallCycles)).toEqual(perf.layers.map((l, i) => l.cycles - calc.layers[i]!.cycles));
  });

  it('LeNet-5 fc1 on 8x8 os with Bandwidth 1 stalls 28,524 cycles: the miss at row 4243 waits for the prefetch ending at 32768', () => {
    expect(analyzeNetwork(lenet, cfg(8, 8, 'os', 1), 'scalesim').layers[2]!.stallCycles).toBe(28524);
  });

  it.each(['os', 'ws', 'is'] as const)('LeNet-5 on 8x8 %s with Bandwidth 10 takes the CALC cycles', (df) => {
    const user = analyzeNetwork(lenet, cfg(8, 8, df, 10), 'scalesim');
    expect(cycles(user)).toEqual(cycles(analyzeNetwork(lenet, cfg(8, 8, df), 'scalesim')));
    expect(user.totals.stallCycles).toBe(0);
  });

  it('rejects a fractional Bandwidth, which SCALE-Sim reads as a whole number of words per cycle', () => {
    const c = cfg(8, 8, 'os', 2.5);
    expect(() => analyzeNetwork(lenet, c, 'scalesim')).toThrow(MactileError);
    expect(() => analyzeNetwork(lenet, c, 'scalesim')).toThrow(/dram.bandwidth.*whole number.*received 2.5/);
  });
});

describe('SCALE-Sim memory model internals', () => {
  const arrays: [number, number][] = [
    [8, 8],
    [8, 1],
    [1, 6],
    [5, 3],
    [3, 7],
  ];
  const dataflows: Dataflow[] = ['os', 'ws', 'is'];
  const layers = (rows: ScaleSimRow[]) =>
    rows.flatMap((r) =>
      arrays.flatMap(([R, C]) => dataflows.map((df) => scaleSimLayer(r, { rows: R, cols: C, dataflow: df }))),
    );
  const extra = parseScaleSimCsv(
    'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n' +
      'A, 9, 9, 3, 3, 2, 5, 1,\nB, 11, 7, 1, 1, 6, 13, 1,\nC, 13, 13, 3, 3, 1, 3, 2,\nD, 1, 1, 1, 1, 37, 21, 1,\n',
    'extra.csv',
  ).rows;
  const all: ScaleSimLayer[] = layers([...hardRows, ...extra]);
  const groups = [37, 120, 500];

  it('band counts: bandCum is the running sum of bandCount, and bandRowOfEntry inverts it', () => {
    for (const b of [
      { lo: 0, hi: 9, width: 4 },
      { lo: 5, hi: 6, width: 8 },
      { lo: 3, hi: 3, width: 1 },
      { lo: 2, hi: 30, width: 30 },
    ]) {
      let sum = 0;
      for (let r = 0; r <= b.hi + b.width + 2; r++) {
        sum += bandCount(b, r);
        expect(bandCum(b, r)).toBe(sum);
      }
      for (let j = 0; j < sum; j++) expect(bandCum(b, bandRowOfEntry(b, j))).toBeGreaterThan(j);
      for (let j = 1; j < sum; j++) expect(bandCum(b, bandRowOfEntry(b, j) - 1)).toBeLessThanOrEqual(j);
    }
  });

  it('FILTER closed forms (os runs, ws single reads, is passes) equal the entry-by-entry walk whenever D >= G', () => {
    let checked = 0;
    for (const L of all)
      for (const g of groups) {
        if (distinctWords(L, 'filter') < g) continue;
        expect(filterWalkClosed(L, g)).toEqual(walkStream(L, 'filter', g));
        checked++;
      }
    expect(checked).toBeGreaterThan(100);
  });

  it('IFMAP closed form for distinct im2col entries (1x1, FC, stride >= kernel) equals the walk', () => {
    let checked = 0;
    for (const L of all)
      for (const g of groups) {
        if (!ifmapEntriesDistinct(L) || distinctWords(L, 'ifmap') < g) continue;
        expect(ifmapDistinctWalkClosed(L, g)).toEqual(walkStream(L, 'ifmap', g));
        checked++;
      }
    expect(checked).toBeGreaterThan(30);
  });

  it('the circle map over one pass of os/ws IFMAP equals walking all column folds', () => {
    let checked = 0;
    for (const L of all)
      for (const g of groups) {
        if (L.dataflow === 'is' || distinctWords(L, 'ifmap') < g) continue;
        expect(circleMapWalk(L, g)).toEqual(walkStream(L, 'ifmap', g));
        checked++;
      }
    expect(checked).toBeGreaterThan(50);
  });

  it('the OFMAP drain schedule found by bisection equals storing the demand rows one by one', () => {
    for (const L of all)
      for (const kb of [1, 2]) {
        const words = kb * 1024,
          last = L.folds * L.foldLength - 1;
        const wb = new OfmapWriteBuffer(words, L.cols);
        let stalled = false;
        for (let f = 0; f < L.folds; f++) {
          const band = ofmapBand(L, foldOf(L, f));
          for (let r = 0; r < L.foldLength; r++)
            stalled ||= wb.serviceRowWords(f * L.foldLength + r, bandCount(band, r)) !== f * L.foldLength + r;
        }
        wb.emptyAll(last);
        expect(stalled).toBe(false); // CALC drains C words a cycle, as fast as the array writes: never a stall
        expect(ofmapDramNoStalls(L, words, L.cols, last)).toEqual(wb.trace());
        expect(new OfmapStream(L).totalWords).toBe(L.dataflow === 'os' ? L.m * L.n : L.rowFolds * L.m * L.n);
      }
  });

  it('uses 100 sets of floor(words/100): a 64 kB SRAM gives sets of 655 and groups of 32,750 words', () => {
    expect(calcSets(64 * 1024)).toEqual({ items: 655, group: 32750 });
  });

  it("computes each layer shape once: EfficientNet-B0's 9,026 simulated layers take well under 5 s", () => {
    const row: ScaleSimRow = {
      name: 'b_DP',
      ifmapH: 114,
      ifmapW: 114,
      filterH: 3,
      filterW: 3,
      channels: 32,
      numFilter: 1,
      strideH: 1,
      strideW: 1,
    };
    const c = cfg(8, 8, 'os');
    const parts = analyzeRowScaleSim(row, c, 'dwconv').scalesimParts!;
    expect(parts).toHaveLength(32);
    expect(scaleSimMemory({ ...row, name: 'b_DP_0', channels: 1 }, parts[0]!.perf, c)).toBe(
      scaleSimMemory({ ...row, name: 'other', channels: 1 }, parts[0]!.perf, c),
    );
    const t0 = performance.now();
    const perf = analyzeNetwork(efficientnetB0(), cfg(8, 8, 'os'), 'scalesim');
    expect(perf.layers.reduce((s, l) => s + l.scalesimParts!.length, 0)).toBe(9026);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
