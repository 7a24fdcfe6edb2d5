/**
 * The energy model: a layer's actions (MACs, register bit toggles, SRAM accesses by buffer size, DRAM words)
 * times a published table's coefficients (tables.ts), in pJ split MAC / register / SRAM / DRAM, with pJ per
 * MAC and TOPS/W. Dynamic energy of the counted actions only: a lower bound (docs/ENERGY.md says what it
 * leaves out).
 */
import { energyTable, ENERGY_TABLES, type Range } from './tables.js';

/** What a layer does, in the actions the tables price (a kind's `energyActions` gives them). */
export interface EnergyActions {
  macs: number;
  operandBits: number;
  accBits: number;
  /** Register bit toggles: counted by the activity build's RTL counters, or the estimate below. */
  registerToggles: number;
  registerSource: 'activity' | 'estimate';
  /** Accesses of each scratchpad (reads and writes of `wordBits`-bit words). */
  sram: { buffer: string; kb: number; accesses: number; wordBits: number }[];
  dramWords: number;
  dramWordBits: number;
}

/** The register estimate without activity counts: per MAC both operand registers and the accumulator load, half of their bits toggling. */
export function estimatedToggles(macs: number, operandBits: number, accBits: number): number {
  return Math.round(0.5 * macs * (2 * operandBits + accBits));
}

/** A layer's energy from one table (each part a range: the table's low and high ends). */
export interface LayerEnergy {
  table: string;
  mac: Range;
  register: Range;
  sram: Range;
  dram: Range;
  total: Range;
  pjPerMac: Range;
  /** TOPS/W (2 operations per MAC), from the high and low energy. */
  topsPerWatt: Range;
  registerSource: 'activity' | 'estimate';
}

const fixed = (v: number): Range => ({ low: v, high: v });
const add = (...rs: Range[]): Range => ({
  low: rs.reduce((s, r) => s + r.low, 0),
  high: rs.reduce((s, r) => s + r.high, 0),
});

/** The energy of a layer's actions from one table. */
export function layerEnergy(a: EnergyActions, tableName: string): LayerEnergy {
  const t = energyTable(tableName);
  const mac = fixed(a.macs * t.macPj(a.operandBits, a.accBits));
  const register = fixed(a.registerToggles * t.registerBitPj);
  const sram = fixed(a.sram.reduce((s, b) => s + b.accesses * t.sramPj(b.kb, b.wordBits), 0));
  const d = t.dramPj(a.dramWordBits);
  const dram = { low: a.dramWords * d.low, high: a.dramWords * d.high };
  const total = add(mac, register, sram, dram);
  return {
    table: t.name,
    mac,
    register,
    sram,
    dram,
    total,
    pjPerMac: { low: total.low / a.macs, high: total.high / a.macs },
    topsPerWatt: { low: (2 * a.macs) / total.high, high: (2 * a.macs) / total.low },
    registerSource: a.registerSource,
  };
}

/** The tables an `--energy-table` value selects: one name, or `all`. */
export function selectedTables(choice: string): string[] {
  if (choice === 'all') return [...ENERGY_TABLES];
  energyTable(choice);
  return [choice];
}

/** The range over several tables' figures: the lowest low and the highest high. */
export function across(parts: LayerEnergy[], pick: (e: LayerEnergy) => Range): Range {
  return {
    low: Math.min(...parts.map((e) => pick(e).low)),
    high: Math.max(...parts.map((e) => pick(e).high)),
  };
}
