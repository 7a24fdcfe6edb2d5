/**
 * NVDLA's performance workbook recomputed (src/accel/nvdla/sheet.ts) against its extracted tables
 * (test/analytic/nvdla-perf/, copied from the extraction in ../shared/reference/nvdla-perf/): every constant
 * cell, every formula cell of the three layer tables (exact equality), every total and the published summary.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SHEET_DEFAULTS, estimateRow, xlCeil, type EstimatorRow } from '../../src/accel/nvdla/estimator.js';
import {
  SHEET_COLUMNS,
  SHEET_CONFIG,
  SHEET_LAST_ROW,
  evaluateSheet,
  sheetRows,
  type SheetCell,
  type SheetName,
  type SheetTotals,
} from '../../src/accel/nvdla/sheet.js';
import { SHEET_INPUTS } from '../../src/accel/nvdla/sheet-tables.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, 'nvdla-perf');
/** The extraction this copy was taken from (outside the repository; only this test reads it). */
const ORIGINALS = join(HERE, '..', '..', '..', 'shared', 'reference', 'nvdla-perf');
const SHEETS: SheetName[] = ['AlexNet', 'GoogLeNet', 'ResNet50'];

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}
const csv = (file: string) => parseCsv(readFileSync(join(FIXTURES, file), 'utf8'));
/** A CSV cell as the workbook held it: blank, TRUE/FALSE, a number, or text. */
function cell(text: string): SheetCell {
  if (text === '') return undefined;
  if (text === 'TRUE') return true;
  if (text === 'FALSE') return false;
  const n = Number(text);
  return Number.isNaN(n) ? text : n;
}

/** Per sheet: xlsx row -> CSV header -> cached value; formula rows per CSV header (within the layer table). */
function loadSheet(name: SheetName) {
  const rows = new Map(csv(`${name}.csv`).map((r) => [Number(r.xlsx_row), r]));
  const letterOf = new Map(
    csv('columns.csv')
      .filter((c) => c.sheet === name)
      .map((c) => [c.csv_header!, c.xlsx_column!]),
  );
  const formulaRows = new Map<string, Set<number>>();
  for (const v of csv('formula_variants.csv').filter((f) => f.sheet === name)) {
    for (const r of sheetRows(v.rows!)) {
      if (r < 11 || r > SHEET_LAST_ROW[name]) continue;
      const set = formulaRows.get(v.xlsx_column!) ?? new Set<number>();
      set.add(r);
      formulaRows.set(v.xlsx_column!, set);
    }
  }
  const isFormula = (header: string, row: number) => formulaRows.get(letterOf.get(header)!)?.has(row) ?? false;
  return { rows, letterOf, formulaRows, isFormula };
}

describe("the committed copy of NVDLA's performance workbook tables", () => {
  it.skipIf(!existsSync(ORIGINALS))('equals the extraction in ../shared/reference/nvdla-perf byte for byte', () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => f !== 'README.md')
      .sort();
    expect(files).toEqual([
      'AlexNet.csv',
      'GoogLeNet.csv',
      'LICENSE',
      'ResNet50.csv',
      'columns.csv',
      'configuration.csv',
      'formula_variants.csv',
      'network_totals.csv',
      'summary.csv',
    ]);
    const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
    for (const f of files) expect(sha(join(FIXTURES, f)), f).toBe(sha(join(ORIGINALS, f)));
  });

  it('holds the configuration the recomputation uses as its defaults', () => {
    const byCell = new Map(csv('configuration.csv').map((r) => [r.cell!, Number(r.default_value)]));
    const c = (cell: string) => byCell.get(cell);
    expect(SHEET_CONFIG).toEqual({
      inBytes: c("'Configuration Input'!B3"),
      wBytes: c("'Configuration Input'!C3"),
      cbufKb: c("'Configuration Input'!D3"),
      macs: c("'Configuration Input'!E3"),
      clockMhz: c("'Configuration Input'!F3"),
      sramReadGbps: c("'Configuration Input'!G3"),
      sramWriteGbps: c("'Configuration Input'!H3"),
      dramGbps: c("'Configuration Input'!I3"),
      fcBatch: c("'Configuration Input'!J3"),
      compression: c('AlexNet!F2'),
      sramKb: c('AlexNet!AI9'),
    });
    for (const cell of ['GoogLeNet!F2', 'ResNet50!F2']) expect(c(cell)).toBe(0);
    for (const cell of ['GoogLeNet!AI9', 'ResNet50!AH9']) expect(c(cell)).toBe(4096);
  });
});

