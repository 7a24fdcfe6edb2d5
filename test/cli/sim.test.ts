/**
 * `mactile sim` with a memory system (a numeric DRAM bandwidth), on both kinds: per layer the RTL's compute
 * cycles, stall cycles by cause and DRAM words read and written, in the table and in the JSON, each the
 * counter the RTL measured (and checked against the analytic model).
 */
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';

interface Figure {
  name: string;
  measured: number;
  predicted: number;
}
interface Memory {
  computeCycles: number;
  stallCycles: number;
  stallsByCause: Record<string, number>;
  dramReadWords: number;
  dramWrittenWords: number;
}
interface Layer {
  name: string;
  rtlCycles: number;
  analyticComputeCycles: number;
  figures: Figure[];
  extras: Record<string, number>;
  memory: Memory;
}

/** The cells of a text table by header, the columns found from the rule under the header. */
function tableRows(text: string): Record<string, string>[] {
  const lines = text.split('\n');
  const rule = lines.findIndex((l) => /^-+( +-+)+$/.test(l));
  const spans = [...lines[rule]!.matchAll(/-+/g)].map((m) => [m.index, m.index + m[0].length] as const);
  const header = spans.map(([a, b]) => lines[rule - 1]!.slice(a, b).trim());
  const end = lines.indexOf(lines[rule]!, rule + 1);
  // The layers between the two rules, then the totals row.
  return [...lines.slice(rule + 1, end), lines[end + 1]!].map((l) =>
    Object.fromEntries(header.map((h, i) => [h, l.slice(spans[i]![0], spans[i]![1]).trim()])),
  );
}

const number = (s: string | undefined) => Number(s!.replace(/,/g, ''));

describe('mactile sim with a memory system', () => {
  it.each([
    ['test/fixtures/configs/sa-8x8-os-dram4.yaml', ['IFMAP', 'FILTER', 'OFMAP']],
    ['test/fixtures/configs/nv_small-dram4.yaml', ['feature', 'weight', 'output']],
  ])(
    '%s: the RTL counters of compute, stalls by cause and DRAM words, per layer and in total',
    async (config, causes) => {
      const r = await runCliInProcess(['sim', '--net', 'lenet5', '--config', config, '--format', 'json']);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout) as { ok: boolean; layers: Layer[]; totals: { memory: Memory } };
      expect(doc.ok).toBe(true);
      for (const l of doc.layers) {
        const m = l.memory;
        const measured = (name: string) => l.figures.find((f) => f.name === name)!.measured;
        expect(Object.keys(m.stallsByCause)).toEqual(causes);
        expect(m.computeCycles).toBe(measured('compute cycles'));
        for (const c of causes) expect(m.stallsByCause[c], `${l.name} ${c}`).toBe(measured(`stall cycles ${c}`));
        expect(m.dramWrittenWords).toBe(measured('DRAM words written'));
        const reads = l.figures.filter((f) => f.name.startsWith('DRAM words read'));
        expect(reads).toHaveLength(2);
        expect(m.dramReadWords).toBe(reads[0]!.measured + reads[1]!.measured);
        expect(m.computeCycles + m.stallCycles).toBe(l.rtlCycles);
        expect(m.stallCycles).toBe(Object.values(m.stallsByCause).reduce((a, b) => a + b, 0));
        expect(m.stallCycles).toBeGreaterThan(0);
      }
      const sum = (f: (m: Memory) => number) => doc.layers.reduce((s, l) => s + f(l.memory), 0);
      expect(doc.totals.memory.dramReadWords).toBe(sum((m) => m.dramReadWords));
      for (const c of causes) expect(doc.totals.memory.stallsByCause[c]).toBe(sum((m) => m.stallsByCause[c]!));

      const table = await runCliInProcess(['sim', '--net', 'lenet5', '--config', config, '--full']);
      const rows = tableRows(table.stdout);
      expect(rows.map((x) => x.layer)).toEqual([...doc.layers.map((l) => l.name), 'total']);
      const all = [...doc.layers.map((l) => l.memory), doc.totals.memory];
      rows.forEach((row, i) => {
        expect(number(row['RTL compute'])).toBe(all[i]!.computeCycles);
        for (const c of causes) expect(number(row[`RTL stall ${c}`])).toBe(all[i]!.stallsByCause[c]);
        expect(number(row['DRAM read'])).toBe(all[i]!.dramReadWords);
        expect(number(row['DRAM written'])).toBe(all[i]!.dramWrittenWords);
      });
      // The NVDLA-style core's issue slots are the RTL's count on the memory system too (not 0).
      if (causes[0] === 'feature')
        rows.slice(0, -1).forEach((row, i) => {
          const slots = doc.layers[i]!.figures.find((f) => f.name === 'issue slots')!;
          expect(number(row['issue slots'])).toBe(slots.measured);
          expect(slots.measured).toBeGreaterThan(0);
        });
    },
  );
});
