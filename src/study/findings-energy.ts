/**
 * The energy and area findings of the study (generated from its data like findings.ts), and the runs the
 * report's energy section shows.
 */
import type { Range } from '../analytic/energy/tables.js';
import type { AnalyticRun, Finding, RunEnergy, StudyData } from './data.js';
import { anchorOf, comparisonSize, dataflowRanking, systolicRun } from './select.js';

type Priced = AnalyticRun & { energy: RunEnergy };
const priced = (r: AnalyticRun | undefined): r is Priced => r?.energy !== undefined;

/** The runs with energy the report shows: per network its NVDLA runs, then the systolic runs at the comparison
 * size (ideal memory and with the DRAM port). */
export function energyRuns(d: StudyData): Priced[] {
  const size = comparisonSize(d);
  return d.nets.flatMap((net) => [
    ...d.nvdla.filter((r) => r.net === net.name).filter(priced),
    ...d.systolic.filter((r) => r.net === net.name && r.size === size).filter(priced),
  ]);
}

/** INT8 against INT16 at the same cycles: the fastest systolic dataflow at the comparison size, and nv_full. */
export function energyPairs(d: StudyData): { net: string; a: Priced; b: Priced }[] {
  const size = comparisonSize(d);
  return d.nets.flatMap((net) => {
    const best = size === undefined ? undefined : dataflowRanking(d, net.name, size)[0];
    const wide = best && systolicRun(d, net.name, size!, best.dataflow!, 'int16', 'calc');
    const nv8 = d.nvdla.find((r) => r.net === net.name && r.config === 'nv_full_int8');
    const nv16 = d.nvdla.find((r) => r.net === net.name && r.config === 'nv_full_int16');
    return [
      ...(priced(best) && priced(wide) ? [{ net: net.name, a: best, b: wide }] : []),
      ...(priced(nv8) && priced(nv16) ? [{ net: net.name, a: nv8, b: nv16 }] : []),
    ];
  });
}

/** INT16's energy over INT8's from table `i`: the ratio at each end of the table's range, lower first. */
export function int16Ratio(a: RunEnergy, b: RunEnergy, i: number): Range {
  const lo = b.perInference[i]!.total.low / a.perInference[i]!.total.low;
  const hi = b.perInference[i]!.total.high / a.perInference[i]!.total.high;
  return { low: Math.min(lo, hi), high: Math.max(lo, hi) };
}

/** Energy in the unit that keeps it under 1,000 (pJ to J, by the high end), three significant digits. */
const uj = (r: Range) => {
  const units = ['pJ', 'nJ', 'µJ', 'mJ', 'J'];
  const k = Math.min(units.length - 1, Math.max(0, Math.floor(Math.log10(Math.max(r.high, 1)) / 3)));
  const f = (v: number) => Number((v / 1000 ** k).toPrecision(3)).toString();
  return f(r.low) === f(r.high) ? `${f(r.low)} ${units[k]}` : `${f(r.low)}-${f(r.high)} ${units[k]}`;
};
const x = (r: Range) =>
  r.low.toFixed(2) === r.high.toFixed(2) ? `${r.low.toFixed(2)}x` : `${r.low.toFixed(2)}-${r.high.toFixed(2)}x`;

/** What INT16 costs in bytes, bandwidth and energy at the same cycles (the systolic pair of each network). */
function int16EnergyFindings(d: StudyData): Finding[] {
  return energyPairs(d)
    .filter((p) => p.a.kind === 'systolic')
    .map(({ net, a, b }) => {
      const ratios = a.energy.perInference.map((_, i) => int16Ratio(a.energy, b.energy, i));
      const ratio = { low: Math.min(...ratios.map((r) => r.low)), high: Math.max(...ratios.map((r) => r.high)) };
      const gbps = (r: AnalyticRun) => (r.totals.dramBytes * r.clockMhz * 1e6) / r.totals.cycles / 1e9;
      const cycles =
        a.totals.cycles === b.totals.cycles
          ? `the same ${a.totals.cycles.toLocaleString('en-US')} cycles`
          : `${b.totals.cycles.toLocaleString('en-US')} cycles against ${a.totals.cycles.toLocaleString('en-US')}`;
      return {
        id: `int16-energy-${net}`,
        topic: 'What INT16 costs in bytes, bandwidth and energy',
        value: x(ratio),
        text: `For ${net} on ${a.config}, INT16 takes ${cycles} but moves ${(b.totals.dramBytes / a.totals.dramBytes).toFixed(2)}x the DRAM bytes (${gbps(b).toFixed(2)} against ${gbps(a).toFixed(2)} GB/s) and costs ${x(ratio)} the energy per inference: ${uj(b.energy.range.total)} against ${uj(a.energy.range.total)} (estimates, ${a.energy.tables.map((t) => t.name).join(' and ')}).`,
        anchor: 'energy-int16',
      };
    });
}

/** Energy per inference of each network on nv_small and the share of it DRAM takes. */
function energyPerInferenceFindings(d: StudyData): Finding[] {
  return d.nets.flatMap((net) => {
    const r = d.nvdla.find((x) => x.net === net.name && x.config === 'nv_small');
    if (!priced(r)) return [];
    const share = r.energy.perInference.map((e) => (100 * e.dram.low) / e.total.low);
    const lo = Math.min(...share).toFixed(0);
    const hi = Math.max(...share).toFixed(0);
    return [
      {
        id: `energy-${net.name}`,
        topic: 'Energy per inference',
        value: uj(r.energy.range.total),
        text: `One inference of ${net.name} on nv_small costs ${uj(r.energy.range.total)} (estimate over ${r.energy.tables.map((t) => t.name).join(' and ')}; ${rangeOf(r.energy.range.pjPerMac)} pJ/MAC, ${rangeOf(r.energy.range.topsPerWatt, 3)} TOPS/W), DRAM ${lo === hi ? lo : `${lo}-${hi}`} % of it.`,
        anchor: anchorOf('energy', net.name),
      },
    ];
  });
}

const rangeOf = (r: Range, digits = 2) =>
  r.low.toFixed(digits) === r.high.toFixed(digits)
    ? r.low.toFixed(digits)
    : `${r.low.toFixed(digits)}-${r.high.toFixed(digits)}`;

/** How many configs were synthesized, the largest, and which were not. */
function areaFindings(d: StudyData): Finding[] {
  if (!d.area || d.area.runs.length === 0) return [];
  const done = d.area.runs.filter((r) => r.cells !== undefined);
  const left = d.area.runs.filter((r) => r.cells === undefined);
  const big = [...done].sort((a, b) => b.cells! - a.cells!)[0];
  const text = `${done.length} of ${d.area.runs.length} configs synthesized (yosys, hierarchical)${big ? `; the largest, ${big.config}, has ${big.cells!.toLocaleString('en-US')} cells (${Math.round(big.cells! / big.macCells).toLocaleString('en-US')} per MAC cell)` : ''}${left.length ? `; not synthesized: ${left.map((r) => r.config).join(', ')}` : ''}.`;
  return [{ id: 'area', topic: 'Area', value: String(done.length), text, anchor: 'area' }];
}

/** The energy and area findings, in the order the report shows them. */
export function energyFindings(d: StudyData): Finding[] {
  return [...energyPerInferenceFindings(d), ...int16EnergyFindings(d), ...areaFindings(d)];
}
