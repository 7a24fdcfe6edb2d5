/**
 * The local backend: N worker processes share the sweep database. A worker that crashes (signal, abort,
 * out of memory) fails only the point it held, with its last output recorded, and is replaced while
 * points remain; when workers keep dying the same way (a full disk, a database they cannot write) the
 * sweep stops starting new ones and says why. Points that a live process of another sweep on this machine
 * holds are waited for; points of dead owners are taken back and run. SIGINT and SIGTERM stop the workers
 * (each gives its point back), and workers exit by themselves when this process dies.
 */
import { execa, type Result, type ResultPromise } from 'execa';
import { SweepDb, type HeldPoint } from './db.js';

/** The command line that starts this program again (same Node flags, e.g. a TypeScript loader). */
export function selfCommand(args: string[]): { file: string; args: string[] } {
  return { file: process.execPath, args: [...process.execArgv, process.argv[1]!, ...args] };
}

/** Stop after this many workers in a row died with the same error, or this many died without holding a point. */
const SAME_ERROR_LIMIT = 3;
const OUTSIDE_POINT_LIMIT = 10;

export interface LocalRun {
  workersStarted: number;
  crashes: number;
  seconds: number;
  /** Why the sweep stopped starting workers before the points ran out. */
  stopped?: string;
  /** The signal that interrupted the sweep. */
  interrupted?: NodeJS.Signals;
  /** The error of the last crashed worker. */
  lastCrash?: string;
}

/** The error a dead worker left: its last `mactile: ` line, or its last line of output. */
function crashSignature(r: Pick<Result, 'exitCode' | 'signal'> & { all?: unknown }): string {
  const lines = String(r.all ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const own = lines.filter((l) => l.startsWith('mactile: ')).pop();
  const last = own ?? lines.pop();
  return last
    ? last.replace(/^mactile: /, '')
    : r.signal
      ? `killed by ${r.signal}`
      : `exit ${r.exitCode} without output`;
}

/** Runs the pending points of a database with `jobs` worker processes (`onCounts` about every second). */
export async function runLocal(
  file: string,
  jobs: number,
  log: (line: string) => void = () => {},
  onCounts: (counts: ReturnType<SweepDb['counts']>, workers: number) => void = () => {},
): Promise<LocalRun> {
  const t0 = performance.now();
  const db = SweepDb.open(file, { create: false });
  const prefix = `local-${process.pid}-`;
  const running = new Map<string, ResultPromise>();
  let started = 0;
  let crashes = 0;
  let outside = 0;
  let streak = 0;
  let lastSig = '';
  let stopped: string | undefined;
  let interrupted: NodeJS.Signals | undefined;
  let lastCrash: string | undefined;
  let wake = () => {};
  const exits: Promise<void>[] = [];
  /** Workers this process stopped (they give their points back and exit 128 + signal). */
  const killed = new Set<string>();
  const stopAll = () => {
    for (const [id, c] of running) {
      killed.add(id);
      c.kill('SIGTERM');
    }
  };

  const onExit = (id: string, r: Result) => {
    if (r.exitCode === 0 && !r.signal) {
      streak = 0;
      return;
    }
    if (killed.has(id)) return;
    crashes++;
    const sig = crashSignature(r);
    const held = db.heldBy(id);
    const tail = String(r.all ?? '')
      .trim()
      .split('\n')
      .slice(-5)
      .join(' | ');
    if (held)
      db.fail(
        held.id,
        `the worker process died (${r.signal ?? `exit ${r.exitCode}`}) while running this point${tail ? `: ${tail}` : ''}`,
      );
    else outside++;
    // Digits differ from worker to worker (pids, names, times): compare the errors without them.
    const norm = sig.replace(/\d+/g, '#');
    streak = norm === lastSig ? streak + 1 : 1;
    lastSig = norm;
    if (streak >= SAME_ERROR_LIMIT) stopped = `${streak} worker processes in a row died with the same error: ${sig}`;
    else if (outside >= OUTSIDE_POINT_LIMIT)
      stopped = `${outside} worker processes died before running a point; the last said: ${sig}`;
    lastCrash = sig;
  };

  const start = () => {
    const id = `${prefix}${++started}`;
    const cmd = selfCommand(['sweep-worker', '--db', file, '--worker', id, '--parent', String(process.pid)]);
    const child = execa(cmd.file, cmd.args, { reject: false, all: true, buffer: { all: true } });
    running.set(id, child);
    exits.push(
      child.then((r) => {
        running.delete(id);
        try {
          onExit(id, r);
        } catch (err) {
          // The database cannot be written here either (e.g. the disk is full): stop, saying so.
          stopped ??= (err as Error).message;
        }
        wake();
      }),
    );
  };

  const onSignal = (sig: NodeJS.Signals) => {
    interrupted ??= sig;
    stopAll();
    wake();
  };
  const sigint = () => onSignal('SIGINT');
  const sigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  let waitingFor = '';
  try {
    for (;;) {
      if (stopped || interrupted) break;
      db.reclaimDead(prefix);
      const counts = db.counts();
      const pending = counts.pending ?? 0;
      while (running.size < Math.min(jobs, pending)) start();
      onCounts(counts, running.size);
      if (running.size === 0) {
        // Nothing left to start: wait only for points that live processes of this machine hold (their
        // death is seen at once); points held elsewhere are reported by the caller.
        const held = db.liveHeld(prefix).filter((h) => h.local);
        if (held.length === 0) break;
        const text = heldText(held);
        if (text !== waitingFor) log(`waiting for ${text}`);
        waitingFor = text;
      }
      await new Promise<void>((res) => {
        const t = setTimeout(res, 1000);
        wake = () => {
          clearTimeout(t);
          res();
        };
      });
    }
  } finally {
    stopAll();
    await Promise.all(exits);
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
    try {
      // A worker stopped in the middle of a long synchronous point is killed (execa: SIGKILL 5 s after
      // SIGTERM) before it can give its point back: every worker of ours is gone now, so take them back.
      db.reclaimDead();
    } catch {
      // (The database cannot be written, e.g. a full disk: a rerun takes them back.)
    } finally {
      db.close();
    }
  }
  return {
    workersStarted: started,
    crashes,
    seconds: (performance.now() - t0) / 1000,
    stopped,
    interrupted,
    lastCrash,
  };
}

/** Points held by other processes, in words: `2 points running in another sweep: KEY (worker W (pid P on host H)), ...`. */
export function heldText(held: HeldPoint[]): string {
  const shown = held
    .slice(0, 3)
    .map(
      (h) =>
        `${h.key} (${h.worker ? `worker ${h.worker}, ` : ''}pid ${h.owner_pid} on host ${h.owner_host}${h.local ? '' : `, lease until ${new Date(h.lease_until ?? 0).toISOString()}`})`,
    );
  return `${held.length} point(s) running in another sweep: ${shown.join(', ')}${held.length > 3 ? ', ...' : ''}`;
}
