/** The systolic sections of the study report: the grid, INT16 against INT8, and the per-layer verdicts. */
import { anchorOf, comparisonSize, dataflowRanking, systolicRun } from '../study/findings.js';
import type { AnalyticRun, StudyData } from '../study/data.js';
import { verdicts, type Verdict } from '../study/verdict.js';
import { esc, type HtmlColumn } from './html.js';
import { renderCsv, type Column } from './table.js';
import type { Page } from './study-page.js';
import { groupedLayerChart, rooflineChart, sizeChart } from './study-charts.js';

type Layer = AnalyticRun['layers'][number];

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

/** Columns of the CSV files of every layer of every run. */
const allLayerColumns: Column<{ r: AnalyticRun; l: Layer }>[] = [
  { header: 'net', value: ({ r }) => r.net },
  { header: 'config', value: ({ r }) => r.config },
  { header: 'precision', value: ({ r }) => r.precision },
  { header: 'dram', value: ({ r }) => String(r.dram ?? '') },
  { header: 'layer', value: ({ l }) => l.name },
  { header: 'kind', value: ({ l }) => l.kind },
  { header: 'macs', value: ({ l }) => l.macs },
  { header: 'm', value: ({ l }) => l.m ?? '' },
  { header: 'k', value: ({ l }) => l.k ?? '' },
  { header: 'n', value: ({ l }) => l.n ?? '' },
  { header: 'cycles', value: ({ l }) => l.cycles },
  { header: 'compute_cycles', value: ({ l }) => l.computeCycles },
  { header: 'stall_cycles', value: ({ l }) => l.stallCycles },
  { header: 'reference_cycles', value: ({ l }) => l.referenceCycles },
  { header: 'util_percent', value: ({ l }) => l.overallUtil },
  { header: 'mapping_efficiency_percent', value: ({ l }) => l.mappingEfficiency },
  { header: 'sram_reads', value: ({ l }) => l.sramReads },
  { header: 'sram_writes', value: ({ l }) => l.sramWrites },
  { header: 'dram_words', value: ({ l }) => l.dramWords },
  { header: 'dram_bytes', value: ({ l }) => l.dramBytes },
  { header: 'dram_gbps', value: ({ l }) => l.dramGBps },
  { header: 'time_us', value: ({ l }) => l.timeUs },
];

/** Writes the systolic section: the grid, utilisation against size, and every layer at the comparison size. */
export async function systolicSection(p: Page, d: StudyData): Promise<void> {
  const size = comparisonSize(d);
  p.add(
    '<h2 id="systolic">3. How a systolic array does on them</h2>',
    `<p>mactile's analytic model (equal to the RTL cycle for cycle where the RTL runs, section 6) at INT8, ideal memory as SCALE-Sim assumes (${esc((d.referenceAssumptions.systolic ?? []).join('; '))}); stalls from the memory-system model at ${d.systolicDram} DRAM words per cycle.</p>`,
  );
  p.save(
    'systolic-layers.csv',
    renderCsv(
      allLayerColumns,
      d.systolic.flatMap((r) => r.layers.map((l) => ({ r, l }))),
    ),
  );
  p.save(
    'nvdla-layers.csv',
    renderCsv(
      allLayerColumns,
      d.nvdla.flatMap((r) => r.layers.map((l) => ({ r, l }))),
    ),
  );
  p.add(
    `<p>Every layer of every run (each size, dataflow, precision and memory, ${d.systolic.length} runs): <a href="data/systolic-layers.csv">data/systolic-layers.csv</a>; of the NVDLA runs: <a href="data/nvdla-layers.csv">data/nvdla-layers.csv</a>; everything: <a href="study.json">study.json</a>.</p>`,
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
