/**
 * The Verilator build cache: a compiled simulator per (generated sources, driver sources, Verilator
 * version, flags), under generated/build/<key>/. A cached build is reused once its binary matches the
 * checksum recorded in its `ok` marker; concurrent runs take a lock (src/util/lock.ts), build in a temporary
 * folder in its own process group and publish it with an atomic rename. Every build gets two generated C++
 * headers: the design's mt_params.h and mt_job_layout.h, the job and result layouts generated (job/cpp.ts)
 * from the registered kinds' job-format table (JOB_FORMAT, assembled by the registry); both texts are part
 * of the key. A build variant (`BuildVariant`: tracing) adds its flags to the build and to the key; without
 * one the key is the plain build's.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { execa } from 'execa';
import { onCleanup, ownedName, removeStale } from '../util/cleanup.js';
import { errorExcerpt, MactileError } from '../util/errors.js';
import { acquireLock, type Lock } from '../util/lock.js';
import { projectRoot } from '../util/paths.js';
import { lineSplitter } from '../util/lines.js';
import { activity, type ProgressTask } from '../util/progress.js';
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
/**
 * O2 for hot code; every generated class in one translation unit (Verilator's build for small designs:
 * each unit parses verilated.h again, which made most of the compile time of these designs: 10.9 s instead
 * of 18.3 s of CPU for a 32x32 array, 15 s instead of 32 s for 64x64; docs/BENCHMARKS.md).
 */
const MAKEFLAGS = 'OPT_FAST=-O2 VM_PARALLEL_BUILDS=0';

/**
 * A variant of the plain build: `trace` compiles FST waveform support into the model and the driver;
 * `activity` is the design with its toggle counters (the kind's activity variant, docs/ENERGY.md).
 */
export interface BuildVariant {
  trace?: boolean;
  activity?: boolean;
}

/** Verilator flags of a variant (none for the plain build): FST tracing of every signal, structs as scopes, every element of the PE arrays. */
function variantFlags(variant: BuildVariant | undefined): string[] {
  return variant?.trace ? ['--trace-fst', '--trace-structs', '--trace-max-array', '65536'] : [];
}

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
  /** The build variant (absent: the plain build). */
  variant?: BuildVariant;
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

/** The cache key of a build: sources, generated headers, driver, Verilator version, flags and the variant's flags. */
export function buildKey(src: Sources, version: string, variant?: BuildVariant): string {
  const h = createHash('sha256');
  for (const [name, text] of src.files) h.update(`${name}\0${text}\0`);
  for (const [name, text] of generatedHeaders(src)) h.update(`${name}\0${text}\0`);
  for (const f of driverFiles(src.driver)) h.update(`${basename(f)}\0${readFileSync(f)}\0`);
  h.update(`${version}\0${VERILATOR_FLAGS.join(' ')}\0${MAKEFLAGS}\0${src.top}`);
  const extra = variantFlags(variant);
  if (extra.length) h.update(`\0variant\0${extra.join(' ')}`);
  if (variant?.activity) h.update('\0variant\0activity');
  return h.digest('hex').slice(0, 20);
}

/** Lines of a failed build worth showing: Verilator %Error lines and compiler errors. */
const buildErrors = (output: string) =>
  errorExcerpt(output, /%Error|error:|Error \d|undefined reference|\*\*\*/, 8, 10);

/** The `ok` marker of a finished build: the Verilator version and the binary's SHA-256. */
const okMarker = (version: string, binary: Buffer) =>
  `${version}\nsha256 ${createHash('sha256').update(binary).digest('hex')}\n`;

/**
 * Whether the cached build in `dir` can be reused: 'absent' (never built), 'ok', or what is wrong with it
 * (the binary missing, or not the bytes the `ok` marker recorded).
 */
function cachedState(dir: string): 'absent' | 'ok' | string {
  let marker: string;
  try {
    marker = readFileSync(join(dir, 'ok'), 'utf8');
  } catch {
    return 'absent';
  }
  const recorded = /^sha256 ([0-9a-f]{64})$/m.exec(marker)?.[1];
  if (!recorded) return 'its ok marker records no checksum (built by an older mactile)';
  let binary: Buffer;
  try {
    binary = readFileSync(join(dir, 'sim'));
  } catch {
    return 'the simulator binary is missing';
  }
  return createHash('sha256').update(binary).digest('hex') === recorded
    ? 'ok'
    : 'the simulator binary does not match the checksum recorded when it was built';
}

