/**
 * The sweep report: per network, cycles against area (yosys cells, or PEs when no area was measured) with
 * the Pareto front, utilisation heat maps over rows x cols (one per dataflow and precision), and the table
 * of every point; one self-contained HTML page plus the CSV and JSON behind it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSvg } from '../report/charts.js';
import { esc, slug } from '../report/html.js';
import { renderCsv, type Column } from '../report/table.js';
import type { PointCoordinates, SweepDb } from './db.js';
import { axisWords, pointLabel } from './summary.js';

export interface SweepRow extends PointCoordinates {
  cycles: number;
  timeUs: number;
  util: number;
  mappingEfficiency: number;
  dramWords: number;
  areaCells: number | null;
  bitExact: number | null;
  cycleExact: number | null;
  /** The point's label: its shape, dataflow, precision, timing and the --axis values that tell it apart. */
  point: string;
  pareto?: boolean;
}

/** Done points with their results, each labelled (see SweepRow.point). */
function sweepRows(db: SweepDb): SweepRow[] {
  const rows = db.db
    .prepare(
      `SELECT p.net, p.config, p.level, p.rows, p.cols, p.dataflow, p.precision, p.timing, r.cycles, r.time_us AS timeUs, r.util,
      r.mapping_eff AS mappingEfficiency, r.dram_words AS dramWords, r.area_cells AS areaCells, r.bit_exact AS bitExact, r.cycle_exact AS cycleExact
    FROM points p JOIN results r ON r.point_id = p.id WHERE p.status = 'done' ORDER BY p.net, p.rows, p.cols, p.dataflow, p.precision, p.timing`,
    )
    .all() as (Omit<SweepRow, 'point'> & { config: string })[];
  const labelled: SweepRow[] = [];
  for (const net of [...new Set(rows.map((r) => r.net))]) {
    const mine = rows.filter((r) => r.net === net);
    const words = axisWords(mine.map((r) => r.config));
    for (const [i, { config: _c, ...r }] of mine.entries())
      labelled.push({ ...r, point: [pointLabel(r), ...words[i]!].join(' ') });
  }
  return labelled;
}

/** Marks the Pareto-optimal rows of one network (no other row is both cheaper and faster). */
function markPareto(rows: SweepRow[], cost: (r: SweepRow) => number): void {
  for (const r of rows) {
    r.pareto = !rows.some(
      (o) => o !== r && cost(o) <= cost(r) && o.cycles <= r.cycles && (cost(o) < cost(r) || o.cycles < r.cycles),
    );
  }
}

