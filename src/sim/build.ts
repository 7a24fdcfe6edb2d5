/**
 * The Verilator build cache: a compiled simulator per (generated sources, driver sources, Verilator
 * version, flags), under generated/build/<key>/. A cached build is reused at once; concurrent runs
 * take a lock, build in a temporary folder and publish it with an atomic rename. Every build gets two
 * generated C++ headers: the design's mt_params.h and mt_job_layout.h, the job and result layouts
 * generated (job/cpp.ts) from the registered kinds' job-format table (JOB_FORMAT, assembled by the
 * registry); both texts are part of the key.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { execa } from 'execa';
import lockfile from 'proper-lockfile';
import { errorExcerpt, MactileError } from '../util/errors.js';
import { projectRoot } from '../util/paths.js';
import { JOB_FORMAT } from '../accel/registry.js';
import { JOB_LAYOUT_HEADER, jobLayoutHeader } from './job/cpp.js';

/** Verilator flags measured on these machines (see docs/BENCHMARKS.md): split output, O2 for hot code. */
const VERILATOR_FLAGS = [
  '--cc',
  '--exe',
  '--build',
  '-j',
  '2',
  '-O3',
  '--x-assign',
  'fast',
  '--x-initial',
  'fast',
  '--noassert',
  '--output-split',
  '5000',
  '--output-split-cfuncs',
  '500',
  '-Wno-fatal',
  '-Wno-lint',
  '-Wno-style',
];
const MAKEFLAGS = 'OPT_FAST=-O2';

export interface Sources {
  /** Verilog files (name -> text), the top module, the generated C++ header. */
  files: [string, string][];
  top: string;
  header: string;
  /** Driver source: a file name in sim/ (e.g. sa_driver.cpp) or an absolute path. */
  driver: string;
}

export interface Build {
  binary: string;
  dir: string;
  key: string;
  cached: boolean;
  seconds: number;
}

let verilatorVersion: string | undefined;

/** The installed Verilator's version line, or a clear error saying how to install it. */
export async function verilatorVersionLine(): Promise<string> {
  if (verilatorVersion) return verilatorVersion;
  try {
    const r = await execa('verilator', ['--version']);
    verilatorVersion = r.stdout.trim();
    return verilatorVersion;
  } catch {
    throw new MactileError(
      'Verilator: expected the `verilator` command on PATH, found none. Install it with `sudo apt-get install -y verilator` (or run `make setup` as root)',
      3,
    );
  }
}

/** The driver's C++ files as absolute paths: the driver and the shared headers in sim/. */
function driverFiles(driver: string): string[] {
  const main = isAbsolute(driver) ? driver : join(projectRoot(), 'sim', driver);
  const headers = readdirSync(join(projectRoot(), 'sim'))
    .filter((f) => f.endsWith('.h'))
    .sort();
  return [main, ...headers.map((h) => join(projectRoot(), 'sim', h))];
}

/** The generated C++ headers of a build (file name, text): the design's parameters and the job and result layouts. */
export function generatedHeaders(src: Sources): [string, string][] {
  return [
    ['mt_params.h', src.header],
    [JOB_LAYOUT_HEADER, jobLayoutHeader(JOB_FORMAT)],
  ];
}

/** The cache key of a build: sources, generated headers, driver, Verilator version and flags. */
export function buildKey(src: Sources, version: string): string {
  const h = createHash('sha256');
  for (const [name, text] of src.files) h.update(`${name}\0${text}\0`);
  for (const [name, text] of generatedHeaders(src)) h.update(`${name}\0${text}\0`);
  for (const f of driverFiles(src.driver)) h.update(`${basename(f)}\0${readFileSync(f)}\0`);
  h.update(`${version}\0${VERILATOR_FLAGS.join(' ')}\0${MAKEFLAGS}\0${src.top}`);
  return h.digest('hex').slice(0, 20);
}

/** Lines of a failed build worth showing: Verilator %Error lines and compiler errors. */
const buildErrors = (output: string) => errorExcerpt(output, /%Error|error:|Error \d|undefined reference/, 8, 10);

/** Returns a compiled simulator for the sources, building it if no cached build exists. */
export async function ensureBuild(src: Sources, opts: { cacheRoot?: string } = {}): Promise<Build> {
  const version = await verilatorVersionLine();
  const key = buildKey(src, version);
  const root = opts.cacheRoot ?? join(projectRoot(), 'generated', 'build');
  const dir = join(root, key);
  const binary = join(dir, 'sim');
  const t0 = performance.now();
  if (existsSync(join(dir, 'ok'))) return { binary, dir, key, cached: true, seconds: (performance.now() - t0) / 1000 };
  mkdirSync(root, { recursive: true });
  const lockTarget = join(root, `${key}.lock`);
  writeFileSync(lockTarget, '', { flag: 'a' });
  const release = await lockfile.lock(lockTarget, {
    retries: { retries: 1800, minTimeout: 200, maxTimeout: 1000 },
    stale: 60_000,
  });
  // One Verilator build at a time on the machine (every checkout and cache root): each already uses both cores.
  const globalTarget = join(tmpdir(), 'mactile-verilator.lock');
  writeFileSync(globalTarget, '', { flag: 'a' });
  let releaseGlobal: (() => Promise<void>) | undefined;
  try {
    if (!existsSync(join(dir, 'ok'))) {
      releaseGlobal = await lockfile.lock(globalTarget, {
        retries: { retries: 3600, minTimeout: 200, maxTimeout: 1000 },
        stale: 60_000,
      });
    }
    if (existsSync(join(dir, 'ok')))
      return { binary, dir, key, cached: true, seconds: (performance.now() - t0) / 1000 };
    const tmp = join(root, `${key}.tmp-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const [name, text] of src.files) writeFileSync(join(tmp, name), text);
    for (const [name, text] of generatedHeaders(src)) writeFileSync(join(tmp, name), text);
    for (const f of driverFiles(src.driver)) copyFileSync(f, join(tmp, basename(f)));
    const env = { ...process.env, ...((await hasCcache()) ? { OBJCACHE: 'ccache' } : {}) };
    const args = [
      ...VERILATOR_FLAGS,
      '-MAKEFLAGS',
      MAKEFLAGS,
      '--top-module',
      src.top,
      '--Mdir',
      'obj',
      '-o',
      '../sim',
      '-CFLAGS',
      `-I${tmp}`,
      ...src.files.map(([n]) => n),
      basename(src.driver),
    ];
    const r = await execa('verilator', args, { cwd: tmp, env, all: true, reject: false });
    if (r.exitCode !== 0 || !existsSync(join(tmp, 'sim'))) {
      writeFileSync(join(tmp, 'build.log'), r.all ?? '');
      throw new MactileError(
        `Verilator build of ${src.top} failed (log: ${join(tmp, 'build.log')}):\n${buildErrors(r.all ?? '')}`,
        3,
      );
    }
    rmSync(join(tmp, 'obj'), { recursive: true, force: true });
    writeFileSync(join(tmp, 'ok'), `${version}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return { binary, dir, key, cached: false, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await releaseGlobal?.();
    await release();
  }
}

let ccache: boolean | undefined;
async function hasCcache(): Promise<boolean> {
  if (ccache === undefined)
    ccache = (await execa('ccache', ['--version'], { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0;
  return ccache;
}
