/**
 * Writing the user's output files (`--out` of export, analyze, generate, quantize, report; `sweep --report`).
 *
 * `checkOutputFile` and `checkOutputFolder` check a target before any work is done: the right type where
 * it exists, the nearest existing folder above it a folder, writable, and not on a kernel file system
 * (/proc, /sys, /dev). The writers put every file under a temporary name in its own folder and rename it
 * into place, so a full disk, a signal or a crash leaves either the earlier file or the new one, never a
 * truncated one; the temporary names carry the writer's pid and are removed by the next write when that
 * process is gone. Every file-system failure becomes one MactileError naming the path and what went wrong.
 */
import {
  accessSync,
  chmodSync,
  constants,
  mkdirSync,
  readdirSync,
  realpathSync,
  rmdirSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  unlinkSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { ownedName, removeStale } from './cleanup.js';
import { MactileError } from './errors.js';

const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, expected a folder',
  EISDIR: 'it is a folder, expected a file',
  ENOENT: 'no such file or folder',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'input/output error',
  EBUSY: 'the file is busy',
  EXDEV: 'it is on another file system',
};

/** Exit status of a file-system failure: 3 where the machine failed (full disk, I/O error), 2 otherwise. */
const exitOf = (code: string | undefined) => (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EIO' ? 3 : 2);

/** `reason (CODE)` of a failed file-system call, e.g. "the disk is full (ENOSPC)". */
function reasonOf(err: unknown): { text: string; code?: string } {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (!code) return { text: String((err as Error)?.message ?? err) };
  return { text: `${REASONS[code] ?? 'the file system refused it'} (${code})`, code };
}

/** Kernel file systems by statfs magic: nothing of ours belongs there. */
const KERNEL_FS: Record<number, string> = {
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
  0xcafe4a11: 'bpf',
  0x6165676c: 'pstore',
  0x62656570: 'configfs',
  0xde5e81e4: 'efivarfs',
};

/** The kernel file system `dir` (an existing folder) is on, or undefined for an ordinary one. */
function kernelFs(dir: string): string | undefined {
  let real = dir;
  try {
    real = realpathSync(dir);
  } catch {
    // Keep the path as given.
  }
  for (const [top, name] of [
    ['/proc', 'proc'],
    ['/sys', 'sysfs'],
    ['/dev', 'devtmpfs'],
  ] as const) {
    if (real === top || real.startsWith(`${top}/`)) return name;
  }
  try {
    const name = KERNEL_FS[statfsSync(real).type];
    if (name) return name;
  } catch {
    // statfs unsupported: the prefixes above must do.
  }
  return undefined;
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

const isStream = (st: Stats) => st.isFIFO() || st.isCharacterDevice() || st.isSocket();

/** The nearest existing path at or above `abs`, with its stat. */
function nearestExisting(abs: string): { path: string; stat: Stats } {
  let p = abs;
  for (;;) {
    const st = statOf(p);
    if (st) return { path: p, stat: st };
    const up = dirname(p);
    if (up === p) throw new MactileError(`cannot find any existing folder above ${abs}`);
    p = up;
  }
}

/** How a path is shown in a message: as the user gave it when relative, else absolute. */
const shown = (abs: string) => {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : abs;
};

/** Checks that files can be created in the existing folder `dir` (`label` prefixes the message). */
function checkWritableFolder(dir: string, label: string): void {
  const kernel = kernelFs(dir);
  if (kernel) {
    throw new MactileError(
      `${label}: ${shown(dir)} is on a kernel file system (${kernel}), expected a folder on a disk where files can be written`,
    );
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    const r = reasonOf(err);
    throw new MactileError(`${label}: cannot write into ${shown(dir)}: ${r.text}`, exitOf(r.code));
  }
}

/** Checks the missing part of a path below its nearest existing ancestor: that ancestor must be a writable folder. */
function checkCreatable(abs: string, label: string): void {
  const near = nearestExisting(abs);
  if (!near.stat.isDirectory()) throw new MactileError(`${label}: ${shown(near.path)} is a file, expected a folder`);
  checkWritableFolder(near.path, label);
}

/**
 * Checks, before any work, that `path` can be written as a file: not a folder, its parent folder existing
 * or creatable, writable, not under /proc, /sys or /dev (an existing device or pipe such as /dev/stdout is
 * fine). `option` names it in messages (e.g. "--out").
 */
export function checkOutputFile(path: string, option = '--out'): void {
  const abs = resolve(path);
  const label = `${option} ${path}`;
  const st = statOf(abs);
  if (!st) return checkCreatable(dirname(abs), label);
  if (st.isDirectory()) throw new MactileError(`${label}: is a folder, expected a file`);
  if (isStream(st)) return;
  if (!st.isFile()) throw new MactileError(`${label}: is not a regular file, expected a file`);
  checkWritableFolder(dirname(realpathSync(abs)), label);
}

/** Checks, before any work, that `path` can be written as a folder (existing or creatable; see checkOutputFile). */
export function checkOutputFolder(path: string, option = '--out'): void {
  const abs = resolve(path);
  const label = `${option} ${path}`;
  const st = statOf(abs);
  if (!st) return checkCreatable(abs, label);
  if (!st.isDirectory()) throw new MactileError(`${label}: is a file, expected a folder`);
  checkWritableFolder(abs, label);
}

/**
 * Creates the folder `abs` and its missing parents one level at a time (Node's recursive mkdir loops
 * forever below /proc), after the checks of checkOutputFolder.
 */
function makeFolder(abs: string, label: string): string[] {
  const st = statOf(abs);
  if (st) {
    if (!st.isDirectory()) throw new MactileError(`${label}: ${shown(abs)} is a file, expected a folder`);
    checkWritableFolder(abs, label);
    return [];
  }
  checkCreatable(abs, label);
  const missing: string[] = [];
  for (let p = abs; !statOf(p); p = dirname(p)) missing.unshift(p);
  for (const p of missing) {
    try {
      mkdirSync(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statOf(p)?.isDirectory()) continue;
      const r = reasonOf(err);
      throw new MactileError(`${label}: cannot create the folder ${shown(p)}: ${r.text}`, exitOf(r.code));
    }
  }
  return missing;
}

/** Runs `write`; if it fails, removes the (still empty) folders created for it, deepest first. */
function undoFoldersOnError<T>(created: string[], write: () => T): T {
  try {
    return write();
  } catch (err) {
    for (const d of [...created].reverse()) {
      try {
        rmdirSync(d);
      } catch {
        // Not empty (someone else's files) or gone: leave it.
      }
    }
    throw err;
  }
}

/** Our temporary files in a folder: `.<name>.tmp-<pid>@<host>`. */
const TEMP_FILE = /^\..+\.tmp-(\d+)@([^@]+)$/;
/** Our staging folders: `.mactile-stage-<pid>@<host>`. */
const STAGE = /^\.mactile-stage-(\d+)@([^@]+)$/;

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never written, or already gone.
  }
}

