/**
 * The sweep database (SQLite through better-sqlite3, WAL mode): one row per point with its status, and its
 * results per network and per layer. Points are claimed atomically, so any number of local workers or
 * Slurm array tasks can share one file; results land in one transaction, so a killed sweep loses nothing
 * that finished.
 *
 * A mactile sweep database says so in its SQLite header: PRAGMA application_id = APPLICATION_ID and
 * PRAGMA user_version = the schema version. An existing file is first opened read-only and checked; a file
 * that is not a mactile sweep database (another SQLite database, a damaged one, a directory) is refused
 * before anything is written. Databases of schema 1 (a `schema` row in `meta`, no application_id) are
 * still read, and are upgraded in place the first time a sweep runs on them.
 *
 * Every claim records its owner (host, pid, process start identity, lease: see owner.ts), so a rerun or a
 * second sweep only takes back points whose owner is dead, and results are stored only by the claim's owner.
 */
import { existsSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { accelOf } from '../accel/registry.js';
import { MactileError } from '../util/errors.js';
import type { SweepPoint } from './grid.js';
import { LEASE_MS, onThisMachine, ownerAlive, type Claim, type Owner } from './owner.js';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as typeof BetterSqlite3;

/** SQLite application_id of a mactile sweep database: the bytes "MTSW" (0x4D545357 = 1297371991). */
export const APPLICATION_ID = 0x4d545357;
/** Schema version, kept in PRAGMA user_version (and in the meta row `schema`, which schema 1 used alone). */
export const SCHEMA_VERSION = 2;

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

export interface PointRow extends PointCoordinates, Claim {
  id: number;
  key: string;
  config: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  attempts: number;
  worker: string | null;
  error: string | null;
  finished_at: string | null;
}

/** A point some live process other than the caller holds. */
export interface HeldPoint extends Claim {
  key: string;
  worker: string | null;
  /** The owner is on this machine (its pid is checked) rather than known by its lease only. */
  local: boolean;
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
  layers: {
    name: string;
    kind: string;
    macs: number;
    cycles: number;
    analyticCycles: number;
    util: number;
    mappingEfficiency: number;
    dramWords: number;
    bitExact: boolean | null;
  }[];
}

const TABLES = ['meta', 'points', 'results', 'layer_results'];

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE points (
  id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, net TEXT NOT NULL, level TEXT NOT NULL,
  rows INTEGER NOT NULL, cols INTEGER NOT NULL, dataflow TEXT NOT NULL, precision TEXT NOT NULL, timing TEXT NOT NULL,
  config TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
  worker TEXT, started_at TEXT, finished_at TEXT, error TEXT,
  owner_host TEXT, owner_pid INTEGER, owner_start TEXT, lease_until INTEGER);
CREATE TABLE results (
  point_id INTEGER PRIMARY KEY REFERENCES points(id), cycles INTEGER NOT NULL, analytic_cycles INTEGER NOT NULL,
  macs INTEGER NOT NULL, time_us REAL NOT NULL, util REAL NOT NULL, mapping_eff REAL NOT NULL, dram_words INTEGER NOT NULL,
  area_cells INTEGER, bit_exact INTEGER, cycle_exact INTEGER, tools TEXT NOT NULL, seconds REAL NOT NULL);
CREATE TABLE layer_results (
  point_id INTEGER NOT NULL REFERENCES points(id), layer TEXT NOT NULL, kind TEXT NOT NULL, macs INTEGER NOT NULL,
  cycles INTEGER NOT NULL, analytic_cycles INTEGER NOT NULL, util REAL NOT NULL, mapping_eff REAL NOT NULL,
  dram_words INTEGER NOT NULL, bit_exact INTEGER, PRIMARY KEY (point_id, layer));
`;

/** Schema 1 -> 2: claim owners and leases. */
const MIGRATE_1_TO_2 = `
ALTER TABLE points ADD COLUMN owner_host TEXT;
ALTER TABLE points ADD COLUMN owner_pid INTEGER;
ALTER TABLE points ADD COLUMN owner_start TEXT;
ALTER TABLE points ADD COLUMN lease_until INTEGER;
`;

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
const firstLine = (s: string) => s.split('\n')[0]!;

/**
 * A one-line MactileError for an SQLite failure on a sweep database: damaged or foreign files and files
 * that cannot be written are bad input (exit 2); a full disk, I/O errors and locks held too long are tool
 * failures (exit 3).
 */
export function sqliteFailure(file: string, doing: string, err: unknown): MactileError {
  if (err instanceof MactileError) return err;
  const e = err as { code?: string; message?: string };
  const code = e.code ?? '';
  const msg = firstLine(String(e.message ?? err));
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code))
    return new MactileError(
      `database ${file}: expected an intact SQLite database, received a damaged one (${msg}) while trying to ${doing}`,
    );
  if (/^SQLITE_FULL/.test(code))
    return new MactileError(`database ${file}: cannot ${doing}: the disk is full (${msg})`, 3);
  if (/^SQLITE_(READONLY|PERM|AUTH)/.test(code))
    return new MactileError(
      `database ${file}: cannot ${doing}: expected a file this user can write, received one it cannot (${msg})`,
    );
  if (/^SQLITE_CANTOPEN/.test(code))
    return new MactileError(`database ${file}: cannot ${doing}: SQLite cannot open the file (${msg})`);
  if (/^SQLITE_(BUSY|LOCKED)/.test(code))
    return new MactileError(
      `database ${file}: cannot ${doing}: another process kept the database locked for more than 30 s (${msg})`,
      3,
    );
  return new MactileError(`database ${file}: cannot ${doing}: ${msg}${code ? ` (${code})` : ''}`, 3);
}

/** What an existing SQLite file holds, found through a read-only connection. */
type Identity = { kind: 'mactile'; version: number } | { kind: 'empty' };

/** Reads application_id, user_version and the table names of a connection; refuses what is not ours. */
function identify(file: string, db: BetterSqlite3.Database): Identity {
  const app = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const objects = db.prepare(`SELECT type, name FROM sqlite_master`).all() as { type: string; name: string }[];
  const tables = objects.filter((o) => o.type === 'table').map((o) => o.name);
  const expected = `expected a mactile sweep database (SQLite application_id ${hex(APPLICATION_ID)})`;
  if (app === APPLICATION_ID) {
    if (version > SCHEMA_VERSION)
      throw new MactileError(
        `database ${file}: expected a mactile sweep database of schema ${SCHEMA_VERSION} or older, received schema ${version} (written by a newer mactile)`,
      );
    const missing = TABLES.filter((t) => !tables.includes(t));
    if (missing.length)
      throw new MactileError(
        `database ${file}: expected the tables of a mactile sweep database, received one without ${missing.join(', ')}`,
      );
    return { kind: 'mactile', version };
  }
  if (app !== 0)
    throw new MactileError(
      `database ${file}: ${expected}, received the SQLite database of another application (application_id ${hex(app)}); it was not changed`,
    );
  if (objects.length === 0 && version === 0) return { kind: 'empty' };
  // Schema 1 had no application_id: its four tables and meta row schema = 1.
  if (TABLES.every((t) => tables.includes(t))) {
    const schema = (db.prepare(`SELECT value FROM meta WHERE key = 'schema'`).get() as { value: string } | undefined)
      ?.value;
    if (schema === '1') return { kind: 'mactile', version: 1 };
    throw new MactileError(
      `database ${file}: ${expected}, received an SQLite database with the sweep tables but schema ${JSON.stringify(schema ?? null)}; it was not changed`,
    );
  }
  const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', ...' : '');
  throw new MactileError(
    `database ${file}: ${expected}, received another SQLite database (tables: ${shown || 'none'}); it was not changed`,
  );
}

/** The first bytes of a file (fewer when it is shorter). */
function fileHead(file: string, n: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** Files up to this size are checked from a copy in memory (see inspect). */
const IN_MEMORY_CHECK_BYTES = 64 << 20;

/**
 * Checks an existing file without writing anything, and without leaving anything beside it: the SQLite
 * header (read directly) refuses files of other applications at once. When no -wal or -journal file is
 * beside it, the file is the whole database, and it is checked from a copy in memory (a read-only SQLite
 * connection to a WAL-mode file would create -wal and -shm files next to it); otherwise, and for files
 * over 64 MB, through a read-only connection.
 */
function inspect(file: string): Identity | 'empty-file' {
  let st;
  try {
    st = statSync(file);
  } catch (err) {
    throw new MactileError(`database ${file}: cannot read it (${(err as Error).message})`);
  }
  if (st.isDirectory())
    throw new MactileError(`database ${file}: expected an SQLite database file, received a directory`);
  if (!st.isFile())
    throw new MactileError(`database ${file}: expected an SQLite database file, received a special file`);
  if (st.size === 0) return 'empty-file';
  const sideFiles = existsSync(`${file}-wal`) || existsSync(`${file}-journal`);
  const inMemory = !sideFiles && st.size <= IN_MEMORY_CHECK_BYTES;
  let head: Buffer;
  try {
    head = fileHead(file, inMemory ? st.size : 100);
  } catch (err) {
    throw new MactileError(`database ${file}: cannot read it (${(err as Error).message})`);
  }
  if (head.subarray(0, 16).toString('latin1') !== 'SQLite format 3\0')
    throw new MactileError(`database ${file}: expected an SQLite database, received another kind of file`);
  // Fixed header fields (page size a power of two from 512 to 65536; payload fractions 64, 32, 32): garbage fails them.
  const pageSize = head.length >= 24 ? head.readUInt16BE(16) : 0;
  if (
    head.length < 100 ||
    !(pageSize === 1 || (pageSize >= 512 && (pageSize & (pageSize - 1)) === 0)) ||
    head[21] !== 64 ||
    head[22] !== 32 ||
    head[23] !== 32
  ) {
    throw new MactileError(
      `database ${file}: expected an intact SQLite database, received a damaged one (its 100-byte SQLite header is invalid)`,
    );
  }
  if (!sideFiles) {
    const app = head.readUInt32BE(68);
    if (app !== 0 && app !== APPLICATION_ID) {
      throw new MactileError(
        `database ${file}: expected a mactile sweep database (SQLite application_id ${hex(APPLICATION_ID)}), received the SQLite database of another application (application_id ${hex(app)}); it was not changed`,
      );
    }
  }
  let ro: BetterSqlite3.Database | undefined;
  try {
    if (inMemory) {
      // A private copy: WAL mode (header bytes 18 and 19 = 2) is turned into rollback mode, which memory databases support.
      if (head[18] === 2) head[18] = 1;
      if (head[19] === 2) head[19] = 1;
      ro = new Database(head);
    } else {
      ro = new Database(file, { readonly: true, fileMustExist: true });
      ro.pragma('busy_timeout = 30000');
    }
    return identify(file, ro);
  } catch (err) {
    throw sqliteFailure(file, 'check that it is a mactile sweep database', err);
  } finally {
    ro?.close();
  }
}

/** An open sweep database. */
export class SweepDb {
  readonly db: BetterSqlite3.Database;

  private constructor(
    readonly file: string,
    db: BetterSqlite3.Database,
    readonly readonly: boolean,
  ) {
    this.db = db;
  }

  /**
   * Opens a sweep database: `create` makes a new one where there is no file (or an empty one); `readonly`
   * (for --status and --report) never writes, so it also reads schema-1 databases as they are.
   */
  static open(file: string, opts: { create: boolean; readonly?: boolean }): SweepDb {
    const exists = existsSync(file);
    if (!exists && !opts.create) throw new MactileError(`database ${file}: no such file`);
    const found = exists ? inspect(file) : 'empty-file';
    const fresh = found === 'empty-file' || found.kind === 'empty';
    if (fresh && !opts.create) {
      throw new MactileError(
        `database ${file}: expected a mactile sweep database, received ${found === 'empty-file' ? 'an empty file' : 'an SQLite database without tables'}`,
      );
    }
    if (!exists) {
      const dir = dirname(file);
      if (!existsSync(dir))
        throw new MactileError(
          `database ${file}: cannot create it: expected an existing directory, received ${JSON.stringify(dir)}, which does not exist`,
        );
      if (!statSync(dir).isDirectory())
        throw new MactileError(
          `database ${file}: cannot create it: expected a directory, received ${JSON.stringify(dir)}, which is a file`,
        );
    }
    if (opts.readonly) {
      try {
        return new SweepDb(file, new Database(file, { readonly: true, fileMustExist: true }), true);
      } catch (err) {
        throw sqliteFailure(file, 'open it', err);
      }
    }
    const current = typeof found === 'object' && found.kind === 'mactile' && found.version === SCHEMA_VERSION;
    let db: BetterSqlite3.Database | undefined;
    try {
      db = new Database(file, { fileMustExist: !opts.create });
      db.pragma('busy_timeout = 30000');
      const conn = db;
      // Create or upgrade; looking again inside the write transaction: another sweep may have done it meanwhile.
      if (!current)
        conn
          .transaction(() => {
            const id = identify(file, conn);
            if (id.kind === 'empty') {
              conn.exec(SCHEMA);
              conn.prepare(`INSERT INTO meta (key, value) VALUES ('schema', ?)`).run(String(SCHEMA_VERSION));
            } else if (id.version === 1) {
              conn.exec(MIGRATE_1_TO_2);
              conn.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)`).run(String(SCHEMA_VERSION));
            }
            if (id.kind === 'empty' || id.version < SCHEMA_VERSION) {
              conn.pragma(`application_id = ${APPLICATION_ID}`);
              conn.pragma(`user_version = ${SCHEMA_VERSION}`);
            }
          })
          .immediate();
      if ((db.pragma('journal_mode', { simple: true }) as string) !== 'wal') db.pragma('journal_mode = WAL');
    } catch (err) {
      db?.close();
      throw sqliteFailure(file, 'open it as a sweep database', err);
    }
    return new SweepDb(file, db, false);
  }

  /** Runs a database operation, turning SQLite failures into one-line errors naming the file and the operation. */
  private guard<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw sqliteFailure(this.file, doing, err);
    }
  }

  /**
   * Adds the points not yet in the database. Of the points already there, failed ones are made pending
   * again (a rerun retries them), and running ones only when their owner is dead; points a live process
   * holds are left to it and returned as `held`.
   */
  addPoints(points: SweepPoint[]): { added: number; alreadyDone: number; toRun: number; held: HeldPoint[] } {
    return this.guard('add the points of the sweep', () => {
      const insert = this.db
        .prepare(`INSERT OR IGNORE INTO points (key, net, level, rows, cols, dataflow, precision, timing, config)
        VALUES (@key, @net, @level, @rows, @cols, @dataflow, @precision, @timing, @config)`);
      const get = this.db.prepare(`SELECT * FROM points WHERE key = ?`);
      const retry = this.db.prepare(`UPDATE points SET status = 'pending' WHERE id = ? AND status = 'failed'`);
      let added = 0;
      let alreadyDone = 0;
      const held: HeldPoint[] = [];
      this.db
        .transaction(() => {
          for (const p of points) {
            const c = accelOf(p.config).sweepCoordinates(p.config);
            added += insert.run({
              key: p.key,
              net: p.net,
              level: p.level,
              ...c,
              config: JSON.stringify(p.config),
            }).changes;
            const row = get.get(p.key) as PointRow;
            if (row.status === 'done') alreadyDone++;
            else if (row.status === 'failed') retry.run(row.id);
            else if (row.status === 'running') {
              if (ownerAlive(row)) held.push(heldPoint(row));
              else this.releaseRow(row.id);
            }
          }
        })
        .immediate();
      return { added, alreadyDone, toRun: points.length - alreadyDone - held.length, held };
    });
  }

  private releaseRow(id: number): void {
    this.db
      .prepare(
        `UPDATE points SET status = 'pending', worker = NULL, owner_host = NULL, owner_pid = NULL, owner_start = NULL, lease_until = NULL WHERE id = ?`,
      )
      .run(id);
  }

  /** Makes pending again every running point whose owner is dead (except workers named `keep*`); returns how many. */
  reclaimDead(keep?: string): number {
    return this.guard('take back the points of dead workers', () =>
      this.db
        .transaction(() => {
          let n = 0;
          for (const row of this.db.prepare(`SELECT * FROM points WHERE status = 'running'`).all() as PointRow[]) {
            if (keep && row.worker?.startsWith(keep)) continue;
            if (!ownerAlive(row)) {
              this.releaseRow(row.id);
              n++;
            }
          }
          return n;
        })
        .immediate(),
    );
  }

  /** Running points whose owner is alive, other than workers named `except*`. */
  liveHeld(except?: string): HeldPoint[] {
    return this.guard('read the running points', () =>
      (this.db.prepare(`SELECT * FROM points WHERE status = 'running' ORDER BY id`).all() as PointRow[])
        .filter((r) => !(except && r.worker?.startsWith(except)) && ownerAlive(r))
        .map(heldPoint),
    );
  }

  /** Atomically claims the next pending point for a worker, or returns undefined when none is left. */
  claim(worker: string, owner: Owner): PointRow | undefined {
    return this.guard('claim a point', () =>
      this.db
        .transaction(() => {
          const row = this.db.prepare(`SELECT id FROM points WHERE status = 'pending' ORDER BY id LIMIT 1`).get() as
            { id: number } | undefined;
          if (!row) return undefined;
          this.db
            .prepare(
              `UPDATE points SET status = 'running', worker = ?, owner_host = ?, owner_pid = ?, owner_start = ?, lease_until = ?, started_at = ?, attempts = attempts + 1, error = NULL WHERE id = ?`,
            )
            .run(worker, owner.host, owner.pid, owner.start, Date.now() + LEASE_MS, new Date().toISOString(), row.id);
          return this.db.prepare(`SELECT * FROM points WHERE id = ?`).get(row.id) as PointRow;
        })
        .immediate(),
    );
  }

  private static readonly OWNED = `id = ? AND status = 'running' AND owner_host = ? AND owner_pid = ? AND owner_start = ?`;

  /** Extends the lease of a point the owner holds; false when the owner no longer holds it. */
  renew(id: number, owner: Owner): boolean {
    return this.guard(
      'renew the lease of a point',
      () =>
        this.db
          .prepare(`UPDATE points SET lease_until = ? WHERE ${SweepDb.OWNED}`)
          .run(Date.now() + LEASE_MS, id, owner.host, owner.pid, owner.start).changes === 1,
    );
  }

  /** Gives a point back (pending again), e.g. when its worker is stopped before finishing it. */
  release(id: number, owner: Owner): boolean {
    return this.guard(
      'give a point back',
      () =>
        this.db
          .prepare(
            `UPDATE points SET status = 'pending', worker = NULL, owner_host = NULL, owner_pid = NULL, owner_start = NULL, lease_until = NULL WHERE ${SweepDb.OWNED}`,
          )
          .run(id, owner.host, owner.pid, owner.start).changes === 1,
    );
  }

  /**
   * Stores a point's results and marks it done, in one transaction; only while `owner` holds the point
   * (false, and nothing stored, when its claim was taken back meanwhile).
   */
  complete(id: number, owner: Owner, r: PointResult): boolean {
    const b = (v: boolean | null) => (v === null ? null : v ? 1 : 0);
    return this.guard('store the results of a point', () =>
      this.db
        .transaction(() => {
          if (
            !this.db.prepare(`SELECT 1 FROM points WHERE ${SweepDb.OWNED}`).get(id, owner.host, owner.pid, owner.start)
          )
            return false;
          this.db.prepare(`DELETE FROM layer_results WHERE point_id = ?`).run(id);
          this.db
            .prepare(
              `INSERT OR REPLACE INTO results (point_id, cycles, analytic_cycles, macs, time_us, util, mapping_eff, dram_words, area_cells, bit_exact, cycle_exact, tools, seconds)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              id,
              r.cycles,
              r.analyticCycles,
              r.macs,
              r.timeUs,
              r.util,
              r.mappingEfficiency,
              r.dramWords,
              r.areaCells,
              b(r.bitExact),
              b(r.cycleExact),
              JSON.stringify(r.tools),
              r.seconds,
            );
          const layer = this.db.prepare(
            `INSERT INTO layer_results (point_id, layer, kind, macs, cycles, analytic_cycles, util, mapping_eff, dram_words, bit_exact) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          );
          for (const l of r.layers)
            layer.run(
              id,
              l.name,
              l.kind,
              l.macs,
              l.cycles,
              l.analyticCycles,
              l.util,
              l.mappingEfficiency,
              l.dramWords,
              b(l.bitExact),
            );
          this.db
            .prepare(
              `UPDATE points SET status = 'done', finished_at = ?, error = NULL, lease_until = NULL WHERE id = ?`,
            )
            .run(new Date().toISOString(), id);
          return true;
        })
        .immediate(),
    );
  }

  /** Failed points with their errors, in grid order (the first `limit` of them). */
  failedPoints(limit = -1): { key: string; error: string }[] {
    return this.guard(
      'read the failed points',
      () =>
        this.db.prepare(`SELECT key, error FROM points WHERE status = 'failed' ORDER BY id LIMIT ?`).all(limit) as {
          key: string;
          error: string;
        }[],
    );
  }

  /** Marks a point failed with its error: the owner's own point, or (no owner) the point a dead worker held. */
  fail(id: number, error: string, owner?: Owner): boolean {
    return this.guard('record a failed point', () => {
      const now = new Date().toISOString();
      const text = error.slice(0, 4000);
      const r = owner
        ? this.db
            .prepare(
              `UPDATE points SET status = 'failed', finished_at = ?, error = ?, lease_until = NULL WHERE ${SweepDb.OWNED}`,
            )
            .run(now, text, id, owner.host, owner.pid, owner.start)
        : this.db
            .prepare(
              `UPDATE points SET status = 'failed', finished_at = ?, error = ?, lease_until = NULL WHERE id = ? AND status = 'running'`,
            )
            .run(now, text, id);
      return r.changes === 1;
    });
  }

  /** The point a worker of this machine holds, if any. */
  heldBy(worker: string): PointRow | undefined {
    return this.guard('read the point a worker held', () =>
      (this.db.prepare(`SELECT * FROM points WHERE status = 'running' AND worker = ?`).all(worker) as PointRow[]).find(
        (r) => onThisMachine(r),
      ),
    );
  }

  /** The status of each of these points (by key). */
  statusOf(keys: string[]): Map<string, { status: PointRow['status']; error: string | null }> {
    return this.guard('read the points of the sweep', () => {
      const get = this.db.prepare(`SELECT status, error FROM points WHERE key = ?`);
      const out = new Map<string, { status: PointRow['status']; error: string | null }>();
      for (const k of keys) {
        const r = get.get(k) as { status: PointRow['status']; error: string | null } | undefined;
        if (r) out.set(k, r);
      }
      return out;
    });
  }

  /** Counts of points by status. */
  counts(): Record<PointRow['status'], number> {
    return this.guard('count the points', () => {
      const out: Record<PointRow['status'], number> = { pending: 0, running: 0, done: 0, failed: 0 };
      for (const r of this.db.prepare(`SELECT status, COUNT(*) n FROM points GROUP BY status`).all() as {
        status: PointRow['status'];
        n: number;
      }[])
        out[r.status] = r.n;
      return out;
    });
  }

  /** A value of the meta table. */
  meta(key: string): string | undefined {
    return this.guard(
      'read the meta table',
      () => (this.db.prepare(`SELECT value FROM meta WHERE key = ?`).get(key) as { value: string } | undefined)?.value,
    );
  }

  /** Sets a value of the meta table. */
  setMeta(key: string, value: string): void {
    this.guard('write the meta table', () =>
      this.db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`).run(key, value),
    );
  }

  close(): void {
    this.db.close();
  }
}

function heldPoint(r: PointRow): HeldPoint {
  return {
    key: r.key,
    worker: r.worker,
    owner_host: r.owner_host,
    owner_pid: r.owner_pid,
    owner_start: r.owner_start,
    lease_until: r.lease_until,
    local: onThisMachine(r),
  };
}
