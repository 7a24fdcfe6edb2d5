/**
 * The study's findings are generated from its data: built from the analytic model of LeNet-5 (fast), each
 * finding states the number of the data, and changing the data changes the finding.
 */
import { describe, expect, it } from 'vitest';
import { nvdlaRuns, systolicGrid } from '../../src/study/analytic.js';
import type { StudyData } from '../../src/study/data.js';
import { dataflowRanking, studyFindings } from '../../src/study/findings.js';
import { verdicts } from '../../src/study/verdict.js';
import { loadNetwork } from '../../src/nets/load.js';

function lenetStudy(): StudyData {
  const net = loadNetwork('lenet5');
  const nv = nvdlaRuns([net], 16);
  const sa = systolicGrid([net], [8, 32], ['os', 'ws', 'is'], 16);
  return {
    version: 1,
    title: 't',
    command: 'mactile study',
    date: '2026-01-01',
    tools: {},
    nets: [{ name: 'lenet5', input: '32x32x1', macLayers: 5, macs: 416_520 }],
    accuracy: [
      {
        net: 'lenet5',
        model: 'models/lenet5.onnx',
        fp32: 99.15,
        heldOut: 2000,
        calibrationImages: 500,
        variants: [
          { precision: 'int8', calibration: 'mse', granularity: 'channel', accuracy: 99.1 },
          { precision: 'int8', calibration: 'max', granularity: 'tensor', accuracy: 98.5 },
        ],
        best: { int8: { calibration: 'mse', granularity: 'channel', accuracy: 99.1 } },
        sqnr: [],
        jobSeconds: 1,
      },
    ],
    nvdla: nv.runs,
    systolic: sa.runs,
    rtl: [],
    systolicDram: 16,
    referenceAssumptions: { ...nv.assumptions, ...sa.assumptions },
    notes: [],
    seconds: { accuracy: 0, analytic: 0, rtl: 0, total: 0 },
  };
}

const finding = (d: StudyData, id: string) => studyFindings(d).find((f) => f.id === id)!;

