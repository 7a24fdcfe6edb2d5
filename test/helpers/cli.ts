import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { main } from '../../src/cli/program.js';
import { projectRoot } from '../../src/util/paths.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The newest modification time of the TypeScript sources under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

let command: string[] | undefined;

/**
 * The node arguments that start the mactile CLI: the compiled dist/ when `make build` has compiled every
 * source since it last changed (as `make test` does before the suite), else the sources through tsx. The
 * compiled CLI starts in a third of the CPU time, which matters to the tests that start hundreds of processes
 * (sweep workers run `process.argv[1]` again).
 */
export function cliCommand(): string[] {
  if (command) return command;
  const root = projectRoot();
  let built = 0;
  try {
    built = statSync(join(root, 'dist', '.built')).mtimeMs;
  } catch {
    // Never built.
  }
  const fresh =
    built > 0 && built >= Math.max(newestSource(join(root, 'src')), statSync(join(root, 'tsconfig.json')).mtimeMs);
  command = fresh ? [join(root, 'dist/src/cli/main.js')] : ['--import', 'tsx', join(root, 'src/cli/main.ts')];
  return command;
}

/**
 * Runs the mactile CLI (see cliCommand) in a child process, returning exit code, stdout and stderr (never throws).
 * For what needs a process of its own: another PATH or environment, a signal, concurrent runs, commands
 * that start workers of themselves (sweeps run `process.argv[1]` again).
 */
export async function runCli(
  args: string[],
  opts: { env?: Record<string, string>; extendEnv?: boolean; timeout?: number } = {},
): Promise<CliResult> {
  const r = await execa(process.execPath, [...cliCommand(), ...args], {
    reject: false,
    cwd: projectRoot(),
    env: opts.env,
    extendEnv: opts.extendEnv ?? true,
    timeout: opts.timeout ?? 600_000,
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * stderr without the notes that depend on what else runs on the machine ("waiting for another Verilator build
 * on this machine ..."): what a test expects to be empty when the command itself has nothing to say.
 */
export function ownStderr(stderr: string): string {
  return stderr.replace(/^mactile: waiting for another [^\n]*(\n|$)/gm, '');
}

/** Without the last newline, as execa returns a child's output. */
const stripFinalNewline = (s: string) => (s.endsWith('\r\n') ? s.slice(0, -2) : s.endsWith('\n') ? s.slice(0, -1) : s);

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs the CLI in this process: main(args) with the project root as working directory, stdout and stderr
 * captured (and reported as not a terminal, as a child's pipes are), the caller's process.exitCode and
 * working directory put back afterwards. Returns what runCli returns; calls run one at a time. Not for a sweep
 * that runs points: its workers start `process.argv[1]` again, which in a test worker is not mactile.
 */
export function runCliInProcess(args: string[]): Promise<CliResult> {
  const run = queue.then(() => captured(args));
  queue = run.catch(() => undefined);
  return run;
}

type Write = typeof process.stdout.write;

async function captured(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]): Write =>
    ((
      chunk: string | Uint8Array,
      encoding?: BufferEncoding | ((e?: Error | null) => void),
      cb?: (e?: Error | null) => void,
    ) => {
      into.push(
        typeof chunk === 'string'
          ? chunk
          : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8'),
      );
      const done = typeof encoding === 'function' ? encoding : cb;
      if (done) process.nextTick(done);
      return true;
    }) as Write;
  const streams = [process.stdout, process.stderr] as const;
  const saved = streams.map((s) => ({ write: s.write, isTTY: Object.getOwnPropertyDescriptor(s, 'isTTY') }));
  const cwd = process.cwd();
  let code: number;
  try {
    if (cwd !== projectRoot()) process.chdir(projectRoot());
    streams.forEach((s, i) => {
      Object.defineProperty(s, 'isTTY', { value: false, configurable: true, writable: true });
      s.write = sink(i === 0 ? out : err);
    });
    code = await main(args);
  } finally {
    streams.forEach((s, i) => {
      s.write = saved[i]!.write;
      if (saved[i]!.isTTY) Object.defineProperty(s, 'isTTY', saved[i]!.isTTY!);
      else delete (s as { isTTY?: boolean }).isTTY;
    });
    if (process.cwd() !== cwd) process.chdir(cwd);
  }
  return { code, stdout: stripFinalNewline(out.join('')), stderr: stripFinalNewline(err.join('')) };
}
