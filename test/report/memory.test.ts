/**
 * The report's memory section (runs with a numeric DRAM bandwidth), opened in headless Chromium: per run the
 * stall breakdown, the roofline and the network's cycles against DRAM bandwidth have their data marks, the
 * tables equal their JSON files, the console stays clean, and the numbers are those of `sim` (the RTL's
 * counters per layer) and `analyze` (the curve, at configs written with other bandwidths).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadNetwork } from '../../src/nets/load.js';
import { BANDWIDTHS, runMemory, type BandwidthPoint } from '../../src/report/memory.js';
import { ownStderr, runCli } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const SA = 'test/fixtures/configs/sa-8x8-os-dram4.yaml';
const NV = 'test/fixtures/configs/nv_small-dram4.yaml';
const RUNS = [
  { id: 'sa-8x8-os-dram4-int8', config: SA, causes: ['IFMAP', 'FILTER', 'OFMAP'], roof: 64 },
  { id: 'nv_small-dram4-int8', config: NV, causes: ['feature', 'weight', 'output'], roof: 64 },
];
const out = mkdtempSync(join(tmpdir(), 'mactile-report-memory-'));
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  const r = await runCli([
    'report',
    '--net',
    'lenet5',
    '--configs',
    `${SA},${NV},sa-8x8-ws`,
    '--precision',
    'int8',
    '--out',
    out,
    '--quiet',
  ]);
  expect(ownStderr(r.stderr)).toBe('');
  expect(r.code).toBe(0);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`file://${join(out, 'index.html')}`);
}, 600_000);

afterAll(async () => {
  await browser?.close();
});

const json = <T>(name: string) => JSON.parse(readFileSync(join(out, 'data', name), 'utf8')) as T;

/** A table's cells by row: data-key to data-value. */
const cells = (id: string) =>
  page.$$eval(`table[data-table="${id}"] tbody tr`, (rows) =>
    rows.map((tr) =>
      Object.fromEntries(
        [...tr.querySelectorAll('td')].map((td) => [td.getAttribute('data-key')!, td.getAttribute('data-value')!]),
      ),
    ),
  );

/** The data marks of a chart: lines and bars (path, rect) and point symbols apart. */
const marks = (id: string) =>
  page.$eval(`[data-chart="${id}"]`, (e) => ({
    symbols: e.querySelectorAll('svg g.mark-symbol.role-mark path').length,
    lines: e.querySelectorAll('svg g.mark-line.role-mark path').length,
    bars: e.querySelectorAll('svg g.mark-rect.role-mark path').length,
    rules: e.querySelectorAll('svg g.mark-rule.role-mark line').length,
  }));

