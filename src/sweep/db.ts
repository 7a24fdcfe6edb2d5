/**
 * The sweep database (SQLite through better-sqlite3, WAL mode): one row per point with its status, and its
 * results per network and per layer. Points are claimed atomically, so any number of local workers or
 * Slurm array tasks can share one file; results land in one transaction, so a killed sweep loses nothing
 * that finished.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { accelOf } from '../accel/registry.js';
import { MactileError } from '../util/errors.js';
import type { SweepPoint } from './grid.js';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as typeof BetterSqlite3;

const SCHEMA_VERSION = '1';

/** Where a point sits in the grid, as stored in the points table. */
export interface PointCoordinates {
  net: string;
  level: string;
  rows: number;
  cols: number;
  dataflow: string;
  precision: string;
  timing: string;
}

export interface PointRow extends PointCoordinates {
  id: number;
  key: string;
  config: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  attempts: number;
  worker: string | null;
  error: string | null;
  finished_at: string | null;
}

export interface PointResult {
  cycles: number;
  analyticCycles: number;
  macs: number;
  timeUs: number;
  util: number;
  mappingEfficiency: number;
  dramWords: number;
  areaCells: number | null;
  bitExact: boolean | null;
  cycleExact: boolean | null;
  tools: Record<string, string>;
  seconds: number;
  layers: { name: string; kind: string; macs: number; cycles: number; analyticCycles: number; util: number; mappingEfficiency: number; dramWords: number; bitExact: boolean | null }[];
}

