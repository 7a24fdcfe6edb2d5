/**
 * A sweep worker: claims points from the database one by one, runs each, and stores its results (or its
 * error). Runs as its own process (`mactile sweep-worker`), started by the local backend or a Slurm task.
 */
import { MactileError } from '../util/errors.js';
import { SweepDb } from './db.js';
import { runPoint } from './run-point.js';

/** Runs points until none is pending; returns how many it ran and how many failed. */
export async function workLoop(file: string, worker: string): Promise<{ ran: number; failed: number }> {
  const db = SweepDb.open(file, { create: false });
  const area = db.meta('area') === 'yosys';
  let ran = 0;
  let failed = 0;
  try {
    for (let row = db.claim(worker); row; row = db.claim(worker)) {
      ran++;
      try {
        db.complete(row.id, await runPoint(row, { area }));
      } catch (err) {
        failed++;
        db.fail(row.id, err instanceof MactileError ? err.message : `internal error: ${(err as Error).stack ?? String(err)}`);
      }
    }
  } finally {
    db.close();
  }
  return { ran, failed };
}