/** Whether GNU Make can build in a folder of this path (it splits paths on blanks; `:`, `#`, `$`, `%`, `\\`, quotes trip it too). */
const makeSafe = (path: string) => !/[\s:#$%\\'"=;*?]/.test(path);

/** A build folder in the temporary directory, for a cache whose path GNU Make cannot build in. */
function safeWorkFolder(cacheFolder: string): string {
  const base = tmpdir();
  if (!makeSafe(base))
    throw new MactileError(
      `Verilator build: the cache folder ${JSON.stringify(cacheFolder)} and the temporary directory ${JSON.stringify(base)} both hold characters GNU Make cannot build in (a space, ':', '#', '$', '%', a quote...); expected one of them without, e.g. TMPDIR=/tmp`,
      3,
    );
  return mkdtempSync(join(base, `${ownedName('mactile-build')}-`));
}

/** Build folders of dead processes: `<key>.tmp-<pid>[@host]`, `<key>.old-<pid>[@host]`. */
const STALE_BUILD = /^[0-9a-f]{20}\.(?:tmp|old)-(\d+)(?:@([^@]+))?$/;
/** Build folders in the temporary directory (see safeWorkFolder) of dead processes. */
const STALE_WORK = /^mactile-build\.tmp-(\d+)@(.+)-[A-Za-z0-9]{6}$/;
const swept = new Set<string>();

/** Stops a detached child's whole process group (Verilator's make and the compilers under it). */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group has ended.
  }
}

/**
 * Returns a compiled simulator for the sources, building it if no intact cached build exists. A cached
 * build is checked against the checksum its `ok` marker recorded and rebuilt when damaged (said on stderr).
 */