describe('study findings', () => {
  it('are at least six, each with a number and an anchor of a section', () => {
    const fs = studyFindings(lenetStudy());
    expect(fs.length).toBeGreaterThanOrEqual(6);
    for (const f of fs) {
      expect(f.text).toContain(f.value.replace(/ points$/, ''));
      expect(f.anchor).toMatch(/^(accuracy|nvdla|systolic|int16|verdicts|rtl|energy|area)(-lenet5|-int16)?$/);
    }
  });

  it('name the fastest dataflow at 32x32 and the ratio to the next, and follow the data when it changes', () => {
    const d = lenetStudy();
    const [best, next] = dataflowRanking(d, 'lenet5', 32);
    const f = finding(d, 'dataflow-lenet5');
    expect(f.value).toBe(`${(next!.totals.cycles / best!.totals.cycles).toFixed(2)}x`);
    expect(f.text).toContain(`32x32 array, ${best!.dataflow} is the fastest`);
    // The slowest dataflow made 10x faster than the fastest wins instead.
    const slow = dataflowRanking(d, 'lenet5', 32)[2]!;
    slow.totals.cycles = Math.floor(best!.totals.cycles / 10);
    expect(finding(d, 'dataflow-lenet5').text).toContain(`${slow.dataflow} is the fastest`);
    expect(finding(d, 'dataflow-lenet5').value).toBe(`${(best!.totals.cycles / slow.totals.cycles).toFixed(2)}x`);
  });

  it('state what INT8 costs from the accuracy data', () => {
    const d = lenetStudy();
    expect(finding(d, 'int8-lenet5').value).toBe('0.05 points');
    expect(finding(d, 'int8-lenet5').text).toMatch(/^At best, INT8 costs 0.05 points of lenet5's accuracy/);
    d.accuracy[0]!.best.int8!.accuracy = 97.15;
    expect(finding(d, 'int8-lenet5').value).toBe('2.00 points');
    d.accuracy[0]!.best.int8!.accuracy = 99.25;
    expect(finding(d, 'int8-lenet5').text).toMatch(/^At best, INT8 gains 0.10 points of lenet5's accuracy/);
    expect(finding(d, 'int8-lenet5').text).toContain('worst INT8 variant (max, per-tensor) costs 0.65 points');
  });

  it('report the RTL runs agreeing, and a layer that differs', () => {
    const d = lenetStudy();
    const layer = {
      name: 'c1',
      rtlCycles: 10,
      analyticCycles: 10,
      difference: 0,
      bitExact: true,
      cycleExact: true,
      outputsChecked: 1,
    };
    d.rtl = [
      {
        net: 'lenet5',
        config: 'nv_small',
        kind: 'nvdla',
        precision: 'int8',
        operands: 'random',
        layers: [layer],
        rtlCycles: 10,
        analyticCycles: 10,
        ok: true,
        wallSeconds: 1,
      },
    ];
    expect(finding(d, 'rtl').text).toMatch(/^All 1 RTL runs/);
    layer.difference = 3;
    expect(finding(d, 'rtl').text).toContain(
      '1 of 1 RTL layers differ (first: c1, 3 cycles)'.replace(
        'differ (',
        'differ from the analytic model or the golden model (',
      ),
    );
  });
});

describe('the energy and area findings', () => {
  it('state what INT16 costs in bytes, bandwidth and energy at the same cycles, and follow the data', () => {
    const d = lenetStudy();
    const best = dataflowRanking(d, 'lenet5', 32)[0]!;
    const wide = d.systolic.find(
      (r) => r.config === `${best.config}-int16` && r.dram === 'calc' && r.precision === 'int16',
    )!;
    const f = finding(d, 'int16-energy-lenet5');
    expect(f.topic).toBe('What INT16 costs in bytes, bandwidth and energy');
    expect(f.text).toContain(
      `For lenet5 on ${best.config}, INT16 takes the same ${best.totals.cycles.toLocaleString('en-US')} cycles`,
    );
    expect(f.text).toContain(`moves ${(wide.totals.dramBytes / best.totals.dramBytes).toFixed(2)}x the DRAM bytes`);
    expect(f.text).toContain('horowitz-45nm and eyeriss-65nm');
    const ratios = best.energy!.perInference.map((e, i) => wide.energy!.perInference[i]!.total.low / e.total.low);
    expect(Number(f.value.split(/[-x]/)[0])).toBeCloseTo(Math.min(...ratios), 2);
    // INT16 made to cost three times INT8's energy in every table: the finding says 3.00x.
    for (const [i, e] of best.energy!.perInference.entries())
      wide.energy!.perInference[i]!.total = { low: 3 * e.total.low, high: 3 * e.total.high };
    expect(finding(d, 'int16-energy-lenet5').value).toBe('3.00x');
    expect(finding(d, 'int16-energy-lenet5').text).toContain('costs 3.00x the energy per inference');
  });

  it('give the energy per inference on nv_small with its range over the tables, and none without energy', () => {
    const d = lenetStudy();
    const run = d.nvdla.find((r) => r.config === 'nv_small')!;
    const f = finding(d, 'energy-lenet5');
    // Three significant digits, as written (28 µJ, not 28.0 µJ).
    const uj = (v: number) => String(Number((v / 1e6).toPrecision(3)));
    expect(f.value).toBe(`${uj(run.energy!.range.total.low)}-${uj(run.energy!.range.total.high)} µJ`);
    delete run.energy;
    expect(finding(d, 'energy-lenet5')).toBeUndefined();
  });

  it('count the configs synthesized and name the ones that were not', () => {
    const d = lenetStudy();
    expect(finding(d, 'area')).toBeUndefined();
    d.area = {
      flow: 'yosys',
      yosys: 'Yosys 0.23',
      budgetSeconds: 60,
      runs: [
        { config: 'sa-8x8-os', describe: '', macCells: 64, cells: 177_013, seconds: 76, cached: true },
        { config: 'nv_full_int8', describe: '', macCells: 2048, notSynthesized: 'budget spent' },
      ],
    };
    expect(finding(d, 'area').text).toBe(
      '1 of 2 configs synthesized (yosys, hierarchical); the largest, sa-8x8-os, has 177,013 cells (2,766 per MAC cell); not synthesized: nv_full_int8.',
    );
    d.area.runs[1] = { ...d.area.runs[1]!, cells: 2_000_000 };
    expect(finding(d, 'area').text).toContain('2 of 2 configs synthesized');
    expect(finding(d, 'area').text).toContain('the largest, nv_full_int8, has 2,000,000 cells');
  });
});

describe('bottleneck verdicts', () => {
  it('call an FC layer with M = 1 on an os array mapping-bound, naming M', () => {
    const d = lenetStudy();
    const os8 = d.systolic.find(
      (r) => r.size === 8 && r.dataflow === 'os' && r.precision === 'int8' && r.dram === 'calc',
    )!;
    const v = verdicts(os8).find((x) => x.layer === 'fc3')!;
    expect(v.bound).toBe('mapping');
    const fc = os8.layers.find((l) => l.name === 'fc3')!;
    expect(fc.m).toBe(1);
    expect(v.text).toBe(
      `fc3: ${fc.overallUtil.toFixed(2)} % utilisation because M = 1 fills 1 of 8 rows and N = 10 leaves its last fold 2 of 8 columns`,
    );
  });

  it('call a layer whose stalls are most of its cycles memory-bound', () => {
    const d = lenetStudy();
    const run = d.systolic.find(
      (r) => r.size === 32 && r.dataflow === 'ws' && r.dram === 'calc' && r.precision === 'int8',
    )!;
    const mem = structuredClone(run);
    mem.layers[0]!.stallCycles = mem.layers[0]!.cycles;
    mem.layers[0]!.cycles *= 2;
    expect(verdicts(run, mem)[0]!.bound).toBe('memory');
  });
});
