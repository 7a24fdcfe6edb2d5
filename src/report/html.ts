/**
 * The study report: one self-contained index.html (inline SVG charts, no scripts, no network) plus the
 * CSV and JSON behind every table and chart, in the folder given.
 */
import { join } from 'node:path';
import { describeConfig } from '../config/describe.js';
import { writeOutputFiles } from '../util/output.js';
import { accuracySpec, comparisonSpec, cyclesSpec, perLayerSpec, renderSvg } from './charts.js';
import type { RunStudy } from './study.js';
import { memorySection } from './memory-html.js';
import { renderCsv, type Column } from './table.js';

export interface AccuracyVariant {
  precision: string;
  calibration: string;
  granularity: string;
  accuracy: number;
}

export interface HostOp {
  name: string;
  kind: string;
  runs: string;
}

export interface ReportData {
  title: string;
  network: string;
  model?: string;
  command: string;
  date: string;
  tools: Record<string, string>;
  accuracy?: {
    fp32: number;
    heldOut: number;
    /** Which test images, when not MNIST's held-out digits (escaped when shown). */
    testImages?: string;
    /** The activations' scheme. */
    activations?: 'symmetric' | 'asymmetric';
    variants: AccuracyVariant[];
    sqnr: { layer: string; [precision: string]: number | string }[];
  };
  runs: RunStudy[];
  skipped: string[];
  /** Notes on the runs (e.g. configs of the same name, labelled apart). */
  notes?: string[];
  hostOps: HostOp[];
}

/** Escapes text for HTML content and attribute values. */
export const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number, digits?: number) =>
  digits === undefined && Number.isInteger(v)
    ? v.toLocaleString('en-US')
    : v.toLocaleString('en-US', { minimumFractionDigits: digits ?? 2, maximumFractionDigits: digits ?? 2 });
/** A name made safe for file names and element ids. */
export const slug = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '-');

/** A table column with the key its cells carry (data-key). */
export interface HtmlColumn<T> extends Column<T> {
  key: string;
}

