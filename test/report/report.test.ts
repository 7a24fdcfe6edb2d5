/**
 * The HTML report: opened in headless Chromium (Debian's package, driven by playwright-core), every chart
 * has rendered data marks, the tables hold the numbers of the JSON files, the console stays clean, and the
 * numbers are the ones `mactile sim` prints for the same runs. The same for the three-network study report
 * (`mactile study`), on a small subset: LeNet-5 only, two array sizes, 20 digits, two RTL runs, the area of a
 * 2x2 array.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyData } from '../../src/study/data.js';
import { dataflowRanking } from '../../src/study/findings.js';
import { ownStderr, runCli } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const out = mkdtempSync(join(tmpdir(), 'mactile-report-'));
const studyOut = mkdtempSync(join(tmpdir(), 'mactile-study-'));
let browser: Browser;

beforeAll(async () => {
  const r = await runCli([
    'report',
    '--net',
    'lenet5',
    '--configs',
    'sa-8x8-os,sa-8x8-ws,nv_small',
    '--precision',
    'int8,int16',
    '--out',
    out,
    '--quiet',
  ]);
  expect(ownStderr(r.stderr)).toBe('');
  expect(r.code).toBe(0);
  const s = await runCli([
    'study',
    '--nets',
    'lenet5',
    '--models',
    'models/lenet5.onnx',
    '--test-images',
    '20',
    '--sizes',
    '8,32',
    '--rtl',
    'lenet5@nv_small,lenet5@sa-8x8-os',
    '--area',
    'sa-2x2-os',
    '--out',
    studyOut,
    '--quiet',
  ]);
  expect(ownStderr(s.stderr)).toBe('');
  expect(s.code).toBe(0);
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: make setup installs Debian's chromium`).toBe(true);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
});

describe('the study report', () => {
  it('renders every chart with data marks, the tables match the JSON, and the console shows no errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`file://${join(out, 'index.html')}`);
    const charts = await page.$$eval('[data-chart]', (els) =>
      els.map((e) => ({
        id: e.getAttribute('data-chart'),
        marks: e.querySelectorAll('svg g.role-mark path, svg g.role-mark rect, svg g.role-mark line').length,
      })),
    );
    // comparison + 3 charts for each of the 5 runs (nv_small has no INT16: 2 + 2 + 1).
    expect(charts).toHaveLength(1 + 3 * 5);
    for (const c of charts) expect(c.marks, `chart ${c.id}`).toBeGreaterThan(0);
    const runs = JSON.parse(readFileSync(join(out, 'data', 'comparison.json'), 'utf8')) as { run: string }[];
    expect(runs.map((r) => r.run)).toEqual([
      'sa-8x8-os int8',
      'sa-8x8-os int16',
      'sa-8x8-ws int8',
      'sa-8x8-ws int16',
      'nv_small int8',
    ]);
    for (const r of runs) {
      const id = r.run.replace(/[^A-Za-z0-9_.-]+/g, '-');
      const json = JSON.parse(readFileSync(join(out, 'data', `layers-${id}.json`), 'utf8')) as {
        layers: Record<string, number | string>[];
      };
      const cells = await page.$$eval(`table[data-table="layers-${id}"] tbody tr`, (rows) =>
        rows.map((tr) =>
          Object.fromEntries(
            [...tr.querySelectorAll('td')].map((td) => [td.getAttribute('data-key'), td.getAttribute('data-value')]),
          ),
        ),
      );
      expect(cells).toHaveLength(json.layers.length);
      cells.forEach((row, i) => {
        for (const key of ['rtlCycles', 'analyticCycles', 'macs', 'dramWords', 'outputsChecked'])
          expect(Number(row[key]), `${r.run} ${key}`).toBe(json.layers[i]![key]);
        expect(row.bitExact).toBe('yes');
      });
    }
    // Provenance: each run's config at the precision it ran.
    const configs = JSON.parse(await page.$eval('pre[data-provenance]', (e) => e.textContent ?? '')) as Record<
      string,
      { precision: string }
    >;
    expect(Object.entries(configs).map(([run, c]) => `${run}: ${c.precision}`)).toEqual(
      runs.map((r) => `${r.run}: ${r.run.split(' ')[1]}`),
    );
    const screenshot = join(out, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: false });
    expect(readFileSync(screenshot).length).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('holds the numbers `mactile sim` prints for the same run', async () => {
    const sim = JSON.parse(
      (await runCli(['sim', '--net', 'lenet5', '--config', 'sa-8x8-ws', '--precision', 'int16', '--format', 'json']))
        .stdout,
    );
    const report = JSON.parse(readFileSync(join(out, 'data', 'layers-sa-8x8-ws-int16.json'), 'utf8'));
    expect(report.layers.map((l: { rtlCycles: number }) => l.rtlCycles)).toEqual(
      sim.layers.map((l: { rtlCycles: number }) => l.rtlCycles),
    );
    expect(report.layers.map((l: { analyticCycles: number }) => l.analyticCycles)).toEqual(
      sim.layers.map((l: { analyticCycles: number }) => l.analyticCycles),
    );
    expect(report.layers.map((l: { referenceCycles: number }) => l.referenceCycles)).toEqual(
      sim.layers.map((l: { referenceCycles: number }) => l.referenceCycles),
    );
    expect(report.totals.rtlCycles).toBe(sim.totals.rtlCycles);
    const nv = JSON.parse(
      (await runCli(['sim', '--net', 'lenet5', '--config', 'nv_small', '--format', 'json'])).stdout,
    );
    const nvReport = JSON.parse(readFileSync(join(out, 'data', 'layers-nv_small-int8.json'), 'utf8'));
    expect(nvReport.totals.rtlCycles).toBe(nv.totals.rtlCycles);
    expect(nvReport.totals.timeMs).toBeCloseTo(nv.totals.timeMs, 9);
  });
});

/** The cells of every table of a page, by table id: rows of data-key to data-value. */
async function pageTables(page: Page): Promise<Record<string, Record<string, string | null>[]>> {
  return page.$$eval('table[data-table]', (tables) =>
    Object.fromEntries(
      tables.map((t) => [
        t.getAttribute('data-table'),
        [...t.querySelectorAll('tbody tr')].map((tr) =>
          Object.fromEntries(
            [...tr.querySelectorAll('td')].map((td) => [td.getAttribute('data-key'), td.getAttribute('data-value')]),
          ),
        ),
      ]),
    ),
  );
}

