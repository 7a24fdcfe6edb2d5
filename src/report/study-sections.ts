/** The sections of the study report: accuracy, NVDLA, systolic, INT16, verdicts, RTL. */
import { anchorOf, comparisonSize, dataflowRanking, systolicRun } from '../study/findings.js';
import type { AnalyticRun, ModelAccuracy, RtlRun, StudyData } from '../study/data.js';
import { verdicts, type Verdict } from '../study/verdict.js';
import { esc, type HtmlColumn } from './html.js';
import type { Page } from './study-page.js';
import {
  accuracyChart,
  differenceChart,
  groupedLayerChart,
  rooflineChart,
  sizeChart,
  stackedTimeChart,
} from './study-charts.js';

type Variant = ModelAccuracy['variants'][number];
type Layer = AnalyticRun['layers'][number];

/** Writes the accuracy section: one part per model. */
export async function accuracySection(p: Page, d: StudyData): Promise<void> {
  p.add('<h2 id="accuracy">1. What INT8 and INT16 cost in accuracy</h2>');
  for (const a of d.accuracy) {
    p.add(
      `<h3 id="${anchorOf('accuracy', a.net)}">${esc(a.net)} (${esc(a.model)})</h3>`,
      `<p>${a.heldOut.toLocaleString('en-US')} held-out MNIST digits, calibration on ${a.calibrationImages} training digits. FP32 <b>${a.fp32.toFixed(2)} %</b>.</p>`,
    );
    const cols: HtmlColumn<Variant>[] = [
      { key: 'precision', header: 'precision', value: (v) => v.precision },
      { key: 'calibration', header: 'calibration', value: (v) => v.calibration },
      { key: 'granularity', header: 'weight scales', value: (v) => v.granularity },
      { key: 'accuracy', header: 'accuracy %', value: (v) => v.accuracy, digits: 2 },
      { key: 'delta', header: 'vs FP32 (points)', value: (v) => v.accuracy - a.fp32, digits: 2 },
    ];
    p.add('<div class="row">');
    p.table(`accuracy-${a.net}`, cols, a.variants);
    await p.chart(
      `accuracy-${a.net}`,
      accuracyChart(
        a.net,
        a.variants.map((v) => ({
          variant: `${v.calibration}/${v.granularity}`,
          precision: v.precision,
          accuracy: v.accuracy,
        })),
        a.fp32,
      ),
    );
    p.add('</div>');
    const precisions = Object.keys(a.best) as ('int8' | 'int16')[];
    p.add(`<details><summary>Per-layer SQNR of the best variant of each precision (${a.sqnr.length} layers)</summary>`);
    p.table(
      `sqnr-${a.net}`,
      [
        { key: 'layer', header: 'layer', value: (r: ModelAccuracy['sqnr'][number]) => r.layer },
        { key: 'kind', header: 'kind', value: (r) => r.kind },
        ...precisions.map((pr) => ({
          key: pr,
          header: `SQNR ${pr} (dB, ${a.best[pr]!.calibration}/${a.best[pr]!.granularity})`,
          value: (r: ModelAccuracy['sqnr'][number]) => r[pr] ?? NaN,
          digits: 1,
        })),
      ],
      a.sqnr,
    );
    p.add('</details>');
  }
}

const totalColumns: HtmlColumn<AnalyticRun>[] = [
  { key: 'config', header: 'config', value: (r) => r.config },
  { key: 'precision', header: 'precision', value: (r) => r.precision },
  { key: 'cycles', header: 'cycles', value: (r) => r.totals.cycles },
  { key: 'stallCycles', header: 'stall cycles', value: (r) => r.totals.stallCycles },
  { key: 'referenceCycles', header: 'reference cycles', value: (r) => Math.round(r.totals.referenceCycles) },
  { key: 'timeMs', header: 'time (ms)', value: (r) => r.totals.timeUs / 1000, digits: 3 },
  { key: 'inferencesPerSecond', header: 'inferences/s', value: (r) => r.totals.inferencesPerSecond, digits: 1 },
  { key: 'overallUtil', header: 'util %', value: (r) => r.totals.overallUtil, digits: 2 },
  { key: 'dramBytes', header: 'DRAM bytes', value: (r) => r.totals.dramBytes },
];