describe.each(SHEETS)('NVDLA performance workbook, %s sheet', (name) => {
  const sheet = loadSheet(name);
  const cols = SHEET_COLUMNS[name];
  const res = evaluateSheet(name);

  it('names every CSV column', () => {
    const headers = Object.keys(sheet.rows.values().next().value!).filter((h) => h !== 'xlsx_row');
    expect(Object.values(cols).sort()).toEqual([...headers].sort());
  });

  it('has as constants exactly the constant cells of the layer table (sheet-tables.ts)', () => {
    const want: Record<string, SheetCell>[] = [];
    for (const [row, r] of sheet.rows) {
      const o: Record<string, SheetCell> = { row };
      for (const [sym, header] of Object.entries(cols))
        if (r[header] !== '' && !sheet.isFormula(header, row)) o[sym] = cell(r[header]!);
      want.push(o);
    }
    expect(SHEET_INPUTS[name]).toEqual(want);
  });

  it('computes exactly the formula cells of the workbook, column by column', () => {
    const have = new Map<string, number[]>();
    for (const c of res.formulaCells)
      have.set(sheet.letterOf.get(cols[c.sym]!)!, [...(have.get(sheet.letterOf.get(cols[c.sym]!)!) ?? []), c.row]);
    const sorted = (m: Map<string, Iterable<number>>) =>
      Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort((a, b) => a - b)]).sort());
    expect(sorted(have)).toEqual(sorted(sheet.formulaRows));
  });

  it('reproduces every cached per-layer value exactly, from the constant cells and the configuration alone', () => {
    const diffs: string[] = [];
    for (const c of res.formulaCells) {
      const want = cell(sheet.rows.get(c.row)![cols[c.sym]!]!);
      if (!Object.is(c.value, want))
        diffs.push(`${cols[c.sym]} row ${c.row}: cached ${JSON.stringify(want)}, computed ${JSON.stringify(c.value)}`);
    }
    expect(diffs).toEqual([]);
    expect(res.formulaCells.length).toBe({ AlexNet: 288, GoogLeNet: 1792, ResNet50: 1457 }[name]);
  });

  it('reproduces the totals under the layer table (network_totals.csv)', () => {
    const key: Record<string, keyof SheetTotals> = {
      'Total Cycle': 'cycles',
      'Total Time': 'timeMs',
      FPS: 'fps',
      'HW MAC Effi': 'hwMacUtil',
      'Network MAC Effi': 'networkMacUtil',
    };
    const rows = csv('network_totals.csv').filter((r) => r.sheet === name);
    for (const r of rows)
      expect(res.totals[r.scenario === 'SRAM=4M' ? '4M' : '0M'][key[r.metric!]!], `${r.cell} ${r.metric}`).toBe(
        Number(r.value),
      );
    const present = (['4M', '0M'] as const).flatMap((s) => Object.keys(res.totals[s]).map((k) => `${s} ${k}`));
    expect(present).toHaveLength(rows.length);
  });
});