describe('the three-network study report', () => {
  const study = () => JSON.parse(readFileSync(join(studyOut, 'study.json'), 'utf8')) as StudyData;

  it('opens with findings linked to their evidence, every chart has data marks, every table equals its JSON', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`file://${join(studyOut, 'index.html')}`);
    // Findings first: the first section after the title, each with a link to an element of the page.
    expect(await page.$eval('h2', (h) => h.id)).toBe('findings');
    const findings = await page.$$eval('[data-finding] a', (as) =>
      as.map((a) => ({
        href: a.getAttribute('href')!,
        target: !!document.getElementById(a.getAttribute('href')!.slice(1)),
      })),
    );
    expect(findings.length).toBeGreaterThanOrEqual(6);
    for (const f of findings) expect(f.target, f.href).toBe(true);
    const charts = await page.$$eval('[data-chart]', (els) =>
      els.map((e) => ({
        id: e.getAttribute('data-chart'),
        marks: e.querySelectorAll('svg g.role-mark path, svg g.role-mark rect, svg g.role-mark line').length,
      })),
    );
    // accuracy; per network: NVDLA time, same layer, utilisation and cycles against size, cycles and bandwidth per
    // layer, energy per layer on nv_small and on the fastest dataflow at 32x32; RTL difference.
    const fastest = dataflowRanking(study(), 'lenet5', 32)[0]!.config;
    expect(charts.map((c) => c.id).sort()).toEqual(
      [
        'accuracy-lenet5',
        'nvdla-time-lenet5',
        'same-layer-lenet5',
        'util-size-lenet5',
        'cycles-size-lenet5',
        'layer-cycles-lenet5',
        'bandwidth-lenet5',
        'roofline-lenet5',
        'rtl-difference',
        'energy-layers-lenet5-nv_small',
        `energy-layers-lenet5-${fastest}`,
      ].sort(),
    );
    for (const c of charts) expect(c.marks, `chart ${c.id}`).toBeGreaterThan(0);
    // Every data mark has a hover title with its figures, e.g. the bar of a layer names the layer.
    const untitled = await page.$$eval(
      'svg g.role-mark [role="graphics-symbol"]',
      (ms) => ms.filter((m) => !m.querySelector('title')).length,
    );
    expect(untitled).toBe(0);
    const conv1 = await page.$$eval('[data-chart="nvdla-time-lenet5"] svg [role="graphics-symbol"] title', (ts) =>
      ts.map((t) => t.textContent ?? '').filter((t) => t.includes('layer: conv1')),
    );
    expect(conv1.length).toBe(2); // its compute and its stall part
    // The energy chart: a bar per layer and table, stacked by component (MAC, register, SRAM, DRAM and the rest of
    // Horowitz's DRAM range), every mark naming its layer and table.
    const energyMarks = await page.$$eval(
      '[data-chart="energy-layers-lenet5-nv_small"] svg [role="graphics-symbol"] title',
      (ts) => ts.map((t) => t.textContent ?? ''),
    );
    expect(energyMarks.filter((t) => t.includes('conv1 · horowitz-45nm')).length).toBe(5);
    expect(energyMarks.filter((t) => t.includes('conv1 · eyeriss-65nm')).length).toBe(5);
    for (const part of ['MAC', 'register', 'SRAM', 'DRAM', 'DRAM, high end'])
      expect(energyMarks.some((t) => t.includes(`part: ${part};`) || t.endsWith(`part: ${part}`))).toBe(true);
    const tables = await pageTables(page);
    for (const [id, rows] of Object.entries(tables)) {
      const json = JSON.parse(readFileSync(join(studyOut, 'data', 'tables', `${id}.json`), 'utf8')) as Record<
        string,
        unknown
      >[];
      expect(
        rows.map((r) => Object.keys(r)),
        id,
      ).toEqual(json.map((r) => Object.keys(r)));
      rows.forEach((r, i) => {
        for (const [k, v] of Object.entries(r)) expect(v, `${id} row ${i} ${k}`).toBe(String(json[i]![k]));
      });
    }
    // The tables hold the study's data: accuracy variants, NVDLA totals, RTL runs.
    const d = study();
    expect(tables['accuracy-lenet5']!.map((r) => Number(r.accuracy))).toEqual(
      d.accuracy[0]!.variants.map((v) => v.accuracy),
    );
    expect(d.accuracy[0]!.variants).toHaveLength(12);
    // The study quantizes as `quantize` does by default, and the page says so.
    expect(d.accuracy[0]!.activations).toBe('asymmetric');
    expect(await page.textContent('body')).toContain('calibration on 500 training digits, asymmetric activations.');
    expect(tables['nvdla-totals-lenet5']!.map((r) => Number(r.cycles))).toEqual(d.nvdla.map((r) => r.totals.cycles));
    expect(tables.rtl!.map((r) => [r.config, Number(r.rtlCycles), r.ok])).toEqual(
      d.rtl.map((r) => [r.config, r.rtlCycles, 'yes']),
    );
    // Energy per inference: every NVDLA run and the 32x32 systolic runs, the range over both tables; INT8 against
    // INT16; the area of the 2x2 array, synthesized.
    const priced = [...d.nvdla, ...d.systolic.filter((r) => r.size === 32)];
    expect(tables['energy-per-inference']).toHaveLength(priced.length);
    expect(tables['energy-per-inference']!.map((r) => Number(r.ujLow))).toEqual(
      priced.map((r) => r.energy!.range.total.low / 1e6),
    );
    expect(tables['energy-per-inference']!.map((r) => Number(r.ujHigh))).toEqual(
      priced.map((r) => r.energy!.range.total.high / 1e6),
    );
    expect(tables['energy-int16']!.map((r) => `${r.int8} ${r.int16}`)).toEqual([
      `${fastest} ${fastest}-int16`,
      'nv_full_int8 nv_full_int16',
    ]);
    expect(tables[`energy-layers-lenet5-nv_small`]!.map((r) => r.layer)).toEqual(
      d.nvdla.find((r) => r.config === 'nv_small')!.layers.map((l) => l.name),
    );
    expect(d.area!.runs.map((r) => [r.config, r.macCells])).toEqual([['sa-2x2-os', 4]]);
    expect(tables.area!.map((r) => [r.config, Number(r.cells)])).toEqual([['sa-2x2-os', d.area!.runs[0]!.cells]]);
    expect(d.area!.runs[0]!.cells).toBeGreaterThan(1000);
    expect(await page.textContent('nav#toc')).toContain('7. Energy per inference and area');
    // Provenance: every run with the precision it ran at.
    const prov = tables.provenance!.map((r) => `${r.config} ${r.precision}`);
    expect(prov).toContain('nv_small int8');
    expect(prov).toContain('nv_full_int16 int16');
    expect(prov).toContain('sa-32x32-ws-int16 int16');
    // A click on a header sorts the table by that column (numbers as numbers), a second click reverses it.
    const column = async () =>
      page.$$eval('table[data-table="nvdla-totals-lenet5"] td[data-key="cycles"]', (tds) =>
        tds.map((td) => Number(td.getAttribute('data-value'))),
      );
    const header = page.locator('table[data-table="nvdla-totals-lenet5"] th', { hasText: /^cycles$/ });
    await header.click();
    const up = await column();
    expect(up).toEqual([...up].sort((a, b) => a - b));
    await header.click();
    expect(await column()).toEqual([...up].reverse());
    expect(errors).toEqual([]);
    await page.close();
  });

  it('holds the RTL cycles `mactile sim` prints and the analytic cycles `analyze` prints', async () => {
    const d = study();
    const sim = JSON.parse(
      (await runCli(['sim', '--net', 'lenet5', '--config', 'sa-8x8-os', '--format', 'json'])).stdout,
    );
    const run = d.rtl.find((r) => r.config === 'sa-8x8-os')!;
    expect(run.layers.map((l) => l.rtlCycles)).toEqual(sim.layers.map((l: { rtlCycles: number }) => l.rtlCycles));
    expect(run.layers.every((l) => l.difference === 0)).toBe(true);
    // The NVDLA-style cores run with their memory system at the study's DRAM bandwidth (16 words per cycle).
    expect(d.systolicDram).toBe(16);
    const withDram = (preset: string) => {
      const file = join(studyOut, `${preset}-dram16.yaml`);
      writeFileSync(
        file,
        `${readFileSync(`configs/${preset}.yaml`, 'utf8')}\nname: ${preset}\ndram: { bandwidth: 16 }\n`,
      );
      return file;
    };
    const nv = JSON.parse(
      (await runCli(['analyze', '--net', 'lenet5', '--config', withDram('nv_full_int16'), '--format', 'json'])).stdout,
    );
    const full = d.nvdla.find((r) => r.config === 'nv_full_int16')!;
    expect(full.dram).toBe(16);
    expect(full.layers.map((l) => [l.cycles, l.stallCycles, l.dramWords])).toEqual(
      nv.layers.map((l: { cycles: number; stallCycles: number; dramWords: number }) => [
        l.cycles,
        l.stallCycles,
        l.dramWords,
      ]),
    );
    expect(full.totals.stallCycles).toBeGreaterThan(0);
    const nvSim = JSON.parse(
      (await runCli(['sim', '--net', 'lenet5', '--config', withDram('nv_small'), '--format', 'json'])).stdout,
    );
    const small = d.rtl.find((r) => r.config === 'nv_small')!;
    expect(small.layers.map((l) => l.rtlCycles)).toEqual(nvSim.layers.map((l: { rtlCycles: number }) => l.rtlCycles));
    expect(small.rtlCycles).toBe(d.nvdla.find((r) => r.config === 'nv_small')!.totals.cycles);
  });

  it('renders the same page again from its data with --from', async () => {
    const again = mkdtempSync(join(tmpdir(), 'mactile-study-from-'));
    const r = await runCli(['study', '--from', studyOut, '--out', again]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(again, 'index.html'), 'utf8')).toBe(readFileSync(join(studyOut, 'index.html'), 'utf8'));
  });

  it('renders a study.json written before energy and area, saying it has neither', async () => {
    const old = mkdtempSync(join(tmpdir(), 'mactile-study-old-'));
    const d = study();
    delete d.area;
    for (const r of [...d.nvdla, ...d.systolic]) delete r.energy;
    writeFileSync(join(old, 'study.json'), JSON.stringify(d));
    const out = mkdtempSync(join(tmpdir(), 'mactile-study-old-out-'));
    const r = await runCli(['study', '--from', old, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('No energy figures in this study.json');
    expect(html).toContain('No area in this study');
    expect(html).not.toContain('data-chart="energy-layers');
  });
});