/** Writes the NVDLA section: per network the totals, time per layer on nv_small and every layer on each core. */
export async function nvdlaSection(p: Page, d: StudyData): Promise<void> {
  p.add(
    '<h2 id="nvdla">2. How long the networks take on an NVDLA-style core</h2>',
    `<p>mactile's exact model of the core (equal to the RTL cycle for cycle where the RTL runs, section 6) at each network's published input size, random operands; beside it NVDLA's performance spreadsheet, which assumes:</p>`,
  );
  for (const [cfg, list] of Object.entries(d.referenceAssumptions).filter(([k]) => k !== 'systolic'))
    p.add(`<p><b>${esc(cfg)}</b>: ${list.map(esc).join('; ')}.</p>`);
  for (const net of d.nets) {
    const runs = d.nvdla.filter((r) => r.net === net.name);
    if (runs.length === 0) continue;
    p.add(`<h3 id="${anchorOf('nvdla', net.name)}">${esc(net.name)} (${esc(net.input)})</h3>`);
    p.table(`nvdla-totals-${net.name}`, totalColumns, runs);
    const small = runs.find((r) => r.config === 'nv_small') ?? runs[0]!;
    await p.chart(
      `nvdla-time-${net.name}`,
      stackedTimeChart(
        `${net.name} on ${small.config}: execution time per layer, compute and stall`,
        small.layers.flatMap((l) => [
          { layer: l.name, part: 'compute' as const, us: l.computeCycles / small.clockMhz },
          { layer: l.name, part: 'stall' as const, us: l.stallCycles / small.clockMhz },
        ]),
      ),
    );
    const best = dataflowRanking(d, net.name, comparisonSize(d) ?? 32)[0];
    const side = [...runs, ...(best ? [best] : [])];
    await p.chart(
      `same-layer-${net.name}`,
      groupedLayerChart(
        `${net.name}: each layer on every core side by side (µs)`,
        side.flatMap((r) => r.layers.map((l) => ({ layer: l.name, series: r.config, value: l.timeUs }))),
        'execution time (µs)',
      ),
    );
    p.add(`<details><summary>Every layer on each core (${small.layers.length} layers)</summary>`);
    p.table(
      `nvdla-layers-${net.name}`,
      [
        { key: 'name', header: 'layer', value: (l: Layer) => l.name },
        { key: 'kind', header: 'kind', value: (l) => l.kind },
        { key: 'macs', header: 'MACs', value: (l) => l.macs },
        ...runs.flatMap((r) => [
          {
            key: `${r.config}.cycles`,
            header: `${r.config} cycles`,
            value: (l: Layer) => r.layers.find((x) => x.name === l.name)!.cycles,
          },
          {
            key: `${r.config}.referenceCycles`,
            header: `${r.config} spreadsheet`,
            value: (l: Layer) => Math.round(r.layers.find((x) => x.name === l.name)!.referenceCycles),
          },
          {
            key: `${r.config}.overallUtil`,
            header: `${r.config} util %`,
            value: (l: Layer) => r.layers.find((x) => x.name === l.name)!.overallUtil,
            digits: 2,
          },
        ]),
      ],
      small.layers,
    );
    p.add('</details>');
  }
}

const gridColumns: HtmlColumn<AnalyticRun>[] = [
  { key: 'size', header: 'array', value: (r) => `${r.size}x${r.size}` },
  { key: 'dataflow', header: 'dataflow', value: (r) => r.dataflow ?? '' },
  { key: 'cycles', header: 'cycles', value: (r) => r.totals.cycles },
  { key: 'referenceCycles', header: 'SCALE-Sim cycles', value: (r) => Math.round(r.totals.referenceCycles) },
  { key: 'overallUtil', header: 'util %', value: (r) => r.totals.overallUtil, digits: 2 },
  { key: 'dramBytes', header: 'DRAM bytes', value: (r) => r.totals.dramBytes },
  {
    key: 'gbps',
    header: 'DRAM GB/s',
    value: (r) => (r.totals.dramBytes * r.clockMhz * 1e6) / r.totals.cycles / 1e9,
    digits: 2,
  },
  { key: 'inferencesPerSecond', header: 'inferences/s', value: (r) => r.totals.inferencesPerSecond, digits: 1 },
];

const layerColumns = (mem: AnalyticRun | undefined): HtmlColumn<Layer>[] => [
  { key: 'name', header: 'layer', value: (l) => l.name },
  { key: 'gemm', header: 'M x K x N', value: (l) => `${l.m} x ${l.k} x ${l.n}` },
  { key: 'cycles', header: 'cycles', value: (l) => l.cycles },
  { key: 'referenceCycles', header: 'SCALE-Sim', value: (l) => Math.round(l.referenceCycles) },
  {
    key: 'memStallCycles',
    header: `stalls (DRAM ${mem?.dram ?? '-'} w/c)`,
    value: (l) => mem?.layers.find((x) => x.name === l.name)?.stallCycles ?? NaN,
  },
  { key: 'overallUtil', header: 'util %', value: (l) => l.overallUtil, digits: 2 },
  { key: 'mappingEfficiency', header: 'mapping eff. %', value: (l) => l.mappingEfficiency, digits: 2 },
  { key: 'sramReads', header: 'SRAM reads', value: (l) => l.sramReads },
  { key: 'sramWrites', header: 'SRAM writes', value: (l) => l.sramWrites },
  { key: 'dramWords', header: 'DRAM words', value: (l) => l.dramWords },
  { key: 'dramBytes', header: 'DRAM bytes', value: (l) => l.dramBytes },
  { key: 'dramGBps', header: 'DRAM GB/s', value: (l) => l.dramGBps, digits: 2 },
];

