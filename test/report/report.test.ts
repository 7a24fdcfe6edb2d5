/**
 * The HTML report: opened in headless Chromium (Debian's package, driven by playwright-core), every chart
 * has rendered data marks, the tables hold the numbers of the JSON files, the console stays clean, and the
 * numbers are the ones `mactile sim` prints for the same runs.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownStderr, runCli } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const out = mkdtempSync(join(tmpdir(), 'mactile-report-'));
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
