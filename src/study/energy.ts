/**
 * The energy part of the study: each analytic run's layers priced by both published tables with the energy
 * model `sim --energy` and `analyze --energy` use (src/report/energy.ts, src/analytic/energy/). The actions
 * are the analytic model's access counts and the register toggles are estimated (no activity counts), so
 * every figure is an estimate, named with its table; where the tables disagree the study keeps the range.
 */
import { energyTable, ENERGY_TABLES, type Range } from '../analytic/energy/tables.js';
import type { HardwareConfig } from '../config/schema.js';
import type { Network } from '../nets/ir.js';
import { energyRows } from '../report/energy.js';
import type { LayerFigures, RunEnergy } from './data.js';

const sum = (rs: Range[]): Range => ({
  low: rs.reduce((s, r) => s + r.low, 0),
  high: rs.reduce((s, r) => s + r.high, 0),
});
type Part = 'mac' | 'register' | 'sram' | 'dram' | 'total';

/** The energy of a run's layers from both tables (`layers` as the analytic run computed them). */
export function runEnergy(net: Network, cfg: HardwareConfig, layers: LayerFigures[]): RunEnergy {
  const rows = energyRows(net, cfg, layers, 'all');
  const out: RunEnergy['layers'] = rows.map((r) => ({
    name: r.name,
    tables: r.tables.map((e) => ({
      table: e.table,
      mac: e.mac,
      register: e.register,
      sram: e.sram,
      dram: e.dram,
      total: e.total,
    })),
  }));
  const perInference = ENERGY_TABLES.map((table, i) => {
    const of = (part: Part) => sum(out.map((l) => l.tables[i]![part]));
    return { table, mac: of('mac'), register: of('register'), sram: of('sram'), dram: of('dram'), total: of('total') };
  });
  const total = {
    low: Math.min(...perInference.map((e) => e.total.low)),
    high: Math.max(...perInference.map((e) => e.total.high)),
  };
  const macs = layers.reduce((s, l) => s + l.macs, 0);
  const us = layers.reduce((s, l) => s + l.timeUs, 0);
  return {
    registers: 'estimate',
    tables: ENERGY_TABLES.map((name) => ({ name, title: energyTable(name).title })),
    layers: out,
    perInference,
    range: {
      total,
      pjPerMac: { low: total.low / macs, high: total.high / macs },
      topsPerWatt: { low: (2 * macs) / total.high, high: (2 * macs) / total.low },
      milliwatts: { low: total.low / us / 1000, high: total.high / us / 1000 },
    },
  };
}
