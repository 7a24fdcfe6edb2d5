/**
 * The energy and area section of the study report: energy per inference of every network on every NVDLA core
 * and on the systolic array at the comparison size (both tables, their range), a per-layer breakdown chart on
 * nv_small and on the systolic array, INT8 against INT16, and the yosys area of the configs synthesized.
 */
import type { Range } from '../analytic/energy/tables.js';
import { energyTable } from '../analytic/energy/tables.js';
import type { AnalyticRun, AreaRun, RunEnergy, StudyData } from '../study/data.js';
import { anchorOf, comparisonSize, dataflowRanking } from '../study/findings.js';
import { energyPairs, energyRuns, int16Ratio } from '../study/findings-energy.js';
import { esc, type HtmlColumn } from './html.js';
import type { Page } from './study-page.js';
import { ENERGY_PARTS, energyBreakdownChart } from './study-charts.js';

type Run = AnalyticRun & { energy: RunEnergy };

/** A range as text in the given unit: one number where both ends agree to the shown digits, else "low-high". */
function rangeText(r: Range, scale = 1, digits = 2): string {
  const f = (v: number) =>
    (v / scale).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return f(r.low) === f(r.high) ? f(r.low) : `${f(r.low)}-${f(r.high)}`;
}

const tableColumns = (names: string[]): HtmlColumn<Run>[] =>
  names.map((t, i) => ({
    key: `${t}.uj`,
    header: `${t} µJ`,
    value: (r: Run) => rangeText(r.energy.perInference[i]!.total, 1e6, 3),
  }));

const perInferenceColumns = (names: string[]): HtmlColumn<Run>[] => [
  { key: 'net', header: 'network', value: (r) => r.net },
  { key: 'config', header: 'config', value: (r) => r.config },
  { key: 'precision', header: 'precision', value: (r) => r.precision },
  {
    key: 'memory',
    header: 'memory',
    value: (r) =>
      r.dram === undefined ? 'the core model' : r.dram === 'calc' ? 'ideal' : `DRAM port, ${r.dram} words/cycle`,
  },
  ...tableColumns(names),
  { key: 'ujLow', header: 'µJ, low (both tables)', value: (r) => r.energy.range.total.low / 1e6, digits: 3 },
  { key: 'ujHigh', header: 'µJ, high (both tables)', value: (r) => r.energy.range.total.high / 1e6, digits: 3 },
  { key: 'pjPerMac', header: 'pJ/MAC', value: (r) => rangeText(r.energy.range.pjPerMac) },
  { key: 'topsPerWatt', header: 'TOPS/W', value: (r) => rangeText(r.energy.range.topsPerWatt, 1, 3) },
  { key: 'mw', header: 'mW at the clock', value: (r) => rangeText(r.energy.range.milliwatts, 1, 1) },
  { key: 'clockMhz', header: 'MHz', value: (r) => r.clockMhz },
  { key: 'inferencesPerSecond', header: 'inferences/s', value: (r) => r.totals.inferencesPerSecond, digits: 1 },
];

/** The stacked per-layer chart of a run and its per-layer table (both tables, pJ). */
async function breakdown(p: Page, r: Run): Promise<void> {
  const names = r.energy.tables.map((t) => t.name);
  const rows = r.energy.layers.flatMap((l) =>
    l.tables.flatMap((e) => {
      const bar = `${l.name} · ${e.table}`;
      const parts = [e.mac.low, e.register.low, e.sram.low, e.dram.low, e.dram.high - e.dram.low];
      return parts.map((pj, i) => ({ bar, part: ENERGY_PARTS[i]!, order: i, nj: pj / 1000 }));
    }),
  );
  await p.chart(
    `energy-layers-${r.net}-${r.config}`,
    energyBreakdownChart(
      `${r.net} on ${r.config} (${r.precision}): energy per layer by component, each table (estimate; DRAM, high end: the rest of Horowitz's DRAM range)`,
      rows,
    ),
  );
  type L = RunEnergy['layers'][number];
  p.add(`<details><summary>${esc(r.net)} on ${esc(r.config)}: every layer's energy (pJ)</summary>`);
  p.table<L>(
    `energy-layers-${r.net}-${r.config}`,
    [
      { key: 'layer', header: 'layer', value: (l) => l.name },
      ...names.flatMap((t, i) =>
        (['mac', 'register', 'sram', 'dram', 'total'] as const).map((part) => ({
          key: `${t}.${part}`,
          header: `${t} ${part === 'mac' ? 'MAC' : part === 'sram' ? 'SRAM' : part === 'dram' ? 'DRAM' : part} pJ`,
          value: (l: L) => rangeText(l.tables[i]![part], 1, 1),
        })),
      ),
    ],
    r.energy.layers,
  );
  p.add('</details>');
}