/** The first `n` bytes of a file (fewer when it is shorter), without reading the rest. */
function fileHead(file: string, n: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS points (
  id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, net TEXT NOT NULL, level TEXT NOT NULL,
  rows INTEGER NOT NULL, cols INTEGER NOT NULL, dataflow TEXT NOT NULL, precision TEXT NOT NULL, timing TEXT NOT NULL,
  config TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
  worker TEXT, started_at TEXT, finished_at TEXT, error TEXT);
CREATE TABLE IF NOT EXISTS results (
  point_id INTEGER PRIMARY KEY REFERENCES points(id), cycles INTEGER NOT NULL, analytic_cycles INTEGER NOT NULL,
  macs INTEGER NOT NULL, time_us REAL NOT NULL, util REAL NOT NULL, mapping_eff REAL NOT NULL, dram_words INTEGER NOT NULL,
  area_cells INTEGER, bit_exact INTEGER, cycle_exact INTEGER, tools TEXT NOT NULL, seconds REAL NOT NULL);
CREATE TABLE IF NOT EXISTS layer_results (
  point_id INTEGER NOT NULL REFERENCES points(id), layer TEXT NOT NULL, kind TEXT NOT NULL, macs INTEGER NOT NULL,
  cycles INTEGER NOT NULL, analytic_cycles INTEGER NOT NULL, util REAL NOT NULL, mapping_eff REAL NOT NULL,
  dram_words INTEGER NOT NULL, bit_exact INTEGER, PRIMARY KEY (point_id, layer));
`;

/** An open sweep database. */
export class SweepDb {
  readonly db: BetterSqlite3.Database;

  private constructor(readonly file: string, db: BetterSqlite3.Database) {
    this.db = db;
  }

  /** Opens (or creates) a sweep database, with a clear error for a file that is not one. */
  static open(file: string, opts: { create: boolean }): SweepDb {
    if (existsSync(file)) {
      const head = fileHead(file, 16).toString('latin1');
      if (head.length > 0 && head !== 'SQLite format 3\0') throw new MactileError(`database ${file}: expected an SQLite database, received another kind of file`);
    } else if (!opts.create) {
      throw new MactileError(`database ${file}: no such file`);
    }
    let db: BetterSqlite3.Database;
    try {
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 30000');
      db.exec(SCHEMA);
      const v = db.prepare(`SELECT value FROM meta WHERE key = 'schema'`).get() as { value: string } | undefined;
      if (!v) db.prepare(`INSERT INTO meta (key, value) VALUES ('schema', ?)`).run(SCHEMA_VERSION);
      else if (v.value !== SCHEMA_VERSION) throw new MactileError(`database ${file}: expected a mactile sweep database (schema ${SCHEMA_VERSION}), received schema ${v.value}`);
    } catch (err) {
      if (err instanceof MactileError) throw err;
      throw new MactileError(`database ${file}: cannot use it as a sweep database (${(err as Error).message})`);
    }
    return new SweepDb(file, db);
  }

  /** Adds the points not yet in the database; points not done are made pending again (a rerun retries them). */
  addPoints(points: SweepPoint[]): { added: number; alreadyDone: number; toRun: number } {
    const insert = this.db.prepare(`INSERT OR IGNORE INTO points (key, net, level, rows, cols, dataflow, precision, timing, config)
      VALUES (@key, @net, @level, @rows, @cols, @dataflow, @precision, @timing, @config)`);
    const reset = this.db.prepare(`UPDATE points SET status = 'pending', worker = NULL WHERE key = ? AND status != 'done'`);
    const status = this.db.prepare(`SELECT status FROM points WHERE key = ?`);
    let added = 0;
    let alreadyDone = 0;
    this.db.transaction(() => {
      for (const p of points) {
        const c = accelOf(p.config).sweepCoordinates(p.config);
        added += insert.run({ key: p.key, net: p.net, level: p.level, ...c, config: JSON.stringify(p.config) }).changes;
        reset.run(p.key);
        if ((status.get(p.key) as { status: string }).status === 'done') alreadyDone++;
      }
    }).immediate();
    return { added, alreadyDone, toRun: points.length - alreadyDone };
  }

  /** Atomically claims the next pending point for a worker, or returns undefined when none is left. */
  claim(worker: string): PointRow | undefined {
    return this.db.transaction(() => {
      const row = this.db.prepare(`SELECT id FROM points WHERE status = 'pending' ORDER BY id LIMIT 1`).get() as { id: number } | undefined;
      if (!row) return undefined;
      this.db.prepare(`UPDATE points SET status = 'running', worker = ?, started_at = ?, attempts = attempts + 1, error = NULL WHERE id = ?`).run(worker, new Date().toISOString(), row.id);
      return this.db.prepare(`SELECT * FROM points WHERE id = ?`).get(row.id) as PointRow;
    }).immediate();
  }

  /** Stores a point's results and marks it done, in one transaction. */
  complete(id: number, r: PointResult): void {
    const b = (v: boolean | null) => (v === null ? null : v ? 1 : 0);
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM layer_results WHERE point_id = ?`).run(id);
      this.db.prepare(`INSERT OR REPLACE INTO results (point_id, cycles, analytic_cycles, macs, time_us, util, mapping_eff, dram_words, area_cells, bit_exact, cycle_exact, tools, seconds)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(id, r.cycles, r.analyticCycles, r.macs, r.timeUs, r.util, r.mappingEfficiency, r.dramWords, r.areaCells, b(r.bitExact), b(r.cycleExact), JSON.stringify(r.tools), r.seconds);
      const layer = this.db.prepare(`INSERT INTO layer_results (point_id, layer, kind, macs, cycles, analytic_cycles, util, mapping_eff, dram_words, bit_exact) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const l of r.layers) layer.run(id, l.name, l.kind, l.macs, l.cycles, l.analyticCycles, l.util, l.mappingEfficiency, l.dramWords, b(l.bitExact));
      this.db.prepare(`UPDATE points SET status = 'done', finished_at = ?, error = NULL WHERE id = ?`).run(new Date().toISOString(), id);
    }).immediate();
  }

  /** Failed points with their errors, in grid order (the first `limit` of them). */
  failedPoints(limit = -1): { key: string; error: string }[] {
    return this.db.prepare(`SELECT key, error FROM points WHERE status = 'failed' ORDER BY id LIMIT ?`).all(limit) as { key: string; error: string }[];
  }

  /** Marks a point failed with its error. */
  fail(id: number, error: string): void {
    this.db.prepare(`UPDATE points SET status = 'failed', finished_at = ?, error = ? WHERE id = ?`).run(new Date().toISOString(), error.slice(0, 4000), id);
  }

  /** The point a worker holds, if any. */
  heldBy(worker: string): PointRow | undefined {
    return this.db.prepare(`SELECT * FROM points WHERE status = 'running' AND worker = ?`).get(worker) as PointRow | undefined;
  }

  /** Counts of points by status. */
  counts(): Record<PointRow['status'], number> {
    const out: Record<PointRow['status'], number> = { pending: 0, running: 0, done: 0, failed: 0 };
    for (const r of this.db.prepare(`SELECT status, COUNT(*) n FROM points GROUP BY status`).all() as { status: PointRow['status']; n: number }[]) out[r.status] = r.n;
    return out;
  }

  /** A value of the meta table. */
  meta(key: string): string | undefined {
    return (this.db.prepare(`SELECT value FROM meta WHERE key = ?`).get(key) as { value: string } | undefined)?.value;
  }

  /** Sets a value of the meta table. */
  setMeta(key: string, value: string): void {
    this.db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`).run(key, value);
  }

  close(): void {
    this.db.close();
  }
}