export async function ensureBuild(
  src: Sources,
  opts: { cacheRoot?: string; variant?: BuildVariant; label?: string } = {},
): Promise<Build> {
  const version = await verilatorVersionLine();
  const key = buildKey(src, version, opts.variant);
  const variant = opts.variant?.trace || opts.variant?.activity ? { variant: opts.variant } : {};
  const root = opts.cacheRoot ?? join(projectRoot(), 'generated', 'build');
  const dir = join(root, key);
  const binary = join(dir, 'sim');
  const t0 = performance.now();
  const cached = (): Build => ({
    binary,
    dir,
    key,
    cached: true,
    seconds: (performance.now() - t0) / 1000,
    ...variant,
  });
  if (!swept.has(root)) {
    swept.add(root);
    removeStale(root, STALE_BUILD);
    removeStale(tmpdir(), STALE_WORK);
  }
  let state = cachedState(dir);
  if (state === 'ok') return cached();
  mkdirSync(root, { recursive: true });
  const lock = await acquireLock(
    join(root, `${key}.build-lock`),
    (pid) => `waiting for another mactile process (pid ${pid}) building the simulator ${dir}`,
  );
  // Again after the lock: taking over a dead owner's lock stopped its orphaned compilers, so their folder can go.
  removeStale(root, STALE_BUILD);
  // One Verilator build at a time on the machine (every checkout and cache root): each already uses both cores.
  let machine: Lock | undefined;
  let group: number | undefined;
  const tmp = join(root, ownedName(key));
  let work = tmp;
  const cleanup = () => {
    killGroup(group);
    rmSync(tmp, { recursive: true, force: true });
    if (work !== tmp) rmSync(work, { recursive: true, force: true });
  };
  const disposeCleanup = onCleanup(cleanup);
  let task: ProgressTask | undefined;
  try {
    state = cachedState(dir);
    if (state === 'ok') return cached();
    machine = await acquireLock(
      join(tmpdir(), 'mactile-verilator.build-lock'),
      (pid) => `waiting for another Verilator build on this machine (pid ${pid}) to finish`,
    );
    state = cachedState(dir);
    if (state === 'ok') return cached();
    if (state !== 'absent')
      process.stderr.write(`mactile: the cached simulator ${binary} is damaged (${state}); building it again\n`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    // GNU Make cannot build in a folder whose path holds a space (or other characters it splits on): such a
    // checkout builds in a folder of the temporary directory and publishes the binary into the cache.
    work = makeSafe(tmp) ? tmp : safeWorkFolder(tmp);
    for (const [name, text] of src.files) writeFileSync(join(work, name), text);
    for (const [name, text] of generatedHeaders(src)) writeFileSync(join(work, name), text);
    for (const f of driverFiles(src.driver)) copyFileSync(f, join(work, basename(f)));
    // CCACHE_BASEDIR: paths inside the work folder become relative, so that the same sources built in
    // another folder (a rebuild, another cache root) hit the cache.
    const env = { ...process.env, ...((await hasCcache()) ? { OBJCACHE: 'ccache', CCACHE_BASEDIR: work } : {}) };
    const args = [
      ...VERILATOR_FLAGS,
      ...variantFlags(opts.variant),
      '-MAKEFLAGS',
      MAKEFLAGS,
      '--top-module',
      src.top,
      '--Mdir',
      'obj',
      '-o',
      '../sim',
      '-CFLAGS',
      `-I${work}`,
      ...src.files.map(([n]) => n),
      basename(src.driver),
    ];
    // In its own process group, so that the compilers under it stop with it (see cleanup, and acquireLock
    // for a build whose mactile was killed outright).
    task = activity(`building the simulator of ${opts.label ?? src.top}${opts.variant?.trace ? ' (tracing)' : ''}`);
    task.step('verilating');
    const child = execa('verilator', args, { cwd: work, env, all: true, reject: false, detached: true });
    child.all?.on('data', buildWatcher(join(work, 'obj'), task));
    group = child.pid;
    if (group !== undefined) {
      lock.noteGroup(group);
      machine.noteGroup(group);
    }
    const r = await child;
    group = undefined;
    if (r.exitCode !== 0 || !existsSync(join(work, 'sim'))) {
      const log = join(root, `${key}.log`);
      writeFileSync(log, r.all ?? '');
      throw new MactileError(`Verilator build of ${src.top} failed (log: ${log}):\n${buildErrors(r.all ?? '')}`, 3);
    }
    rmSync(join(work, 'obj'), { recursive: true, force: true });
    if (work !== tmp) copyFileSync(join(work, 'sim'), join(tmp, 'sim'));
    writeFileSync(join(tmp, 'ok'), okMarker(version, readFileSync(join(tmp, 'sim'))));
    const aside = join(root, ownedName(key, '.old-'));
    if (existsSync(dir)) renameSync(dir, aside);
    renameSync(tmp, dir);
    rmSync(aside, { recursive: true, force: true });
    return { binary, dir, key, cached: false, seconds: (performance.now() - t0) / 1000, ...variant };
  } finally {
    task?.done();
    cleanup();
    disposeCleanup();
    machine?.release();
    lock.release();
  }
}

/** The names a generated makefile lists under `VAR =` or `VAR +=`, one per continued line. */
function makeList(text: string, name: string): string[] {
  const m = new RegExp(`^${name}\\s*\\+?=\\s*\\\\\\n((?:[ \\t]+\\S+[ \\t]*\\\\\\n)*)`, 'm').exec(text);
  return (m?.[1] ?? '')
    .split('\\\n')
    .map((w) => w.trim())
    .filter(Boolean);
}

/**
 * The objects a Verilator build compiles, from its generated makefiles and the make flags it runs with:
 * each generated class (or one `__ALL` object without parallel builds), the global runtime classes and
 * the driver.
 */
export function objectCount(classesMk: string, topMk: string, makeFlags = MAKEFLAGS): number {
  const list = (n: string) => makeList(classesMk, n).length;
  const forced = /\bVM_PARALLEL_BUILDS=([01])\b/.exec(makeFlags)?.[1];
  const parallel = forced ? forced === '1' : /^VM_PARALLEL_BUILDS\s*=\s*1/m.test(classesMk);
  const generated = parallel
    ? list('VM_CLASSES_FAST') + list('VM_CLASSES_SLOW') + list('VM_SUPPORT_FAST') + list('VM_SUPPORT_SLOW')
    : 1;
  return generated + list('VM_GLOBAL_FAST') + list('VM_GLOBAL_SLOW') + makeList(topMk, 'VM_USER_CLASSES').length;
}

/** objectCount of the makefiles in a build's obj/ folder (undefined until Verilator wrote them). */
function objectsOf(objDir: string): number | undefined {
  try {
    const classes = readdirSync(objDir).find((f) => f.endsWith('_classes.mk'));
    if (!classes) return undefined;
    const top = classes.replace(/_classes\.mk$/, '.mk');
    return objectCount(readFileSync(join(objDir, classes), 'utf8'), readFileSync(join(objDir, top), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Follows a Verilator build's output on its progress line: verilating, then each C++ object the compiler
 * starts ("n of m", m from the generated makefile; clamped to m), then the link.
 */
function buildWatcher(objDir: string, task: ProgressTask): (chunk: Buffer | string) => void {
  let started = 0;
  let total: number | undefined;
  return lineSplitter((line) => {
    if (/\s-c\s/.test(line) && /\b(?:g\+\+|c\+\+|clang\+\+|ccache)\b/.test(line)) {
      total ??= objectsOf(objDir);
      started++;
      task.step(
        total ? `compiling C++ (object ${Math.min(started, total)} of ${total})` : `compiling C++ (object ${started})`,
      );
    } else if (/\s-o\s+\.\.\/sim\b/.test(line)) task.step('linking');
  });
}

let ccache: boolean | undefined;
async function hasCcache(): Promise<boolean> {
  if (ccache === undefined)
    ccache = (await execa('ccache', ['--version'], { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0;
  return ccache;
}
