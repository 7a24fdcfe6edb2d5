/**
 * Who holds a claimed point, and whether that holder is still alive. A claim records the worker process's
 * host name, pid and start identity (the kernel's boot id, the pid namespace and the process start time,
 * field 22 of /proc/<pid>/stat) plus a lease the worker renews while it runs the point. On the same machine
 * (same host name, boot and pid namespace) a holder is alive while a process with its pid and start time
 * exists and is not a zombie; elsewhere it is alive while its lease has not expired.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** How long a claim stays valid without a heartbeat (other hosts only), and how often workers renew it. */
export const LEASE_MS = 5 * 60_000;
export const RENEW_MS = 30_000;

/** The holder of a claim as stored in the points table. */
export interface Owner {
  host: string;
  pid: number;
  /** `<boot id>:<pid namespace>/<start time>`; `?` where the system does not tell. */
  start: string;
}

/** A claim as read back: its owner (null fields for a released or pre-owner claim) and its lease. */
export interface Claim {
  owner_host: string | null;
  owner_pid: number | null;
  owner_start: string | null;
  lease_until: number | null;
}

function readOr(read: () => string, fallback: string): string {
  try {
    return read().trim();
  } catch {
    return fallback;
  }
}

let machineId: string | undefined;

/** This machine's identity beyond its name: boot id and pid namespace (`?` where unknown). */
export function thisMachine(): string {
  machineId ??= `${readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'), '?')}:${readOr(() => readlinkSync('/proc/self/ns/pid'), '?')}`;
  return machineId;
}

/** State and start time of a process from /proc/<pid>/stat, or undefined when there is no such file. */
function procStat(pid: number | 'self'): { state: string; ppid: number; start: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces or parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '?', ppid: Number(rest[1]), start: rest[19] ?? '?' };
}

/** The identity of this process as a claim owner. */
export function selfOwner(): Owner {
  return { host: hostname(), pid: process.pid, start: `${thisMachine()}/${procStat(process.pid)?.start ?? '?'}` };
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the owner of a claim is on this machine, where its pid can be checked. */
export function onThisMachine(c: Claim): boolean {
  if (c.owner_host !== hostname() || !c.owner_start) return false;
  return c.owner_start.slice(0, c.owner_start.lastIndexOf('/')) === thisMachine();
}

/** Whether the owner of a claim is alive (see the module comment); claims without an owner are dead. */
export function ownerAlive(c: Claim, now = Date.now()): boolean {
  if (!c.owner_host || !c.owner_pid) return false;
  if (onThisMachine(c)) {
    if (!pidExists(c.owner_pid)) return false;
    const st = procStat(c.owner_pid);
    if (!st) return true; // no /proc: the pid is all we can check
    const start = c.owner_start!.slice(c.owner_start!.lastIndexOf('/') + 1);
    return st.state !== 'Z' && st.state !== 'X' && (start === '?' || st.start === start);
  }
  return (c.lease_until ?? 0) > now;
}

/**
 * Whether the process that started this one (pid `parent`) is gone: this process's parent pid is no longer
 * `parent` (process.ppid is fixed at start-up, so /proc/self/stat is asked), or, without /proc, no process
 * with that pid exists.
 */
export function parentGone(parent: number): boolean {
  const st = procStat('self');
  return st ? st.ppid !== parent : !pidExists(parent);
}
