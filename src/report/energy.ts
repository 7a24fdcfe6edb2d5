/**
 * Per-layer energy of a simulation (or an analysis) from the energy model (src/analytic/energy): each layer's
 * actions priced by every selected table, shown as a range where the tables (or a table's published range)
 * disagree, every figure naming its tables. Register energy uses the activity counters where the run measured
 * them and the estimate otherwise (labelled).
 */
import type { LayerCheck, LayerPrediction } from '../accel/accelerator.js';
import { accelOf } from '../accel/registry.js';
import type { HardwareConfig } from '../config/schema.js';
import { across, layerEnergy, selectedTables, type LayerEnergy } from '../analytic/energy/model.js';
import { energyTable, type Range } from '../analytic/energy/tables.js';
import { macLayers, type Network } from '../nets/ir.js';
import { renderTable } from './table.js';

/** One layer's energy: from each table, and the range over them. */
export interface LayerEnergyRow {
  name: string;
  macs: number;
  registers: 'activity' | 'estimate';
  tables: LayerEnergy[];
  range: { mac: Range; register: Range; sram: Range; dram: Range; total: Range; pjPerMac: Range; topsPerWatt: Range };
  /** Average power at the configured clock over the layer's cycles (mW). */
  milliwatts: Range;
  /** Bit toggles the memory-system activity build measured on the scratchpad and DRAM data buses (not priced). */
  memoryToggles?: number;
}

/** The energy of a network's layers: each layer's prediction, its measured toggles if any, its time. */
export function energyRows(
  net: Network,
  cfg: HardwareConfig,
  layers: { name: string; timeUs: number; activity?: LayerCheck['activity'] }[],
  tableChoice: string,
): LayerEnergyRow[] {
  const accel = accelOf(cfg);
  const tables = selectedTables(tableChoice);
  const byName = new Map(macLayers(net).map((l) => [l.name, l]));
  return layers.map((row) => {
    const p = accel.predictLayer(byName.get(row.name)!, cfg as never, net) as LayerPrediction;
    const actions = accel.energyActions(p as never, cfg as never, row.activity);
    const parts = tables.map((t) => layerEnergy(actions, t));
    const pick = (f: (e: LayerEnergy) => Range) => across(parts, f);
    const total = pick((e) => e.total);
    return {
      name: row.name,
      macs: actions.macs,
      registers: actions.registerSource,
      tables: parts,
      range: {
        mac: pick((e) => e.mac),
        register: pick((e) => e.register),
        sram: pick((e) => e.sram),
        dram: pick((e) => e.dram),
        total,
        pjPerMac: pick((e) => e.pjPerMac),
        topsPerWatt: pick((e) => e.topsPerWatt),
      },
      milliwatts: { low: total.low / row.timeUs / 1000, high: total.high / row.timeUs / 1000 },
      ...(row.activity?.memory ? { memoryToggles: Object.values(row.activity.memory).reduce((a, b) => a + b, 0) } : {}),
    };
  });
}

/** A range as text: one number where both ends agree (to the shown digits), else "low-high". */
function rangeText(r: Range, digits: number): string {
  const f = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return f(r.low) === f(r.high) ? f(r.low) : `${f(r.low)}-${f(r.high)}`;
}

/** The energy table of a run, with the tables it comes from and what it leaves out. */
export function energyTableText(rows: LayerEnergyRow[], tableChoice: string): string {
  const names = selectedTables(tableChoice);
  const nj = (r: Range) => ({ low: r.low / 1000, high: r.high / 1000 });
  const buses = rows.some((r) => r.memoryToggles !== undefined);
  const table = renderTable<LayerEnergyRow>(
    [
      { header: 'layer', value: (r) => r.name },
      { header: 'MACs', value: (r) => r.macs },
      { header: 'registers from', value: (r) => r.registers },
      { header: 'MAC nJ', value: (r) => rangeText(nj(r.range.mac), 2) },
      { header: 'register nJ', value: (r) => rangeText(nj(r.range.register), 2) },
      { header: 'SRAM nJ', value: (r) => rangeText(nj(r.range.sram), 2) },
      { header: 'DRAM nJ', value: (r) => rangeText(nj(r.range.dram), 1) },
      { header: 'total nJ', value: (r) => rangeText(nj(r.range.total), 1) },
      { header: 'pJ/MAC', value: (r) => rangeText(r.range.pjPerMac, 2) },
      { header: 'TOPS/W', value: (r) => rangeText(r.range.topsPerWatt, 3) },
      { header: 'mW', value: (r) => rangeText(r.milliwatts, 1) },
      ...(buses ? [{ header: 'memory bus toggles', value: (r: LayerEnergyRow) => r.memoryToggles ?? 0 }] : []),
    ],
    rows,
  );
  return [
    `energy per layer (dynamic energy of the counted actions: a lower bound; docs/ENERGY.md), from ${names
      .map((n) => `${n} (${energyTable(n).title})`)
      .join(
        ' and ',
      )}${names.length > 1 || names.includes('horowitz-45nm') ? '; a-b: the range over the tables and their published ranges' : ''}:`,
    table,
    '  registers from: activity = the RTL toggle counters of this run; estimate = half the operand and accumulator register bits toggling per MAC',
    ...(buses
      ? [
          '  memory bus toggles: measured on the scratchpad read/write data and the DRAM beats (the activity table); not priced: SRAM and DRAM energy are per access',
        ]
      : []),
  ].join('\n');
}