interface Planned {
  target: string;
  tmp?: string;
  data: string | Uint8Array;
  existed: boolean;
}

/** Resolves where `target` is really written: through a symbolic link to an existing file; folders refused. */
function plan(target: string, data: string | Uint8Array, label: string): Planned {
  const st = statOf(target);
  if (st?.isDirectory()) throw new MactileError(`${label}: ${shown(target)} is a folder, expected a file`);
  if (st && isStream(st)) return { target, data, existed: true };
  const real = st ? realpathSync(target) : target;
  return { target: real, tmp: join(dirname(real), ownedName(`.${basename(real)}`)), data, existed: !!st };
}

/** Writes the planned files under their temporary names, then renames them all into place. */
function commit(files: Planned[], label: string): void {
  const folders = new Set(files.filter((f) => f.tmp).map((f) => dirname(f.target)));
  for (const d of folders) removeStale(d, TEMP_FILE);
  let current: Planned | undefined;
  try {
    for (const f of files) {
      current = f;
      if (!f.tmp) {
        writeFileSync(f.target, f.data);
        continue;
      }
      writeFileSync(f.tmp, f.data);
      const mode = f.existed ? statOf(f.target)?.mode : undefined;
      if (mode !== undefined) chmodSync(f.tmp, mode & 0o7777);
    }
    for (const f of files) {
      current = f;
      if (f.tmp) renameSync(f.tmp, f.target);
    }
  } catch (err) {
    for (const f of files) if (f.tmp) unlinkQuietly(f.tmp);
    const r = reasonOf(err);
    const kept = files.some((f) => f.existed)
      ? files.length > 1
        ? '; the earlier files are unchanged'
        : '; the earlier file is unchanged'
      : '';
    throw new MactileError(`${label}: cannot write ${shown(current!.target)}: ${r.text}${kept}`, exitOf(r.code));
  }
}