/** Writes the systolic section: the grid, utilisation against size, and every layer at the comparison size. */
export async function systolicSection(p: Page, d: StudyData): Promise<void> {
  const size = comparisonSize(d);
  p.add(
    '<h2 id="systolic">3. How a systolic array does on them</h2>',
    `<p>mactile's analytic model (equal to the RTL cycle for cycle where the RTL runs, section 6) at INT8, ideal memory as SCALE-Sim assumes (${esc((d.referenceAssumptions.systolic ?? []).join('; '))}); stalls from the memory-system model at ${d.systolicDram} DRAM words per cycle.</p>`,
  );
  for (const net of d.nets) {
    const grid = d.systolic.filter((r) => r.net === net.name && r.precision === 'int8' && r.dram === 'calc');
    if (grid.length === 0) continue;
    p.add(`<h3 id="${anchorOf('systolic', net.name)}">${esc(net.name)}</h3>`);
    p.table(`systolic-grid-${net.name}`, gridColumns, grid);
    p.add('<div class="row">');
    await p.chart(
      `util-size-${net.name}`,
      sizeChart(
        `${net.name}: utilisation against array size`,
        grid.map((r) => ({ size: r.size!, series: r.dataflow!, value: r.totals.overallUtil })),
        'utilisation (%)',
        false,
      ),
    );
    await p.chart(
      `cycles-size-${net.name}`,
      sizeChart(
        `${net.name}: cycles against array size (SCALE-Sim for os)`,
        [
          ...grid.map((r) => ({ size: r.size!, series: r.dataflow!, value: r.totals.cycles })),
          ...grid
            .filter((r) => r.dataflow === 'os')
            .map((r) => ({ size: r.size!, series: 'SCALE-Sim', value: r.totals.referenceCycles })),
        ],
        'cycles',
        true,
      ),
    );
    p.add('</div>');
    if (size === undefined) continue;
    const ranked = dataflowRanking(d, net.name, size);
    await p.chart(
      `layer-cycles-${net.name}`,
      groupedLayerChart(
        `${net.name} on ${size}x${size}: cycles per layer per dataflow`,
        ranked.flatMap((r) => r.layers.map((l) => ({ layer: l.name, series: r.dataflow!, value: l.cycles }))),
        'cycles',
      ),
    );
    const best = ranked[0]!;
    const mem = systolicRun(d, net.name, size, best.dataflow!, 'int8', d.systolicDram);
    await p.chart(
      `bandwidth-${net.name}`,
      groupedLayerChart(
        `${net.name} on ${size}x${size} ${best.dataflow}: DRAM bandwidth per layer (GB/s at ${best.clockMhz} MHz)`,
        best.layers.map((l) => ({ layer: l.name, series: best.dataflow!, value: l.dramGBps })),
        'GB/s',
      ),
    );
    if (mem) {
      // Operations = 2 x MACs; the roof at the DRAM port's bandwidth, reads and writes together (each direction moves the stated words per cycle).
      const bytesPerWord = mem.precision === 'int8' ? 1 : 2;
      await p.chart(
        `roofline-${net.name}`,
        rooflineChart(
          `${net.name} on ${size}x${size} ${best.dataflow}, DRAM ${d.systolicDram} words/cycle each way: roofline`,
          mem.layers.map((l) => ({
            layer: l.name,
            intensity: l.dramBytes > 0 ? (2 * l.macs) / l.dramBytes : 0,
            gops: (2 * l.macs * mem.clockMhz * 1e6) / l.cycles / 1e9,
          })),
          (2 * mem.cells * mem.clockMhz) / 1000,
          (2 * d.systolicDram * bytesPerWord * mem.clockMhz) / 1000,
        ),
      );
    }
    p.add(
      `<details><summary>Every layer on ${size}x${size} ${esc(best.dataflow!)} (${best.layers.length} layers)</summary>`,
    );
    p.table(`systolic-layers-${net.name}`, layerColumns(mem), best.layers);
    p.add('</details>');
  }
}

