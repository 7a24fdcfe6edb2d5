/**
 * A sweep worker: claims points from the database one by one, runs each, and stores its results (or its
 * error). Runs as its own process (`mactile sweep-worker`), started by the local backend or a Slurm task.
 *
 * Each claim is owned by this process (owner.ts); while a point runs the worker renews its lease. A worker
 * started by the local backend (`parent`) gives its point back and exits as soon as that sweep process is
 * gone, so killing a sweep never leaves workers running on; SIGTERM, SIGINT and SIGHUP do the same.
 */
import { MactileError } from '../util/errors.js';
import { SweepDb, type PointRow } from './db.js';
import { RENEW_MS, parentGone, selfOwner } from './owner.js';
import { runPoint } from './run-point.js';

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

/** Runs points until none is pending; returns how many it ran and how many failed. */
export async function workLoop(
  file: string,
  worker: string,
  opts: { parent?: number } = {},
): Promise<{ ran: number; failed: number }> {
  const db = SweepDb.open(file, { create: false });
  const owner = selfOwner();
  const area = db.meta('area') === 'yosys';
  let ran = 0;
  let failed = 0;
  let current: PointRow | undefined;
  let renewed = 0;
  let leaving = false;
  /** Gives the current point back, closes the database and exits (children started through execa die with it). */
  const leave = (why: string, code: number): void => {
    if (leaving) return;
    leaving = true;
    let back = '';
    try {
      if (current && db.release(current.id, owner)) back = `; its point ${current.key} is pending again`;
      db.close();
    } catch (err) {
      back = `; could not give its point back (${(err as Error).message})`;
    }
    process.stderr.write(`mactile: sweep-worker ${worker}: ${why}${back}\n`);
    process.exit(code);
  };
  const orphaned = () => opts.parent !== undefined && parentGone(opts.parent);
  const gone = () => `the sweep process that started it (pid ${opts.parent}) is gone`;
  const tick = setInterval(() => {
    if (orphaned()) return leave(gone(), 1);
    if (current && Date.now() - renewed >= RENEW_MS) {
      renewed = Date.now();
      try {
        db.renew(current.id, owner);
      } catch {
        // A lease that cannot be renewed lapses; the result is stored only if the claim is still ours.
      }
    }
  }, 500);
  const handlers = Object.entries(SIGNALS).map(([sig, n]) => {
    const h = () => leave(`stopped by ${sig}`, 128 + n);
    process.on(sig, h);
    return [sig, h] as const;
  });
  try {
    for (;;) {
      if (orphaned()) leave(gone(), 1);
      current = db.claim(worker, owner);
      if (!current) break;
      renewed = Date.now();
      ran++;
      let result: Awaited<ReturnType<typeof runPoint>> | undefined;
      let error = '';
      try {
        result = await runPoint(current, { area });
      } catch (err) {
        error =
          err instanceof MactileError
            ? err.message
            : `the point's evaluation failed unexpectedly: ${(err as Error).stack ?? String(err)}`;
      }
      // Database failures (a full disk, a damaged file) are not the point's fault: they end the worker.
      if (result) {
        if (!db.complete(current.id, owner, result))
          process.stderr.write(
            `mactile: sweep-worker ${worker}: point ${current.key} was taken back while it ran; its result was not stored\n`,
          );
      } else {
        failed++;
        db.fail(current.id, error, owner);
      }
      current = undefined;
      // Let the parent check and the signal handlers run between points (analytic points never yield).
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    clearInterval(tick);
    for (const [sig, h] of handlers) process.off(sig, h);
    if (!leaving) db.close();
  }
  return { ran, failed };
}
