/** The sections of the study report: accuracy, NVDLA and RTL (the systolic ones are in study-systolic.ts). */
import { anchorOf, comparisonSize, dataflowRanking } from '../study/findings.js';
import type { AnalyticRun, ModelAccuracy, RtlRun, StudyData } from '../study/data.js';
import { esc, type HtmlColumn } from './html.js';
import type { Page } from './study-page.js';
import { accuracyChart, differenceChart, groupedLayerChart, stackedTimeChart } from './study-charts.js';

type Variant = ModelAccuracy['variants'][number];
type Layer = AnalyticRun['layers'][number];

/** Writes the accuracy section: one part per model. */
export async function accuracySection(p: Page, d: StudyData): Promise<void> {
  p.add('<h2 id="accuracy">1. What INT8 and INT16 cost in accuracy</h2>');
  for (const a of d.accuracy) {
    p.add(
      `<h3 id="${anchorOf('accuracy', a.net)}">${esc(a.net)} (${esc(a.model)})</h3>`,
      `<p>${a.heldOut.toLocaleString('en-US')} held-out MNIST digits, calibration on ${a.calibrationImages} training digits${a.activations ? `, ${a.activations} activations` : ''}. FP32 <b>${a.fp32.toFixed(2)} %</b>.</p>`,
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
    `<p>mactile's exact model of the core with its memory system (${d.nvdla[0]?.dram === undefined || d.nvdla[0].dram === 'calc' ? 'ideal memory' : `the convolution buffer filled by DMA from a DRAM port of ${d.nvdla[0].dram} words per cycle each way`}; equal to the RTL cycle for cycle, stalls included, where the RTL runs, section 6) at each network's published input size, random operands; beside it NVDLA's performance spreadsheet, which assumes:</p>`,
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