/** Writes the sweep report into `dir`; returns index.html's path. */
export async function writeSweepReport(db: SweepDb, dir: string): Promise<string> {
  const rows = sweepRows(db);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const haveArea = rows.length > 0 && rows.every((r) => r.areaCells !== null);
  const cost = (r: SweepRow) => (haveArea ? r.areaCells! : r.rows * r.cols);
  const costTitle = haveArea ? 'area (yosys cells)' : 'PEs (rows x cols; no area measured)';
  const nets = [...new Set(rows.map((r) => r.net))];
  const counts = db.counts();
  const total = counts.done + counts.running + counts.pending + counts.failed;
  const parts: string[] = [
    `<h1>mactile sweep: ${esc(db.file)}</h1>`,
    `<p>${rows.length} points done; of all ${total} points: ${counts.done} done, ${counts.running} running, ${counts.pending} pending, ${counts.failed} failed.</p>`,
  ];
  const columns: Column<SweepRow>[] = [
    { header: 'point', value: (r) => r.point },
    { header: 'rows', value: (r) => r.rows },
    { header: 'cols', value: (r) => r.cols },
    { header: 'dataflow', value: (r) => r.dataflow },
    { header: 'precision', value: (r) => r.precision },
    { header: 'timing', value: (r) => r.timing },
    { header: 'level', value: (r) => r.level },
    { header: 'cycles', value: (r) => r.cycles },
    { header: 'time us', value: (r) => Number(r.timeUs.toFixed(3)) },
    { header: 'util %', value: (r) => Number(r.util.toFixed(2)) },
    { header: 'mapping eff %', value: (r) => Number(r.mappingEfficiency.toFixed(2)) },
    { header: 'DRAM words', value: (r) => r.dramWords },
    { header: 'area cells', value: (r) => r.areaCells ?? '' },
    { header: 'bit-exact', value: (r) => (r.bitExact === null ? '' : r.bitExact ? 'yes' : 'NO') },
    { header: 'Pareto', value: (r) => (r.pareto ? 'yes' : '') },
  ];
  for (const net of nets) {
    const mine = rows.filter((r) => r.net === net);
    markPareto(mine, cost);
    const points = mine.map((r) => ({
      ...r,
      cost: cost(r),
      label: r.point,
    }));
    const front = points.filter((p) => p.pareto).sort((a, b) => a.cost - b.cost);
    const scatter = {
      title: `${net}: cycles vs ${costTitle}`,
      width: 420,
      height: 280,
      layer: [
        {
          data: { values: points },
          mark: { type: 'point', filled: true, tooltip: true },
          encoding: {
            x: { field: 'cost', type: 'quantitative', title: costTitle, scale: { type: 'log' } },
            y: { field: 'cycles', type: 'quantitative', scale: { type: 'log' }, title: 'cycles' },
            color: { field: 'dataflow', type: 'nominal' },
            shape: { field: 'precision', type: 'nominal' },
          },
        },
        {
          data: { values: front },
          mark: { type: 'line', color: 'black', point: false },
          encoding: { x: { field: 'cost', type: 'quantitative' }, y: { field: 'cycles', type: 'quantitative' } },
        },
      ],
    };
    const heat = {
      title: `${net}: utilisation (%)`,
      data: { values: points },
      facet: { row: { field: 'precision', type: 'nominal' }, column: { field: 'dataflow', type: 'nominal' } },
      spec: {
        width: 150,
        height: 120,
        mark: { type: 'rect', tooltip: true },
        encoding: {
          x: { field: 'cols', type: 'ordinal' },
          y: { field: 'rows', type: 'ordinal', sort: 'descending' },
          color: { aggregate: 'mean', field: 'util', type: 'quantitative', title: 'util %' },
        },
      },
    };
    const id = slug(net);
    writeFileSync(join(dir, 'data', `${id}.csv`), renderCsv(columns, mine));
    writeFileSync(join(dir, 'data', `${id}.json`), JSON.stringify(mine, null, 2));
    parts.push(
      `<h2>${esc(net)}</h2><div class="charts"><div class="chart" data-chart="pareto-${esc(id)}">${await renderSvg(scatter)}</div><div class="chart" data-chart="heat-${esc(id)}">${await renderSvg(heat)}</div></div>`,
    );
    const head = columns.map((c) => `<th>${esc(c.header)}</th>`).join('');
    const body = mine
      .map(
        (r) =>
          `<tr${r.pareto ? ' class="pareto"' : ''}>${columns.map((c) => `<td>${esc(String(c.value(r)))}</td>`).join('')}</tr>`,
      )
      .join('\n');
    parts.push(`<table data-table="${esc(id)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`);
  }
  const failed = db.failedPoints();
  if (failed.length)
    parts.push(
      `<h2>Failed points</h2><ul>${failed.map((f) => `<li><code>${esc(f.key)}</code>: ${esc(f.error)}</li>`).join('')}</ul>`,
    );
  const css =
    'body{font-family:Helvetica,Arial,sans-serif;margin:24px}table{border-collapse:collapse;font-size:12px}th,td{border:1px solid #ddd;padding:2px 6px}tr.pareto{background:#eef6ee}.charts{display:flex;flex-wrap:wrap;gap:16px}';
  const file = join(dir, 'index.html');
  writeFileSync(
    file,
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>mactile sweep</title><style>${css}</style></head><body>\n${parts.join('\n')}\n</body></html>\n`,
  );
  return file;
}