describe("NVDLA's published figures", () => {
  const t = Object.fromEntries(SHEETS.map((n) => [n, evaluateSheet(n).totals])) as Record<
    SheetName,
    { '4M': SheetTotals; '0M': SheetTotals }
  >;

  it('AlexNet 0.8954 ms, with 4 MB on-chip SRAM 0.5915 ms, GoogLeNet 1.2221 ms, ResNet-50 7.1137 ms', () => {
    expect(
      [t.AlexNet['0M'].timeMs, t.AlexNet['4M'].timeMs, t.GoogLeNet['0M'].timeMs, t.ResNet50['0M'].timeMs].map((x) =>
        x.toFixed(4),
      ),
    ).toEqual(['0.8954', '0.5915', '1.2221', '7.1137']);
    // To the last digit the workbook stores.
    expect(t.AlexNet['0M']).toEqual({
      cycles: 895_443.5625,
      timeMs: 0.8954435625,
      fps: 1116.7649664129447,
      hwMacUtil: 0.2910284616625406,
      networkMacUtil: 0.3950156999704825,
    });
    expect(t.AlexNet['4M']).toEqual({
      cycles: 591_475.5625,
      timeMs: 0.5914755625,
      fps: 1690.6869250409648,
      hwMacUtil: 0.44059227299014575,
      networkMacUtil: 0.5980200840926543,
    });
    expect(t.GoogLeNet['0M']).toEqual({
      cycles: 1_222_071,
      timeMs: 1.222071,
      fps: 818.2830621134125,
      hwMacUtil: 0.43188079906977583,
      networkMacUtil: 0.6272278779219865,
    });
    expect(t.ResNet50['0M']).toEqual({
      cycles: 7_113_691,
      timeMs: 7.113691,
      fps: 140.57400019202407,
      hwMacUtil: 0.23158160791634047,
      networkMacUtil: 0.26745496817334347,
    });
    // The SRAM=4M totals the summary does not show.
    expect(t.GoogLeNet['4M']).toEqual({ cycles: 579_712.5, timeMs: 0.5797125, fps: 1724.9929922159693 });
    expect(t.ResNet50['4M']).toEqual({
      cycles: 5_161_544,
      timeMs: 5.161544,
      fps: 193.74047765552322,
      hwMacUtil: 0.2751192278899492,
      networkMacUtil: 0.36860908286357724,
    });
  });

  it('are the 16 figures of the Performance Summary sheet (summary.csv)', () => {
    const totals = new Map(csv('network_totals.csv').map((r) => [r.cell!, r]));
    const key: Record<string, keyof SheetTotals> = {
      'Total Time': 'timeMs',
      FPS: 'fps',
      'HW MAC Effi': 'hwMacUtil',
      'Network MAC Effi': 'networkMacUtil',
    };
    const figures = ['Average Run Time for 1 Frame', 'FPS', 'HW MAC Utilization', 'Network MAC Utilization'];
    let n = 0;
    for (const row of csv('summary.csv')) {
      row.source_cells!.split(' ').forEach((src, i) => {
        const tot = totals.get(src)!;
        expect(
          t[tot.sheet as SheetName][tot.scenario === 'SRAM=4M' ? '4M' : '0M'][key[tot.metric!]!],
          `${row.Network} ${figures[i]}`,
        ).toBe(Number(row[figures[i]!]));
        n++;
      });
    }
    expect(n).toBe(16);
  });

  it('follow the configuration: FC batch 1 or half the MACs cost AlexNet time', () => {
    const base = evaluateSheet('AlexNet').totals['0M'].cycles;
    const batch1 = evaluateSheet('AlexNet', { ...SHEET_CONFIG, fcBatch: 1 }).totals['0M'].cycles;
    // fc1..fc3 then fetch their 57 MB of weights for every frame: 5.7 ms at 10 GB/s.
    expect(batch1).toBeGreaterThan(base + 5_000_000);
    const halfMacs = evaluateSheet('AlexNet', { ...SHEET_CONFIG, macs: 1024 }).totals['0M'].cycles;
    expect(halfMacs).toBeGreaterThan(base);
  });
});

describe("the workbook's arithmetic", () => {
  it("rounds up as Excel's CEILING does, at 15 significant digits", () => {
    // GoogLeNet AQ15: CEILING(162.25/10*1000, 1) is cached as 16225; the IEEE product is 16225.000000000002.
    expect((162.25 / 10) * 1000).toBe(16225.000000000002);
    expect(xlCeil((162.25 / 10) * 1000)).toBe(16225);
    expect(evaluateSheet('GoogLeNet').value('dram0_cyc', 15)).toBe(16225);
  });
});

describe("the estimator of mactile layers is the AlexNet sheet's SRAM=0M block", () => {
  const res = evaluateSheet('AlexNet');
  const rows: EstimatorRow[] = SHEET_INPUTS.AlexNet.map((r) => ({
    name: String(r.layer),
    c: Number(r.C),
    h: Number(r.H),
    w: Number(r.W),
    k: Number(r.K),
    r: Number(r.R),
    s: Number(r.S),
    strideH: Number(r.sH),
    strideW: Number(r.sW),
    padded: r.pad === true,
    pool: r.pool === true ? { size: Number(r.pH), stride: Number(r.psH) } : undefined,
    winograd: res.value('wino', r.row) === true,
    fc: r.attr === 'fc',
  }));

  it('reproduces the sheet row by row: data sizes, DRAM traffic and cycles, MAC cycles, the max, the long pole', () => {
    const got = rows.map((r) => estimateRow(r, SHEET_DEFAULTS));
    const want = SHEET_INPUTS.AlexNet.map(({ row }) => {
      const v = (s: string) => res.value(s, row);
      return {
        inputKb: v('In'),
        outputKb: v('Out'),
        weightKb: v('Wt'),
        dramKb: v('dram0'),
        dramCycles: v('dram0_cyc'),
        macCycles: v('mac0'),
        cycles: v('max0'),
        bound: v('pole0'),
      };
    });
    expect(got).toEqual(want);
    expect(got.reduce((s, e) => s + e.cycles, 0)).toBe(895_443.5625);
  });
});