/** Writes one file atomically (temporary name, then rename). `label` prefixes messages (e.g. "--out FILE"). */
export function writeOutputFile(path: string, data: string | Uint8Array, label = path): string {
  const abs = resolve(path);
  const st = statOf(abs);
  const created = st && isStream(st) ? [] : makeFolder(dirname(abs), label);
  undoFoldersOnError(created, () => commit([plan(abs, data, label)], label));
  return path;
}

/**
 * Writes files (paths relative to `dir`, e.g. "data/x.csv") into `dir`, creating it and its subfolders:
 * every file is written under a temporary name first, and only when all are written are they renamed into
 * place. Returns the paths written (under `dir` as given).
 */
export function writeOutputFiles(dir: string, files: [string, string | Uint8Array][], label = dir): string[] {
  const abs = resolve(dir);
  const created = makeFolder(abs, label);
  undoFoldersOnError(created, () => {
    const planned = files.map(([rel, data]) => {
      const target = join(abs, rel);
      created.push(...makeFolder(dirname(target), label));
      return plan(target, data, label);
    });
    commit(planned, label);
  });
  return files.map(([rel]) => join(dir, rel));
}

/** Every file below `dir`, as paths relative to it. */
function filesBelow(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesBelow(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

/**
 * Runs `writer` on a staging folder inside `dir` (for writers that write their files themselves), then
 * moves what it wrote into `dir`, each file by one rename. `writer` returns a path inside the staging
 * folder; the same path inside `dir` is returned.
 */
export async function writeOutputFolder(
  dir: string,
  writer: (stage: string) => Promise<string> | string,
  label = dir,
): Promise<string> {
  const abs = resolve(dir);
  const created = makeFolder(abs, label);
  removeStale(abs, STAGE);
  const stage = join(abs, ownedName('.mactile-stage', '-'));
  const final = (p: string) => join(abs, relative(stage, p));
  try {
    let result: string;
    try {
      rmSync(stage, { recursive: true, force: true });
      mkdirSync(stage);
      result = await writer(stage);
    } catch (err) {
      if (err instanceof MactileError || !(err as NodeJS.ErrnoException).code) throw err;
      const r = reasonOf(err);
      const where = (err as NodeJS.ErrnoException).path;
      const what = where ? shown(final(where)) : `into ${shown(abs)}`;
      throw new MactileError(
        `${label}: cannot write ${what}: ${r.text}; the earlier files are unchanged`,
        exitOf(r.code),
      );
    }
    const moves = filesBelow(stage).map((rel) => ({ from: join(stage, rel), to: join(abs, rel) }));
    for (const m of moves) {
      makeFolder(dirname(m.to), label);
      if (statOf(m.to)?.isDirectory()) throw new MactileError(`${label}: ${shown(m.to)} is a folder, expected a file`);
    }
    for (const m of moves) {
      try {
        renameSync(m.from, m.to);
      } catch (err) {
        const r = reasonOf(err);
        throw new MactileError(`${label}: cannot write ${shown(m.to)}: ${r.text}`, exitOf(r.code));
      }
    }
    return final(result);
  } catch (err) {
    rmSync(stage, { recursive: true, force: true });
    undoFoldersOnError(created, () => {
      throw err;
    });
    throw err;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