/** Writes the INT16 section: bytes and bandwidth against INT8 at the same cycles. */
export function int16Section(p: Page, d: StudyData): void {
  const size = comparisonSize(d);
  p.add('<h2 id="int16">4. What INT16 costs in bytes and bandwidth</h2>');
  if (size === undefined) return;
  const rows = d.nets.flatMap((net) => {
    const a = dataflowRanking(d, net.name, size)[0];
    const b = a && systolicRun(d, net.name, size, a.dataflow!, 'int16', 'calc');
    return a && b ? [{ net: net.name, a, b }] : [];
  });
  type Row = (typeof rows)[number];
  const gbps = (r: AnalyticRun) => (r.totals.dramBytes * r.clockMhz * 1e6) / r.totals.cycles / 1e9;
  p.table<Row>(
    `int16`,
    [
      { key: 'net', header: 'network', value: (r) => r.net },
      { key: 'config', header: 'array', value: (r) => `${size}x${size} ${r.a.dataflow}` },
      { key: 'cycles8', header: 'INT8 cycles', value: (r) => r.a.totals.cycles },
      { key: 'cycles16', header: 'INT16 cycles', value: (r) => r.b.totals.cycles },
      { key: 'bytes8', header: 'INT8 DRAM bytes', value: (r) => r.a.totals.dramBytes },
      { key: 'bytes16', header: 'INT16 DRAM bytes', value: (r) => r.b.totals.dramBytes },
      { key: 'gbps8', header: 'INT8 GB/s', value: (r) => gbps(r.a), digits: 2 },
      { key: 'gbps16', header: 'INT16 GB/s', value: (r) => gbps(r.b), digits: 2 },
    ],
    rows,
  );
}

/** Writes the verdicts: per network, every layer's bottleneck at the comparison size on its best dataflow. */
export function verdictSection(p: Page, d: StudyData): void {
  const size = comparisonSize(d);
  p.add('<h2 id="verdicts">5. Per-layer bottleneck verdict</h2>');
  if (size === undefined) return;
  p.add(
    `<p>On ${size}x${size} with each network's fastest dataflow: memory-bound when DRAM stalls (at ${d.systolicDram} words/cycle) are at least half the layer's cycles, mapping-bound when its GEMM fills under half of the array or its folds are too short for the array's fill and drain (utilisation under half the mapping efficiency), else compute-bound.</p>`,
  );
  for (const net of d.nets) {
    const best = dataflowRanking(d, net.name, size)[0];
    if (!best) continue;
    const mem = systolicRun(d, net.name, size, best.dataflow!, 'int8', d.systolicDram);
    p.add(`<h3 id="${anchorOf('verdicts', net.name)}">${esc(net.name)} on ${size}x${size} ${esc(best.dataflow!)}</h3>`);
    p.table<Verdict>(
      `verdicts-${net.name}`,
      [
        { key: 'layer', header: 'layer', value: (v) => v.layer },
        { key: 'bound', header: 'bound', value: (v) => v.bound },
        { key: 'text', header: 'why', value: (v) => v.text },
      ],
      verdicts(best, mem),
    );
  }
}

/** Writes the RTL section: every RTL run beside the model, and the difference per layer. */
export async function rtlSection(p: Page, d: StudyData): Promise<void> {
  p.add('<h2 id="rtl">6. The RTL against the analytic model</h2>');
  if (d.rtl.length === 0) {
    p.add('<p>No RTL runs in this study.</p>');
    return;
  }
  p.add(
    `<p>A stated subset through the generated RTL (Verilator), random operands: every output compared with the golden integer model, the cycles with the analytic model.</p>`,
  );
  p.table<RtlRun>(
    'rtl',
    [
      { key: 'net', header: 'network', value: (r) => r.net },
      { key: 'config', header: 'config', value: (r) => r.config },
      { key: 'precision', header: 'precision', value: (r) => r.precision },
      { key: 'layers', header: 'layers', value: (r) => r.layers.length },
      { key: 'rtlCycles', header: 'RTL cycles', value: (r) => r.rtlCycles },
      { key: 'analyticCycles', header: 'analytic cycles', value: (r) => r.analyticCycles },
      { key: 'difference', header: 'difference', value: (r) => r.rtlCycles - r.analyticCycles },
      { key: 'ok', header: 'bit- and cycle-exact', value: (r) => (r.ok ? 'yes' : 'NO') },
      { key: 'wallSeconds', header: 'wall (s)', value: (r) => r.wallSeconds, digits: 1 },
    ],
    d.rtl,
  );
  await p.chart(
    'rtl-difference',
    differenceChart(
      d.rtl.flatMap((r) =>
        r.layers.map((l) => ({
          label: l.name,
          run: `${r.net} on ${r.config} ${r.precision}`,
          difference: l.difference,
        })),
      ),
    ),
  );
}
