/**
 * The switching-activity table of `sim --activity`: per layer the PE registers' bit toggles, and on the memory
 * system the scratchpad and DRAM data buses' (docs/ENERGY.md).
 */
import type { ActivityRegisters, LayerCheck, ToggleCounts } from '../accel/accelerator.js';
import { renderTable } from './table.js';

type Row = { name: string; macs: number; rtlCycles: number; t: ToggleCounts };

/** Toggles per MAC of a row (all three register groups). */
const perMac = (r: Row) => (r.t.a + r.t.b + r.t.psum) / r.macs;

/** The layers' toggles with a totals row, and the lines that say which registers each column counts. */
export function activityTable(layers: LayerCheck[], regs: ActivityRegisters): string {
  const rows: Row[] = layers.flatMap((l) =>
    l.activity ? [{ name: l.name, macs: l.macs, rtlCycles: l.rtlCycles, t: l.activity }] : [],
  );
  const sum = (f: (r: Row) => number) => rows.reduce((s, r) => s + f(r), 0);
  const total: Row = {
    name: 'total',
    macs: sum((r) => r.macs),
    rtlCycles: sum((r) => r.rtlCycles),
    t: { a: sum((r) => r.t.a), b: sum((r) => r.t.b), psum: sum((r) => r.t.psum) },
  };
  const table = renderTable<Row>(
    [
      { header: 'layer', value: (r) => r.name },
      { header: 'MACs', value: (r) => r.macs },
      { header: 'a toggles', value: (r) => r.t.a },
      { header: 'b toggles', value: (r) => r.t.b },
      { header: 'psum toggles', value: (r) => r.t.psum },
      { header: 'toggles/MAC', value: perMac, digits: 2 },
      { header: 'a bits/MAC', value: (r) => r.t.a / r.macs, digits: 2 },
      { header: 'psum bits/MAC', value: (r) => r.t.psum / r.macs, digits: 2 },
    ],
    rows,
    total,
  );
  return [
    'switching activity (bit toggles, popcount(old XOR new), counted in the RTL every clock of the layer):',
    table,
    `  a:    ${regs.a} (${regs.count.a} x ${regs.operandBits} bits)`,
    `  b:    ${regs.b} (${regs.count.b} x ${regs.operandBits} bits)`,
    `  psum: ${regs.psum} (${regs.count.psum} x ${regs.psumBits} bits)`,
    ...(regs.memory ? memoryTable(rows, total, regs.memory) : []),
  ].join('\n');
}

/** The memory buses' toggles (one column per bus) and what each column counts. */
function memoryTable(rows: Row[], total: Row, buses: Record<string, string>): string[] {
  const names = Object.keys(buses);
  const of = (r: Row, b: string) => r.t.memory?.[b] ?? 0;
  const withTotal: Row = {
    ...total,
    t: { ...total.t, memory: Object.fromEntries(names.map((b) => [b, rows.reduce((s, r) => s + of(r, b), 0)])) },
  };
  const table = renderTable<Row>(
    [{ header: 'layer', value: (r) => r.name }, ...names.map((b) => ({ header: b, value: (r: Row) => of(r, b) }))],
    rows,
    withTotal,
  );
  const width = Math.max(...names.map((b) => b.length));
  return [
    'memory buses (bit toggles of each lane against the word it carried last; SRAM and DRAM energy stay per access):',
    table,
    ...names.map((b) => `  ${`${b}:`.padEnd(width + 1)} ${buses[b]}`),
  ];
}
