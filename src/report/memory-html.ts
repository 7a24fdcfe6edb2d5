/**
 * The report's memory section, for the runs with a numeric DRAM bandwidth: per run a table of each layer's
 * compute cycles, stall cycles by cause and DRAM words, the stall breakdown, the roofline, and the network's
 * cycles against DRAM bandwidth with the table behind it. Each table's rows are saved as its JSON and CSV.
 */
import type { HtmlColumn } from './html.js';
import type { RunStudy } from './study.js';
import { bandwidthCurveSpec, rooflineSpec, stallBreakdownSpec } from './memory-charts.js';
import type { VegaLiteSpec } from './charts.js';
import type { BandwidthPoint, RunMemory } from './memory.js';
import { renderCsv } from './table.js';

/** One row of a run's memory table: keys as the table's data-key attributes (stalls: `stall:<cause>`). */
type MemoryRow = Record<string, number | string>;

/** What the section is rendered with: html.ts's table, chart and data-file writers. */
export interface SectionTools {
  table: <T>(id: string, columns: HtmlColumn<T>[], rows: T[]) => string;
  chart: (id: string, spec: VegaLiteSpec) => Promise<string>;
  save: (name: string, text: string) => void;
  esc: (s: string) => string;
  slug: (s: string) => string;
}

/** A run's per-layer memory rows (its layers' figures, the RTL's counters with the memory system). */
function memoryRows(r: RunStudy, causes: string[]): MemoryRow[] {
  return r.layers.map((l) => {
    const words = l.dramReadWords + l.dramWrittenWords;
    return {
      layer: l.name,
      macs: l.macs,
      rtlCycles: l.rtlCycles,
      computeCycles: l.computeCycles,
      stallCycles: l.stallCycles,
      ...Object.fromEntries(causes.map((c) => [`stall:${c}`, l.stallsByCause?.[c] ?? 0])),
      dramReadWords: l.dramReadWords,
      dramWrittenWords: l.dramWrittenWords,
      macsPerWord: words > 0 ? l.macs / words : 0,
      macsPerCycle: l.macs / l.rtlCycles,
    };
  });
}

/** The memory table's columns. */
function memoryColumns(causes: string[]): HtmlColumn<MemoryRow>[] {
  const col = (key: string, header: string, digits?: number): HtmlColumn<MemoryRow> => ({
    key,
    header,
    value: (r) => r[key]!,
    ...(digits === undefined ? {} : { digits }),
  });
  return [
    col('layer', 'layer'),
    col('macs', 'MACs'),
    col('rtlCycles', 'RTL cycles'),
    col('computeCycles', 'compute cycles'),
    col('stallCycles', 'stall cycles'),
    ...causes.map((c) => col(`stall:${c}`, `stall ${c}`)),
    col('dramReadWords', 'DRAM words read'),
    col('dramWrittenWords', 'DRAM words written'),
    col('macsPerWord', 'MACs per DRAM word', 2),
    col('macsPerCycle', 'MACs per cycle', 2),
  ];
}

const bandwidthColumns: HtmlColumn<BandwidthPoint>[] = [
  { key: 'bandwidth', header: 'DRAM words/cycle', value: (p) => p.bandwidth },
  { key: 'analyticCycles', header: 'analytic network cycles', value: (p) => p.analyticCycles },
  { key: 'rtlCycles', header: 'RTL network cycles', value: (p) => p.rtlCycles ?? '' },
];

/** The section of one run with a memory system. */
async function runSection(r: RunStudy, m: RunMemory, t: SectionTools): Promise<string[]> {
  const id = t.slug(r.label);
  const rows = memoryRows(r, m.stallCauses);
  const columns = memoryColumns(m.stallCauses);
  t.save(`memory-${id}.csv`, renderCsv(columns, rows));
  t.save(`memory-${id}.json`, JSON.stringify(rows, null, 2));
  t.save(`bandwidth-${id}.csv`, renderCsv(bandwidthColumns, m.curve));
  t.save(`bandwidth-${id}.json`, JSON.stringify(m.curve, null, 2));
  const stalls = rows.flatMap((row) => [
    { layer: String(row.layer), part: 'compute', cycles: Number(row.computeCycles) },
    ...m.stallCauses.map((c) => ({ layer: String(row.layer), part: `stall ${c}`, cycles: Number(row[`stall:${c}`]) })),
  ]);
  const points = rows.map((row) => ({
    layer: String(row.layer),
    macsPerWord: Number(row.macsPerWord),
    macsPerCycle: Number(row.macsPerCycle),
  }));
  return [
    `<h3 id="memory-${t.esc(id)}">${t.esc(r.label)}</h3>`,
    `<p>DRAM ${m.bandwidth} words per cycle each direction, latency ${m.latency} cycles; compute roof ${m.computeRoof} MACs per cycle. The roofline's bandwidth roof counts the words read and written together at ${m.bandwidth} words per cycle; the port moves as many in each direction, so a layer whose writes overlap its reads could sit above it by at most its written share. The per-layer figures are the RTL's counters (each equal to the analytic model's, or the layer is marked NO above); the curve is the analytic model at each bandwidth, the RTL's cycles marked where it ran. Its floor is this memory system's compute cycles (${m.computeCycles.toLocaleString('en-US')}, no stalls left); <code>calc</code> is the compute-only core, which streams from an ideal memory without tiles, so the gap between the two is the tiling's cost, not the DRAM's.</p>`,
    t.table(`memory-${id}`, columns, rows),
    `<div class="charts">
${await t.chart(`stalls-${id}`, stallBreakdownSpec(r.label, m.stallCauses, stalls))}
${await t.chart(`roofline-${id}`, rooflineSpec(r.label, points, m.computeRoof, m.bandwidth))}
${await t.chart(`bandwidth-${id}`, bandwidthCurveSpec(r.label, m.curve, m.computeCycles))}
</div>`,
    t.table(`bandwidth-${id}`, bandwidthColumns, m.curve),
  ];
}

/** The memory section (nothing when no run has a numeric DRAM bandwidth). */
export async function memorySection(runs: RunStudy[], t: SectionTools): Promise<string[]> {
  const withMemory = runs.filter((r): r is RunStudy & { memory: RunMemory } => r.memory !== undefined);
  if (!withMemory.length) return [];
  const parts = [
    '<h2 id="memory">Memory system</h2>',
    '<p>The runs with a numeric DRAM bandwidth: where each layer spends its cycles (computing, or stalled on an operand or on the drain), how far it sits under the roofs, and what another DRAM bandwidth would do to the network.</p>',
  ];
  for (const r of withMemory) parts.push(...(await runSection(r, r.memory, t)));
  return parts;
}
