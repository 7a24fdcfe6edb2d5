/**
 * Inter-process locks as lock files: the file holds its owner (pid, host, process start time, and the
 * process group of the work it protects, when there is one). It is created whole with link(2), which fails
 * if the file exists. A lock whose owner is a dead process of this machine is stale and taken over at once
 * (the process group it names is stopped first, so an orphaned compiler does not keep running); a lock of
 * another machine is stale when its owner has not refreshed it for a minute. No signal handler stays
 * installed after the lock is released.
 */
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { onCleanup, processAlive, processStart, thisHost } from './cleanup.js';
import { MactileError } from './errors.js';

interface Owner {
  pid: number;
  host: string;
  start?: string;
  /** The process group doing the locked work (e.g. a Verilator build), and its leader's start time. */
  group?: number;
  groupStart?: string;
}

export interface Lock {
  /** Records the process group doing the locked work, so that a later run can stop it if this process dies. */
  noteGroup(pgid: number): void;
  release(): void;
}

const REFRESH_MS = 10_000;
const FOREIGN_STALE_MS = 60_000;

function readOwner(path: string): { owner?: Owner; mtimeMs: number } | undefined {
  try {
    const mtimeMs = statSync(path).mtimeMs;
    try {
      const owner = JSON.parse(readFileSync(path, 'utf8')) as Owner;
      return typeof owner.pid === 'number' && typeof owner.host === 'string' ? { owner, mtimeMs } : { mtimeMs };
    } catch {
      return { mtimeMs };
    }
  } catch {
    return undefined;
  }
}

function writeOwner(path: string, owner: Owner): void {
  const tmp = `${path}.${process.pid}.new`;
  writeFileSync(tmp, JSON.stringify(owner) + '\n');
  try {
    linkSync(tmp, path);
  } finally {
    unlinkSync(tmp);
  }
}

const stopped = new Set<number>();

/** Stops the process group a dead owner left running, if it is still the same group. */
function stopOrphans(owner: Owner): boolean {
  if (owner.group === undefined || stopped.has(owner.group) || !processAlive(owner.group, owner.groupStart))
    return false;
  try {
    process.kill(-owner.group, 'SIGKILL');
    stopped.add(owner.group);
    return true;
  } catch {
    return false;
  }
}

/** Removes a stale lock file, unless another process replaced it meanwhile. */
function breakLock(path: string, seen: string): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  let text = '';
  try {
    text = readFileSync(aside, 'utf8');
  } catch {
    // Gone: fine.
  }
  if (text !== seen) {
    // A live owner's lock was taken over between our read and our rename: give it back.
    try {
      linkSync(aside, path);
    } catch {
      // Someone else holds it now; their lock stands.
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // Already removed.
  }
}

/**
 * Takes the lock file `path`, waiting while a live process holds it. `waiting` gives the line printed on
 * stderr (once) when this process has to wait.
 */
export async function acquireLock(path: string, waiting: (pid: number, host: string) => string): Promise<Lock> {
  const me: Owner = { pid: process.pid, host: thisHost, start: processStart(process.pid) };
  let told = false;
  for (;;) {
    try {
      writeOwner(path, me);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new MactileError(`cannot create the lock file ${path} (${code ?? String(err)})`, 3);
    }
    const held = readOwner(path);
    if (!held) continue; // released between our attempt and our look
    const { owner, mtimeMs } = held;
    let stale: boolean;
    if (!owner)
      stale = Date.now() - mtimeMs > 5_000; // not a lock of ours (or from an older mactile)
    else if (owner.host !== thisHost) stale = Date.now() - mtimeMs > FOREIGN_STALE_MS;
    else stale = !processAlive(owner.pid, owner.start);
    if (stale) {
      if (owner && owner.host === thisHost && stopOrphans(owner)) {
        process.stderr.write(
          `mactile: stopped the orphaned work of process ${owner.pid}, which held ${path} and is no longer running\n`,
        );
      }
      let seen: string;
      try {
        seen = readFileSync(path, 'utf8');
      } catch {
        continue;
      }
      breakLock(path, seen);
      continue;
    }
    if (!told && owner) {
      process.stderr.write(`mactile: ${waiting(owner.pid, owner.host)}\n`);
      told = true;
    }
    await sleep(250);
  }
  const refresh = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // The lock file was removed under us; release will notice.
    }
  }, REFRESH_MS);
  refresh.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(refresh);
    dispose();
    try {
      const o = JSON.parse(readFileSync(path, 'utf8')) as Owner;
      if (o.pid === me.pid && o.host === me.host) unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
  const dispose = onCleanup(release);
  return {
    noteGroup(pgid: number) {
      const owner: Owner = { ...me, group: pgid, groupStart: processStart(pgid) };
      const tmp = `${path}.${process.pid}.new`;
      try {
        writeFileSync(tmp, JSON.stringify(owner) + '\n');
        renameSync(tmp, path);
      } catch {
        // Best effort: without the note a later run cannot stop an orphaned build, but still takes the lock.
      }
    },
    release,
  };
}
