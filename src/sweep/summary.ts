/**
 * A sweep in words for the terminal: how long it has run and how long it should still take (from the
 * points' start and finish times in the database), and its best points per network.
 */
import { etaSeconds, formatDuration } from '../util/progress.js';
import type { SweepDb } from './db.js';

/** A point's label: `16x16 os int8 scalesim` (systolic), `atomic 8x8 nvdla int8` (NVDLA's C x K). */
export function pointLabel(r: {
  rows: number;
  cols: number;
  dataflow: string;
  precision: string;
  timing: string;
}): string {
  const shape = r.dataflow === 'nvdla' ? `atomic-C ${r.rows} x atomic-K ${r.cols}` : `${r.rows}x${r.cols}`;
  return [shape, r.dataflow, r.precision, r.timing].filter((w) => w && w !== '-').join(' ');
}

/**
 * Elapsed time since the first point started (until the last finished, once all have) and the ETA of the
 * points not finished at the rate of those finished (undefined while none has); undefined before any start.
 */
export function sweepTiming(
  db: SweepDb,
  nowMs = Date.now(),
): { elapsed: number; eta?: number; complete: boolean } | undefined {
  const r = db.db
    .prepare(
      `SELECT MIN(started_at) first, MAX(finished_at) last, COALESCE(SUM(status IN ('done', 'failed')), 0) finished, COUNT(*) total FROM points`,
    )
    .get() as { first: string | null; last: string | null; finished: number; total: number };
  if (!r.first) return undefined;
  const complete = r.finished === r.total;
  const end = complete && r.last ? Date.parse(r.last) : nowMs;
  const elapsed = Math.max(0, (end - Date.parse(r.first)) / 1000);
  return { elapsed, eta: complete ? 0 : etaSeconds(elapsed, r.finished / r.total), complete };
}

/** The status's timing line: `elapsed 1 min 05 s since the first point started; ETA 40 s`, or how long it took. */
export function timingLine(db: SweepDb, nowMs = Date.now()): string | undefined {
  const t = sweepTiming(db, nowMs);
  if (!t) return undefined;
  if (t.complete) return `took ${formatDuration(t.elapsed)} from the first point's start to the last one's end`;
  const eta = t.eta === undefined ? 'ETA unknown until a point finishes' : `ETA ${formatDuration(t.eta)}`;
  return `elapsed ${formatDuration(t.elapsed)} since the first point started; ${eta}`;
}

/** A config's keys, nested ones dotted (`sram.ifmap_kb`), with their values as JSON text. */
function flatKeys(o: Record<string, unknown>, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(o)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      for (const [kk, vv] of flatKeys(v as Record<string, unknown>, `${prefix}${k}.`)) out.set(kk, vv);
    else out.set(`${prefix}${k}`, JSON.stringify(v));
  }
  return out;
}

/** Keys the label already names, or that name the point rather than describe it. */
const LABELLED = new Set([
  'kind',
  'name',
  'source',
  'rows',
  'cols',
  'dataflow',
  'precision',
  'timing',
  'atomic_c',
  'atomic_k',
]);

/**
 * For points of one network (their config JSON), the `key=value` words of every config key whose value
 * differs between them, other than those the label already names (an --axis such as `batch=16`).
 */
export function axisWords(configs: string[]): string[][] {
  const flats = configs.map((c) => flatKeys(JSON.parse(c) as Record<string, unknown>));
  const varying = [...new Set(flats.flatMap((f) => [...f.keys()]))]
    .filter((k) => !LABELLED.has(k) && new Set(flats.map((f) => f.get(k))).size > 1)
    .sort();
  return flats.map((f) =>
    varying.map((k) => {
      const v = f.get(k);
      return `${k}=${v !== undefined ? String(JSON.parse(v)) : k === 'batch' ? 1 : '-'}`;
    }),
  );
}

/**
 * The `count` fastest done points of each network (fewest cycles per inference: a batched point's cycles
 * are divided by its batch), among `keys` when given. Labels add every other config key whose value differs
 * between the network's points (an --axis such as `batch=16` or `sram.ifmap_kb=64`).
 */
export function bestPointLines(db: SweepDb, count = 3, keys?: string[]): string[] {
  const rows = db.db
    .prepare(
      `SELECT p.key, p.net, p.rows, p.cols, p.dataflow, p.precision, p.timing, p.config, r.cycles, r.util, r.time_us timeUs
       FROM points p JOIN results r ON r.point_id = p.id WHERE p.status = 'done' ORDER BY p.net, p.id`,
    )
    .all() as {
    key: string;
    net: string;
    rows: number;
    cols: number;
    dataflow: string;
    precision: string;
    timing: string;
    config: string;
    cycles: number;
    util: number;
    timeUs: number;
  }[];
  const wanted = keys ? new Set(keys) : undefined;
  const lines: string[] = [];
  for (const net of [...new Set(rows.map((r) => r.net))]) {
    const all = rows
      .filter((r) => r.net === net && (!wanted || wanted.has(r.key)))
      .map((r) => {
        const batch = Number((JSON.parse(r.config) as { batch?: number }).batch ?? 1);
        return { ...r, batch, perInference: r.cycles / batch };
      });
    if (!all.length) continue;
    const words = new Map(axisWords(all.map((r) => r.config)).map((w, i) => [all[i]!.key, w]));
    const batched = all.some((r) => r.batch > 1);
    const mine = [...all].sort((a, b) => a.perInference - b.perInference).slice(0, count);
    lines.push(`best points of ${net} (fewest cycles${batched ? ' per inference' : ''}):`);
    for (const [i, r] of mine.entries()) {
      const axes = words.get(r.key)!;
      const figures =
        r.batch > 1
          ? `${r.perInference.toLocaleString('en-US', { maximumFractionDigits: 1 })} cycles per inference (${r.cycles.toLocaleString('en-US')} for the batch of ${r.batch}), ${(r.timeUs / r.batch).toLocaleString('en-US', { maximumFractionDigits: 3 })} us per inference`
          : `${r.cycles.toLocaleString('en-US')} cycles, ${r.timeUs.toLocaleString('en-US', { maximumFractionDigits: 3 })} us`;
      lines.push(`  ${i + 1}. ${[pointLabel(r), ...axes].join(' ')}: ${figures}, util ${r.util.toFixed(2)} %`);
    }
  }
  return lines;
}
