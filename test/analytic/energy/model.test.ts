/**
 * The energy model: the shipped tables give back their published figures at the published widths and sizes,
 * scale between them as docs/ENERGY.md says, price a hand-counted set of actions exactly, and give every zoo
 * network's layers an energy on a systolic preset and on nv_small from both tables (a range where they differ).
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { energyTable } from '../../../src/analytic/energy/tables.js';
import {
  estimatedToggles,
  layerEnergy,
  selectedTables,
  type EnergyActions,
} from '../../../src/analytic/energy/model.js';
import { accelOf } from '../../../src/accel/registry.js';
import { energyRows } from '../../../src/report/energy.js';
import { macLayers } from '../../../src/nets/ir.js';
import { ZOO } from '../../../src/nets/zoo/index.js';

describe('Horowitz, ISSCC 2014, 45 nm', () => {
  const t = energyTable('horowitz-45nm');
  it('gives back the published figures', () => {
    // 8-bit multiply 0.2 + 8-bit add 0.03; 32-bit multiply 3.1 + 32-bit add 0.1.
    expect(t.macPj(8, 8)).toBeCloseTo(0.23, 12);
    expect(t.macPj(32, 32)).toBeCloseTo(3.2, 12);
    expect(t.sramPj(8, 64)).toBeCloseTo(10, 12);
    expect(t.sramPj(32, 64)).toBeCloseTo(20, 12);
    expect(t.sramPj(1024, 64)).toBeCloseTo(100, 12);
    expect(t.dramPj(64)).toEqual({ low: 1300, high: 2600 });
    expect(t.citation).toMatch(/ISSCC 2014/);
  });

  it('scales by width and size between the published points', () => {
    // INT8 MAC into a 32-bit accumulator: 0.2 + 0.1.
    expect(t.macPj(8, 32)).toBeCloseTo(0.3, 12);
    // A 16-bit multiply lies between 8 and 32 bits on the power law through them (about (16/8)^2 x 0.2).
    const m16 = t.macPj(16, 8) - 0.03;
    expect(m16).toBeGreaterThan(0.75);
    expect(m16).toBeLessThan(0.8);
    // 16 kB: halfway between 8 and 32 kB on a log scale of size; half the width, half the energy.
    expect(t.sramPj(16, 64)).toBeCloseTo(15, 12);
    expect(t.sramPj(16, 32)).toBeCloseTo(7.5, 12);
    // Outside the published sizes the nearest one holds.
    expect(t.sramPj(1, 64)).toBeCloseTo(10, 12);
    expect(t.dramPj(8)).toEqual({ low: 162.5, high: 325 });
  });
});

describe('Eyeriss normalized costs, 65 nm', () => {
  const t = energyTable('eyeriss-65nm');
  it('keeps the published ratios to a 16-bit MAC', () => {
    const mac = t.macPj(16, 32);
    expect(t.sramPj(64, 16) / mac).toBeCloseTo(6, 12);
    expect(t.dramPj(16).low / mac).toBeCloseTo(200, 12);
    expect((t.registerBitPj * 16) / mac).toBeCloseTo(1, 12);
    expect(t.macPj(8, 32) / mac).toBeCloseTo(0.25, 12);
  });
});

describe('energy of a layer', () => {
  const actions: EnergyActions = {
    macs: 10,
    operandBits: 8,
    accBits: 32,
    registerToggles: 100,
    registerSource: 'activity',
    sram: [{ buffer: 'ifmap', kb: 8, accesses: 4, wordBits: 64 }],
    dramWords: 2,
    dramWordBits: 64,
  };
  it('prices hand-counted actions from Horowitz', () => {
    const e = layerEnergy(actions, 'horowitz-45nm');
    expect(e.mac.low).toBeCloseTo(3, 12);
    expect(e.register.low).toBeCloseTo(0.375, 12);
    expect(e.sram.low).toBeCloseTo(40, 12);
    expect(e.dram).toEqual({ low: 2600, high: 5200 });
    expect(e.total.low).toBeCloseTo(2643.375, 9);
    expect(e.total.high).toBeCloseTo(5243.375, 9);
    expect(e.pjPerMac.low).toBeCloseTo(264.3375, 9);
    expect(e.topsPerWatt.high).toBeCloseTo(20 / 2643.375, 12);
    expect(e.table).toBe('horowitz-45nm');
  });

  it('estimates half the register bits toggling per MAC without activity counts', () => {
    expect(estimatedToggles(10, 8, 32)).toBe(240);
  });

  it('refuses a table it does not ship, naming the ones it does', () => {
    expect(() => selectedTables('nangate-15nm')).toThrow(
      /--energy-table: expected one of horowitz-45nm, eyeriss-65nm or all, received "nangate-15nm"/,
    );
    expect(selectedTables('all')).toEqual(['horowitz-45nm', 'eyeriss-65nm']);
  });
});

describe('every zoo network on a systolic preset and on nv_small', () => {
  for (const preset of ['sa-16x16-os', 'nv_small'])
    for (const entry of ZOO.slice(0, 3))
      it(`${entry.name} on ${preset}: per-layer energy from both tables, as a range`, () => {
        const cfg = loadConfig(preset);
        const net = entry.build({});
        const accel = accelOf(cfg);
        const layers = macLayers(net).map((l) => ({
          name: l.name,
          timeUs: accel.predictLayer(l, cfg as never, net).timeUs,
        }));
        const rows = energyRows(net, cfg, layers, 'all');
        expect(rows).toHaveLength(layers.length);
        for (const r of rows) {
          expect(r.registers).toBe('estimate');
          expect(r.tables.map((t) => t.table)).toEqual(['horowitz-45nm', 'eyeriss-65nm']);
          expect(r.range.total.low).toBeGreaterThan(0);
          expect(r.range.total.high).toBeGreaterThan(r.range.total.low);
          const sum = r.tables[0]!.mac.low + r.tables[0]!.register.low + r.tables[0]!.sram.low + r.tables[0]!.dram.low;
          expect(r.tables[0]!.total.low).toBeCloseTo(sum, 6);
        }
      });
});
