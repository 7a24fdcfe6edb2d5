/**
 * Cleaning up after this process, and after earlier ones that were killed.
 *
 * mactile installs no signal handler while it computes: Ctrl-C (SIGINT) and SIGTERM keep their default action
 * and end the process at once, even inside a long synchronous loop (every output is written to a temporary
 * name and renamed, so nothing is left half-written). Only while it waits for a child process (a Verilator
 * build, a simulator run, yosys) or holds a lock does `onCleanup` install handlers for SIGINT, SIGTERM and
 * SIGHUP; they run the registered clean-ups (stop the child's process group, remove temporary folders,
 * release locks) and then re-raise the signal with its default action, so the exit status stays the
 * conventional one (130 for SIGINT, 143 for SIGTERM). What a SIGKILL leaves behind, the next run removes:
 * temporary files and folders carry their owner's pid (`ownedName`), and `removeStale` deletes those whose
 * owner is no longer running.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const cleanups = new Set<() => void>();
let installed = false;

function runCleanups(): void {
  for (const fn of [...cleanups]) {
    cleanups.delete(fn);
    try {
      fn();
    } catch {
      // A clean-up that fails (a folder already gone) must not keep the others from running.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runCleanups();
  uninstall();
  // Our handlers are gone: the signal's default action (or another library's handler) ends the process.
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', runCleanups);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.removeListener('exit', runCleanups);
}

/** One turn of the event loop that includes its poll phase (where Node dispatches a signal that arrived). */
const pollTurn = () => new Promise<void>((res) => setImmediate(() => setImmediate(res)));

let settling: Promise<void> | undefined;

/**
 * Removes the handlers once no clean-up is registered, one poll phase later. A signal that arrived while
 * they were installed waits in libuv's signal pipe until the event loop polls; removing the handlers before
 * that would drop it (the process would go on as if never signalled), so they stay for that one poll.
 */
function uninstallSoon(): Promise<void> {
  settling ??= pollTurn().then(() => {
    settling = undefined;
    if (cleanups.size === 0) uninstall();
  });
  return settling;
}

/**
 * Runs `fn` (synchronous) if the process exits or is stopped by SIGINT, SIGTERM or SIGHUP before the returned
 * function is called. Register only around asynchronous waits: while any clean-up is registered, a signal
 * is handled in JavaScript, which cannot run during synchronous work.
 */
export function onCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  install();
  return () => {
    cleanups.delete(fn);
    if (cleanups.size === 0) void uninstallSoon();
  };
}

/**
 * Resolves when a signal that arrived during the last wait has been acted on and the default actions are
 * back. Await it after a wait and before long synchronous work, which a pending signal must not outlast.
 */
export function signalsSettled(): Promise<void> {
  return settling ?? Promise.resolve();
}

/** This machine's name as it appears in owned names and lock files (letters, digits, '.', '_', '-'). */
export const thisHost = hostname().replace(/[^A-Za-z0-9._-]/g, '_') || 'localhost';

/** The start time of a process (clock ticks since boot, from /proc), or undefined where /proc cannot tell. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether process `pid` of this machine still runs (a zombie does not; with `start`, the same process). */
export function processAlive(pid: number, start?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return start === undefined || start === processStart(pid);
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return false;
    return start === undefined || fields[19] === start;
  } catch {
    return true;
  }
}

/** A name owned by this process: `<base><sep><pid>@<host>`, which `removeStale` can attribute to it. */
export function ownedName(base: string, sep = '.tmp-'): string {
  return `${base}${sep}${process.pid}@${thisHost}`;
}

/**
 * Removes the entries of `dir` whose name matches `pattern` (its first group the owner's pid, an optional
 * second group the owner's host) and whose owner is a dead process of this machine. Entries of other
 * machines are left alone. Returns the names removed.
 */
export function removeStale(dir: string, pattern: RegExp): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const host = m[2];
    if (host !== undefined && host !== thisHost) continue;
    if (processAlive(Number(m[1]))) continue;
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Not ours to remove (permissions): leave it.
    }
  }
  return removed;
}

/** Removes entries of `dir` matching `pattern` older than `hours` (leftovers whose owner cannot be told). */
export function removeOld(dir: string, pattern: RegExp, hours: number): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const limit = Date.now() - hours * 3_600_000;
  for (const name of names) {
    if (!pattern.test(name)) continue;
    try {
      if (statSync(join(dir, name)).mtimeMs < limit) rmSync(join(dir, name), { recursive: true, force: true });
    } catch {
      // Gone already, or not ours.
    }
  }
}
