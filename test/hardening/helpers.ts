/**
 * Shared pieces of the hardening tests: the shape of a user error (exit code, one line naming the path, no
 * stack trace, no internal error), small tmpfs mounts (a full disk, a read-only file system; root only, skipped
 * with the reason otherwise), and a pid that is surely dead.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Asserts a user error: exit `code`, stderr one line `mactile: ...` containing every fragment, no stack trace. */
export function expectUserError(r: CliResult, code: number, ...fragments: string[]): void {
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mactile: /);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  for (const f of fragments) expect(lines[0]).toContain(f);
  expect(r.code, r.stderr).toBe(code);
}

/** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN), probed once. */
let mountable: boolean | undefined;
export function canMount(): boolean {
  if (mountable !== undefined) return mountable;
  mountable = false;
  if (process.getuid?.() !== 0) return mountable;
  const dir = mkdtempSync(join(tmpdir(), 'mactile-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    mountable = true;
  } catch {
    mountable = false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return mountable;
}

export const MOUNT_SKIP = 'needs root and permission to mount a tmpfs (a full disk, a read-only file system)';

/** Mounts a tmpfs of `size` at a new folder under `base`; returns it and a function that unmounts it. */
export function mountTmpfs(base: string, size = '64k'): { dir: string; unmount: () => void } {
  const dir = join(base, `tmpfs-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  return {
    dir,
    unmount: () => {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Makes a mounted tmpfs read-only. */
export function remountReadOnly(dir: string): void {
  execFileSync('mount', ['-o', 'remount,ro', dir]);
}

/** Fills the file system of `dir` until no block is left. */
export function fillDisk(dir: string): void {
  try {
    writeFileSync(join(dir, 'filler'), Buffer.alloc(8 << 20, 1));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
}

/** A pid that belonged to a process that has exited. */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** Entries anywhere below `dir` that look like temporary or staging files left behind. */
export function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (/\.tmp-|\.mactile-stage-|\.old-/.test(e.name)) out.push(join(d, e.name));
      if (e.isDirectory()) walk(join(d, e.name));
    }
  };
  walk(dir);
  return out;
}
