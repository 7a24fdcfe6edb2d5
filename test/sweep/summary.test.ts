/**
 * A sweep in words: elapsed time and ETA from the points' start and finish times, and the best points of
 * each network, from a database whose times and results the test writes itself.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { SweepDb } from '../../src/sweep/db.js';
import { gridPoints } from '../../src/sweep/grid.js';
import { bestPointLines, sweepTiming, timingLine } from '../../src/sweep/summary.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-summary-'));
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

/** A database of four 4x4 / 8x8 os and ws points of lenet5, none run. */
function fourPoints(name: string): SweepDb {
  const { source: _s, name: _n, ...base } = loadConfig('sa-8x8-os');
  const points = gridPoints({
    nets: ['lenet5'],
    base,
    baseSource: 'sa-8x8-os',
    axes: [
      { key: 'rows', option: '--rows', values: [4, 8] },
      { key: 'dataflow', option: '--dataflow', values: ['os', 'ws'] },
    ],
    level: 'analytic',
  });
  const db = SweepDb.open(join(dir, name), { create: true });
  db.addPoints(points);
  return db;
}

/** Marks point `id` done (with `cycles`) or running, started and finished at the given seconds after T0. */
function mark(db: SweepDb, id: number, start: number, end?: number, cycles = 0): void {
  db.db
    .prepare(`UPDATE points SET status = ?, started_at = ?, finished_at = ? WHERE id = ?`)
    .run(end === undefined ? 'running' : 'done', at(start), end === undefined ? null : at(end), id);
  if (end !== undefined)
    db.db
      .prepare(
        `INSERT INTO results (point_id, cycles, analytic_cycles, macs, time_us, util, mapping_eff, dram_words, tools, seconds) VALUES (?, ?, ?, 1, ?, 50, 50, 0, '{}', 1)`,
      )
      .run(id, cycles, cycles, cycles / 1000);
}

describe('sweepTiming', () => {
  it('says nothing before a point started, and gives no ETA before one finished', () => {
    const db = fourPoints('a.sqlite');
    expect(sweepTiming(db, T0)).toBeUndefined();
    expect(timingLine(db, T0)).toBeUndefined();
    mark(db, 1, 0);
    expect(sweepTiming(db, T0 + 10_000)).toEqual({ elapsed: 10, eta: undefined, complete: false });
    expect(timingLine(db, T0 + 10_000)).toBe(
      'elapsed 10 s since the first point started; ETA unknown until a point finishes',
    );
    db.close();
  });

  it('extrapolates the rate of the finished points to the rest', () => {
    const db = fourPoints('b.sqlite');
    mark(db, 1, 0, 20, 100);
    mark(db, 2, 0);
    // One of four points finished in 30 s: three more at that rate take 90 s.
    expect(sweepTiming(db, T0 + 30_000)).toEqual({ elapsed: 30, eta: 90, complete: false });
    expect(timingLine(db, T0 + 30_000)).toBe('elapsed 30 s since the first point started; ETA 1 min 30 s');
    mark(db, 2, 0, 40, 300);
    mark(db, 3, 40, 70, 50);
    mark(db, 4, 40, 65, 200);
    // All done: the time from the first start to the last finish, whenever asked.
    expect(sweepTiming(db, T0 + 999_000)).toEqual({ elapsed: 70, eta: 0, complete: true });
    expect(timingLine(db)).toBe("took 1 min 10 s from the first point's start to the last one's end");
    const lines = bestPointLines(db, 2);
    expect(lines[0]).toBe('best points of lenet5 (fewest cycles):');
    const rows = db.db.prepare(`SELECT id, rows, dataflow FROM points ORDER BY id`).all() as {
      id: number;
      rows: number;
      dataflow: string;
    }[];
    const label = (id: number) => {
      const p = rows.find((r) => r.id === id)!;
      return `${p.rows}x8 ${p.dataflow} int8 scalesim`;
    };
    expect(lines.slice(1)).toEqual([
      `  1. ${label(3)}: 50 cycles, 0.05 us, util 50.00 %`,
      `  2. ${label(1)}: 100 cycles, 0.1 us, util 50.00 %`,
    ]);
    expect(
      bestPointLines(db, 3, [db.db.prepare(`SELECT key FROM points WHERE id = 4`).pluck().get() as string]),
    ).toEqual(['best points of lenet5 (fewest cycles):', `  1. ${label(4)}: 200 cycles, 0.2 us, util 50.00 %`]);
    db.close();
  });

  it('ranks batched points by cycles per inference and labels them by the axes that differ', () => {
    const { source: _s, name: _n, ...base } = loadConfig('sa-8x8-os');
    const db = SweepDb.open(join(dir, 'batch.sqlite'), { create: true });
    db.addPoints(
      gridPoints({
        nets: ['lenet5'],
        base,
        baseSource: 'sa-8x8-os',
        axes: [
          { key: 'batch', option: '--axis', values: [1, 16] },
          { key: 'sram.ifmap_kb', option: '--axis', values: [64, 256] },
        ],
        level: 'analytic',
      }),
    );
    const points = db.db.prepare(`SELECT id, config FROM points ORDER BY id`).all() as { id: number; config: string }[];
    const cfg = (id: number) =>
      JSON.parse(points.find((p) => p.id === id)!.config) as { batch?: number; sram: { ifmap_kb: number } };
    // Batch 16 takes 10x the cycles of batch 1 for the batch: 0.625x per inference, so it ranks first.
    for (const { id } of points) mark(db, id, 0, 1, (cfg(id).batch ?? 1) === 16 ? 10_000 : 1_000);
    const lines = bestPointLines(db, 4);
    expect(lines[0]).toBe('best points of lenet5 (fewest cycles per inference):');
    expect(lines[1]).toMatch(
      /^ {2}1\. 8x8 os int8 scalesim batch=16 sram\.ifmap_kb=(64|256): 625 cycles per inference \(10,000 for the batch of 16\), 0\.625 us per inference, util 50\.00 %$/,
    );
    expect(lines[3]).toMatch(
      /^ {2}3\. 8x8 os int8 scalesim batch=1 sram\.ifmap_kb=(64|256): 1,000 cycles, 1 us, util 50\.00 %$/,
    );
    // Every label is different: the axes tell the points apart.
    expect(new Set(lines.slice(1).map((l) => l.split(':')[0])).size).toBe(4);
    db.close();
  });
});