function areaTable(p: Page, d: StudyData): void {
  p.add('<h3 id="area">Area (yosys)</h3>');
  if (!d.area) {
    p.add('<p>No area in this study (<code>--no-area</code>, or a study.json written before area).</p>');
    return;
  }
  const a = d.area;
  const done = a.runs.filter((r) => r.cells !== undefined);
  p.add(
    `<p>${esc(a.flow)}, ${esc(a.yosys || 'yosys')}: generic cells of the whole design (PE array, controller, skew buffers, requantization; not the memory system). Hierarchical synthesis counts each distinct module once and multiplies it by its instances; it does not optimise across module boundaries, so it can differ slightly from a flattened synthesis (docs/BENCHMARKS.md: within 0.4 % on 2x2 and 4x4 arrays and a 1x1 NVDLA-style core). Synthesis the cache did not hold had a budget of ${a.budgetSeconds} s of yosys time; ${done.length} of ${a.runs.length} configs synthesized.</p>`,
  );
  p.table<AreaRun>(
    'area',
    [
      { key: 'config', header: 'config', value: (r) => r.config },
      { key: 'describe', header: 'hardware', value: (r) => r.describe },
      { key: 'macCells', header: 'MAC cells', value: (r) => r.macCells },
      { key: 'cells', header: 'yosys cells', value: (r) => r.cells ?? 'not synthesized' },
      {
        key: 'cellsPerMac',
        header: 'cells per MAC cell',
        value: (r) => (r.cells ? r.cells / r.macCells : ''),
        digits: 0,
      },
      { key: 'seconds', header: 'yosys s (when it ran)', value: (r) => r.seconds ?? '', digits: 1 },
      { key: 'cached', header: 'from the cache', value: (r) => (r.cells === undefined ? '' : r.cached ? 'yes' : 'no') },
      { key: 'why', header: 'not synthesized because', value: (r) => r.notSynthesized ?? '' },
    ],
    a.runs,
  );
}

/** Writes the energy and area section. */
export async function energySection(p: Page, d: StudyData): Promise<void> {
  p.add('<h2 id="energy">7. Energy per inference and area</h2>');
  const runs = energyRuns(d) as Run[];
  if (runs.length === 0) p.add('<p>No energy figures in this study.json (written before the study had energy).</p>');
  else {
    const names = runs[0]!.energy.tables.map((t) => t.name);
    p.add(
      `<p>Estimates: the analytic model's access counts (MACs, scratchpad accesses, DRAM words; register toggles estimated as half the operand and accumulator bits per MAC, no activity counts) priced by the energy model of <code>sim --energy</code> with each shipped table: ${names.map((n) => `<b>${esc(n)}</b> (${esc(energyTable(n).citation)})`).join(' and ')}. Dynamic energy of the counted actions only, a lower bound (docs/ENERGY.md); every figure names its table, and where the tables (or Horowitz's published DRAM range) disagree the report gives the range. mW at each config's clock. The systolic runs with the DRAM port refetch what their scratchpads do not hold, so they move more DRAM words than the ideal memory and cost more; the per-layer charts are of the ideal-memory runs, as in section 3.</p>`,
    );
    p.table(`energy-per-inference`, perInferenceColumns(names), runs);
    const size = comparisonSize(d);
    for (const net of d.nets) {
      const small = runs.find((r) => r.net === net.name && r.config === 'nv_small');
      const best = size === undefined ? undefined : dataflowRanking(d, net.name, size)[0];
      const sa = runs.find((r) => r === best);
      if (!small && !sa) continue;
      p.add(`<h3 id="${anchorOf('energy', net.name)}">${esc(net.name)}: energy per layer</h3>`);
      for (const r of [small, sa]) if (r) await breakdown(p, r);
    }
    const pairs = energyPairs(d);
    p.add('<h3 id="energy-int16">INT8 against INT16</h3>');
    type Pair = (typeof pairs)[number];
    const ratio = (x: Pair, i: number): Range => int16Ratio(x.a.energy, x.b.energy, i);
    p.table<Pair>(
      'energy-int16',
      [
        { key: 'net', header: 'network', value: (x) => x.net },
        { key: 'int8', header: 'INT8 config', value: (x) => x.a.config },
        { key: 'int16', header: 'INT16 config', value: (x) => x.b.config },
        { key: 'cycles8', header: 'INT8 cycles', value: (x) => x.a.totals.cycles },
        { key: 'cycles16', header: 'INT16 cycles', value: (x) => x.b.totals.cycles },
        {
          key: 'bytes',
          header: 'DRAM bytes INT16 / INT8',
          value: (x) => x.b.totals.dramBytes / x.a.totals.dramBytes,
          digits: 2,
        },
        { key: 'uj8', header: 'INT8 µJ', value: (x) => rangeText(x.a.energy.range.total, 1e6, 3) },
        { key: 'uj16', header: 'INT16 µJ', value: (x) => rangeText(x.b.energy.range.total, 1e6, 3) },
        ...names.map((t, i) => ({
          key: `${t}.ratio`,
          header: `${t}: INT16 / INT8`,
          value: (x: Pair) => rangeText(ratio(x, i)),
        })),
      ],
      pairs,
    );
  }
  areaTable(p, d);
}
