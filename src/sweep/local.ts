/**
 * The local backend: N worker processes share the sweep database. A worker that crashes (signal, abort,
 * out of memory) fails only the point it held, with its last output recorded, and is replaced while
 * points remain.
 */
import { execa, type ResultPromise } from 'execa';
import { SweepDb } from './db.js';

/** The command line that starts this program again (same Node flags, e.g. a TypeScript loader). */
export function selfCommand(args: string[]): { file: string; args: string[] } {
  return { file: process.execPath, args: [...process.execArgv, process.argv[1]!, ...args] };
}

export interface LocalRun {
  workersStarted: number;
  crashes: number;
  seconds: number;
}

/** Runs the pending points of a database with `jobs` worker processes. */
export async function runLocal(file: string, jobs: number): Promise<LocalRun> {
  const t0 = performance.now();
  const db = SweepDb.open(file, { create: false });
  let started = 0;
  let crashes = 0;
  const running = new Map<string, ResultPromise>();
  const start = () => {
    const id = `local-${process.pid}-${++started}`;
    const cmd = selfCommand(['sweep-worker', '--db', file, '--worker', id]);
    const child = execa(cmd.file, cmd.args, { reject: false, all: true, buffer: { all: true } });
    running.set(id, child);
    return { id, child };
  };
  try {
    const pending = () => db.counts().pending ?? 0;
    const launch = Math.max(1, Math.min(jobs, pending()));
    const waits: Promise<void>[] = [];
    const watch = (w: { id: string; child: ResultPromise }): Promise<void> =>
      w.child.then(async (r) => {
        running.delete(w.id);
        if (r.exitCode !== 0 || r.signal) {
          crashes++;
          const held = db.heldBy(w.id);
          const tail = String(r.all ?? '').trim().split('\n').slice(-5).join(' | ');
          if (held) db.fail(held.id, `the worker process died (${r.signal ?? `exit ${r.exitCode}`}) while running this point${tail ? `: ${tail}` : ''}`);
        }
        if (pending() > 0 && running.size < jobs) await watch(start());
      });
    for (let i = 0; i < launch; i++) waits.push(watch(start()));
    await Promise.all(waits);
  } finally {
    for (const c of running.values()) c.kill();
    db.close();
  }
  return { workersStarted: started, crashes, seconds: (performance.now() - t0) / 1000 };
}