describe('the memory section of the report', () => {
  it('is there for the runs with a numeric DRAM bandwidth only, with its three charts each', async () => {
    const ids = await page.$$eval('[data-chart]', (els) => els.map((e) => e.getAttribute('data-chart')!));
    const memoryCharts = ids.filter((id) => /^(stalls|roofline|bandwidth)-/.test(id)).sort();
    expect(memoryCharts).toEqual(
      RUNS.flatMap((r) => ['stalls', 'roofline', 'bandwidth'].map((c) => `${c}-${r.id}`)).sort(),
    );
    expect(await page.$$eval('h2#memory', (h) => h.length)).toBe(1);
    for (const r of RUNS) {
      // Five layers: a bar per layer and part (compute + 3 causes), a roofline point per layer, two roofs.
      const stalls = await marks(`stalls-${r.id}`);
      expect(stalls.bars, r.id).toBe(5 * 4);
      const roofline = await marks(`roofline-${r.id}`);
      expect(roofline.symbols, r.id).toBe(5);
      expect(roofline.lines, r.id).toBe(2);
      // The analytic curve's points (BANDWIDTHS holds the run's 4), the RTL's point, and two rules: the memory
      // system without stalls and the compute-only core.
      const curve = await marks(`bandwidth-${r.id}`);
      expect(curve.symbols, r.id).toBe(BANDWIDTHS.length + 1);
      expect(curve.lines, r.id).toBe(1);
      expect(curve.rules, r.id).toBe(2);
    }
    expect(errors).toEqual([]);
  });

  it("holds in its tables the JSON files' numbers, and the RTL's counters `sim` prints", async () => {
    for (const r of RUNS) {
      const rows = await cells(`memory-${r.id}`);
      const data = json<Record<string, number | string>[]>(`memory-${r.id}.json`);
      expect(rows.map((x) => Object.keys(x))).toEqual(data.map((x) => Object.keys(x)));
      rows.forEach((row, i) => {
        for (const [k, v] of Object.entries(row)) expect(v, `${r.id} row ${i} ${k}`).toBe(String(data[i]![k]));
      });
      const sim = JSON.parse(
        (await runCli(['sim', '--net', 'lenet5', '--config', r.config, '--format', 'json'])).stdout,
      );
      sim.layers.forEach(
        (
          l: {
            name: string;
            rtlCycles: number;
            memory: {
              computeCycles: number;
              stallsByCause: Record<string, number>;
              dramReadWords: number;
              dramWrittenWords: number;
            };
          },
          i: number,
        ) => {
          const row = data[i]!;
          expect(row.layer).toBe(l.name);
          expect(row.rtlCycles).toBe(l.rtlCycles);
          expect(row.computeCycles).toBe(l.memory.computeCycles);
          for (const c of r.causes) expect(row[`stall:${c}`], `${l.name} ${c}`).toBe(l.memory.stallsByCause[c]);
          expect(row.dramReadWords).toBe(l.memory.dramReadWords);
          expect(row.dramWrittenWords).toBe(l.memory.dramWrittenWords);
          // The stacked bar is the layer's cycles: compute plus every stall.
          const stalls = r.causes.reduce((s, c) => s + Number(row[`stall:${c}`]), 0);
          expect(Number(row.computeCycles) + stalls).toBe(l.rtlCycles);
          expect(row.macsPerCycle).toBeLessThanOrEqual(r.roof);
        },
      );
      const curve = await cells(`bandwidth-${r.id}`);
      const points = json<BandwidthPoint[]>(`bandwidth-${r.id}.json`);
      expect(curve.map((x) => [x.bandwidth, x.analyticCycles, x.rtlCycles])).toEqual(
        points.map((p) => [
          String(p.bandwidth),
          String(p.analyticCycles),
          p.rtlCycles === undefined ? '' : String(p.rtlCycles),
        ]),
      );
    }
    expect(errors).toEqual([]);
  });

  it('marks the RTL where it ran, equal to the analytic model there, and the curve is `analyze` at each bandwidth', async () => {
    for (const r of RUNS) {
      const points = json<BandwidthPoint[]>(`bandwidth-${r.id}.json`);
      const ran = points.filter((p) => p.rtlCycles !== undefined);
      expect(ran.map((p) => p.bandwidth)).toEqual([4]);
      expect(ran[0]!.rtlCycles).toBe(ran[0]!.analyticCycles);
      const report = json<{ totals: { rtlCycles: number } }>(`layers-${r.id}.json`);
      expect(ran[0]!.rtlCycles).toBe(report.totals.rtlCycles);
      expect(points.map((p) => p.bandwidth)).toEqual([...BANDWIDTHS, 'calc']);
      // The floor the page states is the memory system's compute cycles: no point of the curve lies below it.
      const own = JSON.parse(
        (await runCli(['analyze', '--net', 'lenet5', '--config', r.config, '--format', 'json'])).stdout,
      ) as { layers: { computeCycles: number }[] };
      const floor = own.layers.reduce((s, l) => s + l.computeCycles, 0);
      expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain(
        `compute cycles (${floor.toLocaleString('en-US')}, no stalls left)`,
      );
      for (const p of points.filter((q) => q.bandwidth !== 'calc'))
        expect(p.analyticCycles).toBeGreaterThanOrEqual(floor);
      // Less bandwidth, more stalls: the slowest port is the slowest network.
      expect(points[0]!.analyticCycles).toBeGreaterThan(points[BANDWIDTHS.length - 1]!.analyticCycles);
      for (const bandwidth of [0.25, 64, 'calc'] as const) {
        const file = join(out, `${r.id}-${bandwidth}.yaml`);
        writeFileSync(file, readFileSync(r.config, 'utf8').replace(/bandwidth: 4/, `bandwidth: ${bandwidth}`));
        const a = JSON.parse(
          (await runCli(['analyze', '--net', 'lenet5', '--config', file, '--format', 'json'])).stdout,
        );
        expect(points.find((p) => p.bandwidth === bandwidth)!.analyticCycles, `${r.id} at ${bandwidth}`).toBe(
          a.totals.cycles,
        );
      }
    }
  });

  it("draws the roofline's roofs from the kind's MAC cells and the DRAM bandwidth, a point per layer", () => {
    for (const r of RUNS) {
      type Row = { macsPerWord: number; macsPerCycle: number; roof?: string; layer?: string };
      const spec = json<{ layer: { data: { values: Row[] } }[] }>(`roofline-${r.id}.vl.json`);
      const [roofs, points] = spec.layer.map((l) => l.data.values);
      for (const p of roofs!.filter((x) => x.roof === 'compute roof')) expect(p.macsPerCycle).toBe(r.roof);
      for (const p of roofs!.filter((x) => x.roof === 'bandwidth roof'))
        expect(p.macsPerCycle / p.macsPerWord).toBeCloseTo(4, 12);
      const rows = json<Record<string, number | string>[]>(`memory-${r.id}.json`);
      expect(points!.map((p) => [p.layer, p.macsPerWord, p.macsPerCycle])).toEqual(
        rows.map((x) => [x.layer, x.macsPerWord, x.macsPerCycle]),
      );
    }
  });

  it('has no memory figures for a run on an ideal memory (bandwidth calc)', async () => {
    expect(runMemory(loadConfig('sa-8x8-ws'), loadNetwork('lenet5'), 1)).toBeUndefined();
    expect(await page.$$eval('[data-chart^="stalls-sa-8x8-ws"]', (e) => e.length)).toBe(0);
    const layers = await cells('layers-sa-8x8-ws-int8');
    for (const l of layers) {
      expect(l.stallCycles).toBe('0');
      expect(l.computeCycles).toBe(l.rtlCycles);
      expect(Number(l.dramReadWords) + Number(l.dramWrittenWords)).toBe(Number(l.dramWords));
    }
  });
});