/** An HTML table whose cells carry their key and raw value (data-key, data-value) for checks. */
export function htmlTable<T>(id: string, columns: HtmlColumn<T>[], rows: T[]): string {
  const head = columns.map((c) => `<th>${esc(c.header)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${columns
          .map((c) => {
            const v = c.value(r);
            const text = typeof v === 'number' ? fmt(v, c.digits) : String(v);
            return `<td data-key="${esc(c.key)}" data-value="${esc(String(v))}"${typeof v === 'number' ? ' class="num"' : ''}>${esc(text)}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table data-table="${esc(id)}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const layerColumns: HtmlColumn<RunStudy['layers'][number]>[] = [
  { key: 'name', header: 'layer', value: (l) => l.name },
  { key: 'kind', header: 'kind', value: (l) => l.kind },
  { key: 'macs', header: 'MACs', value: (l) => l.macs },
  { key: 'rtlCycles', header: 'RTL cycles', value: (l) => l.rtlCycles },
  { key: 'analyticCycles', header: 'analytic cycles', value: (l) => l.analyticCycles },
  { key: 'referenceCycles', header: 'reference cycles', value: (l) => Math.round(l.referenceCycles) },
  { key: 'overallUtil', header: 'util %', value: (l) => l.overallUtil, digits: 2 },
  { key: 'mappingEfficiency', header: 'mapping eff. %', value: (l) => l.mappingEfficiency, digits: 2 },
  { key: 'sramReads', header: 'SRAM reads', value: (l) => l.sramReads },
  { key: 'sramWrites', header: 'SRAM writes', value: (l) => l.sramWrites },
  { key: 'dramWords', header: 'DRAM words', value: (l) => l.dramWords },
  { key: 'dramBw', header: 'DRAM words/cycle', value: (l) => l.dramBw, digits: 3 },
  { key: 'timeUs', header: 'time (µs)', value: (l) => l.timeUs, digits: 3 },
  { key: 'outputsChecked', header: 'outputs checked', value: (l) => l.outputsChecked },
  { key: 'bitExact', header: 'bit-exact', value: (l) => (l.bitExact ? 'yes' : 'NO') },
  { key: 'cycleExact', header: 'cycle-exact', value: (l) => (l.cycleExact ? 'yes' : 'NO') },
  // Added later, so at the end: scripts that read data/layers-RUN.csv by position keep working.
  { key: 'computeCycles', header: 'compute cycles', value: (l) => l.computeCycles },
  { key: 'stallCycles', header: 'stall cycles', value: (l) => l.stallCycles },
  { key: 'dramReadWords', header: 'DRAM words read', value: (l) => l.dramReadWords },
  { key: 'dramWrittenWords', header: 'DRAM words written', value: (l) => l.dramWrittenWords },
];

const comparisonColumns: HtmlColumn<RunStudy>[] = [
  { key: 'run', header: 'run', value: (r) => r.label },
  { key: 'hardware', header: 'hardware', value: (r) => describeConfig(r.config) },
  { key: 'rtlCycles', header: 'RTL cycles', value: (r) => r.totals.rtlCycles },
  { key: 'analyticCycles', header: 'analytic cycles', value: (r) => r.totals.analyticCycles },
  { key: 'referenceCycles', header: 'reference cycles', value: (r) => Math.round(r.totals.referenceCycles) },
  { key: 'reference', header: 'reference', value: (r) => r.reference },
  { key: 'timeMs', header: 'time (ms)', value: (r) => r.totals.timeMs, digits: 4 },
  { key: 'overallUtil', header: 'util %', value: (r) => r.totals.overallUtil, digits: 2 },
  { key: 'dramWords', header: 'DRAM words', value: (r) => r.totals.dramWords },
  { key: 'ok', header: 'all bit- and cycle-exact', value: (r) => (r.ok ? 'yes' : 'NO') },
];

/** Columns of batched runs: the batch and the figures per inference (shown only when a run is batched). */
const batchColumns: HtmlColumn<RunStudy>[] = [
  { key: 'batch', header: 'batch', value: (r) => r.config.batch ?? 1 },
  {
    key: 'rtlCyclesPerInference',
    header: 'RTL cycles per inference',
    value: (r) => r.totals.rtlCycles / (r.config.batch ?? 1),
    digits: 1,
  },
  {
    key: 'timeMsPerInference',
    header: 'time per inference (ms)',
    value: (r) => r.totals.timeMs / (r.config.batch ?? 1),
    digits: 4,
  },
];

const CSS = `body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}h3{font-size:15px}
table{border-collapse:collapse;font-size:12px;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 6px}th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums}.charts{display:flex;flex-wrap:wrap;gap:16px}
.chart{border:1px solid #eee;padding:6px;overflow-x:auto;max-width:100%}.ok{color:#080}.bad{color:#b00}pre{background:#f7f7f7;padding:8px;font-size:12px;overflow-x:auto}`;

/** Writes index.html and the data files (each to a temporary name, renamed when all are written); returns the paths written. */
export async function writeReport(dir: string, d: ReportData, label = dir): Promise<string[]> {
  // Each run's section and data files are named after its label: two runs of one name would overwrite each other.
  const ids = new Map<string, string>();
  for (const r of d.runs) {
    const id = slug(r.label).toLowerCase();
    const other = ids.get(id);
    if (other !== undefined)
      throw new Error(
        `report: the runs ${JSON.stringify(other)} and ${JSON.stringify(r.label)} would write the same data files (layers-${slug(r.label)}.*)`,
      );
    ids.set(id, r.label);
  }
  const files: [string, string][] = [];
  const save = (name: string, text: string) => {
    files.push([join('data', name), text]);
  };
  const chart = async (id: string, spec: Record<string, unknown>) => {
    save(`${id}.vl.json`, JSON.stringify(spec, null, 1));
    return `<div class="chart" data-chart="${esc(id)}">${await renderSvg(spec)}</div>`;
  };
  const parts: string[] = [];
  const allOk = d.runs.every((r) => r.ok);
  parts.push(`<h1>${esc(d.title)}</h1>`);
  parts.push(`<p>Network <b>${esc(d.network)}</b>${d.model ? `, model <b>${esc(d.model)}</b>` : ''}; ${d.runs.length} hardware run(s); generated ${esc(d.date)}.
    <span class="${allOk ? 'ok' : 'bad'}">${allOk ? 'Every layer of every run is bit-exact against the golden integer model and cycle-exact against the analytic model.' : 'Some layers did NOT match: see the rows marked NO.'}</span></p>`);

  if (d.accuracy) {
    const a = d.accuracy;
    parts.push('<h2 id="accuracy">Accuracy of post-training quantization</h2>');
    parts.push(
      `<p>${a.testImages ? `${a.heldOut} test images: ${esc(a.testImages)}` : `${a.heldOut} held-out MNIST digits (never seen by training or calibration)`}. ${a.activations ? ` Activations ${a.activations}.` : ''} FP32: <b data-key="fp32">${a.fp32.toFixed(2)} %</b>.</p>`,
    );
    const accCols: HtmlColumn<AccuracyVariant>[] = [
      { key: 'precision', header: 'precision', value: (v) => v.precision },
      { key: 'calibration', header: 'calibration', value: (v) => v.calibration },
      { key: 'granularity', header: 'weight scales', value: (v) => v.granularity },
      { key: 'accuracy', header: 'accuracy %', value: (v) => v.accuracy, digits: 2 },
      { key: 'delta', header: 'vs FP32 (points)', value: (v) => v.accuracy - a.fp32, digits: 2 },
    ];
    parts.push(htmlTable('accuracy', accCols, a.variants));
    save('accuracy.csv', renderCsv(accCols, a.variants));
    save('accuracy.json', JSON.stringify({ fp32: a.fp32, heldOut: a.heldOut, variants: a.variants }, null, 2));
    parts.push(
      `<div class="charts">${await chart(
        'accuracy',
        accuracySpec(
          a.variants.map((v) => ({
            variant: `${v.calibration}/${v.granularity}`,
            precision: v.precision,
            accuracy: v.accuracy,
          })),
          a.fp32,
        ),
      )}</div>`,
    );
    const precisions = Object.keys(a.sqnr[0] ?? {}).filter((k) => k !== 'layer');
    const sqnrCols: HtmlColumn<(typeof a.sqnr)[number]>[] = [
      { key: 'layer', header: 'layer', value: (r) => String(r.layer) },
      ...precisions.map((p) => ({
        key: p,
        header: `SQNR ${p} (dB)`,
        value: (r: (typeof a.sqnr)[number]) => Number(r[p]),
        digits: 1,
      })),
    ];
    parts.push('<h3>Per-layer SQNR of the best variant of each precision</h3>', htmlTable('sqnr', sqnrCols, a.sqnr));
    save('sqnr.csv', renderCsv(sqnrCols, a.sqnr));
    save('sqnr.json', JSON.stringify(a.sqnr, null, 2));
  }

  parts.push('<h2 id="comparison">Across configs</h2>');
  const comparison = d.runs.some((r) => r.config.batch) ? [...comparisonColumns, ...batchColumns] : comparisonColumns;
  parts.push(htmlTable('comparison', comparison, d.runs));
  save('comparison.csv', renderCsv(comparison, d.runs));
  save(
    'comparison.json',
    JSON.stringify(
      d.runs.map((r) => ({
        run: r.label,
        config: r.config,
        precision: r.precision,
        operands: r.operands,
        reference: r.reference,
        totals: r.totals,
        ok: r.ok,
        logitsIdentical: r.logitsIdentical,
      })),
      null,
      2,
    ),
  );
  parts.push(
    `<div class="charts">${await chart('comparison', comparisonSpec(d.runs.map((r) => ({ run: r.label, timeMs: r.totals.timeMs, overallUtil: r.totals.overallUtil }))))}</div>`,
  );
  if (d.skipped.length) parts.push(`<p>Not run: ${d.skipped.map(esc).join('; ')}.</p>`);
  for (const n of d.notes ?? []) parts.push(`<p data-note>${esc(n)}.</p>`);

  for (const r of d.runs) {
    const id = slug(r.label);
    parts.push(`<h2 id="run-${esc(id)}">${esc(r.label)}</h2>`);
    parts.push(
      `<p>${esc(describeConfig(r.config))}. Operands: ${esc(r.operands)}. Reference: ${esc(r.reference)}.${r.logitsIdentical === undefined ? '' : ` Logits of the RTL inference ${r.logitsIdentical ? 'identical to' : 'DIFFERENT from'} the golden integer executor's.`}</p>`,
    );
    parts.push(htmlTable(`layers-${id}`, layerColumns, r.layers));
    save(`layers-${id}.csv`, renderCsv(layerColumns, r.layers));
    save(`layers-${id}.json`, JSON.stringify(r, null, 2));
    const cycles = r.layers.flatMap((l) => [
      { layer: l.name, series: 'RTL', cycles: l.rtlCycles },
      { layer: l.name, series: 'analytic', cycles: l.analyticCycles },
      { layer: l.name, series: r.reference, cycles: Math.round(l.referenceCycles) },
    ]);
    parts.push(`<div class="charts">
${await chart(`cycles-${id}`, cyclesSpec(r.label, cycles))}
${await chart(
  `util-${id}`,
  perLayerSpec(
    r.label,
    'utilisation per layer',
    'util',
    r.layers.map((l) => ({ layer: l.name, util: l.overallUtil })),
    'utilisation (%)',
  ),
)}
${await chart(
  `dram-${id}`,
  perLayerSpec(
    r.label,
    'DRAM bandwidth per layer',
    'bw',
    r.layers.map((l) => ({ layer: l.name, bw: l.dramBw })),
    'DRAM words/cycle',
  ),
)}
</div>`);
  }

  parts.push(...(await memorySection(d.runs, { table: htmlTable, chart, save, esc, slug })));

  const hostCols: HtmlColumn<HostOp>[] = [
    { key: 'name', header: 'host op', value: (h) => h.name },
    { key: 'kind', header: 'kind', value: (h) => h.kind },
    { key: 'runs', header: 'runs', value: (h) => h.runs },
  ];
  parts.push(
    '<h2 id="host-ops">Host ops</h2><p>Operators that are not multiply-accumulate run on the host, between the layers the accelerator runs.</p>',
  );
  parts.push(htmlTable('host-ops', hostCols, d.hostOps));
  save('host-ops.csv', renderCsv(hostCols, d.hostOps));
  save('host-ops.json', JSON.stringify(d.hostOps, null, 2));

  parts.push('<h2 id="provenance">How this report was made</h2>');
  parts.push(`<pre>${esc(d.command)}</pre>`);
  parts.push(
    `<h3>Tools</h3><pre>${esc(
      Object.entries(d.tools)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n'),
    )}</pre>`,
  );
  parts.push(
    // Each run's own config, at the precision it ran (a config run at INT8 and INT16 appears twice).
    `<h3>Configs of the runs</h3><pre data-provenance>${esc(JSON.stringify(Object.fromEntries(d.runs.map((r) => [r.label, r.config])), null, 2))}</pre>`,
  );
  save('report.json', JSON.stringify(d, null, 2));
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)}</title><style>${CSS}</style></head>
<body>
${parts.join('\n')}
</body></html>
`;
  return writeOutputFiles(dir, [['index.html', html], ...files], label);
}
