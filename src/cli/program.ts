/**
 * The `mactile` program: parses a command line and dispatches to one module per command. `main(argv)` can
 * be called in process (tests do); src/cli/main.ts is the executable that calls it with process.argv.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { MactileError } from '../util/errors.js';
import { setProgressQuiet, stopProgress } from '../util/progress.js';
import { registerAnalyze } from './analyze.js';
import { registerConfigs } from './configs.js';
import { registerExport } from './export.js';
import { registerGenerate } from './generate.js';
import { registerNets } from './nets.js';
import { registerQuantize } from './quantize.js';
import { registerReplay } from './replay.js';
import { registerReport } from './report.js';
import { registerStudy } from './study.js';
import { registerSynth } from './synth.js';
import { registerSweep } from './sweep.js';
import { registerSim } from './sim.js';

/** A fresh command tree: nothing parsed by one call is seen by the next. */
function program(): Command {
  const cmd = new Command('mactile')
    .description(
      'CNN accelerator evaluation: quantize, generate systolic/NVDLA-style RTL, simulate with Verilator, check against golden and analytic models',
    )
    .version(process.env.npm_package_version ?? '0.1.0')
    .option('--quiet', 'no progress line on stderr (it is shown only on a terminal, and never in CI)')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  cmd.hook('preAction', () => setProgressQuiet(Boolean(cmd.opts().quiet)));
  registerNets(cmd);
  registerConfigs(cmd);
  registerAnalyze(cmd);
  registerExport(cmd);
  registerSim(cmd);
  registerReplay(cmd);
  registerGenerate(cmd);
  registerQuantize(cmd);
  registerReport(cmd);
  registerStudy(cmd);
  registerSynth(cmd);
  registerSweep(cmd);
  return cmd;
}

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code. Commands report a failed
 * check by setting process.exitCode; main clears it before the command and puts the caller's value back
 * afterwards, so one call never sees another's. Not re-entrant: run one call at a time in a process.
 */
export async function main(argv: string[]): Promise<number> {
  const outer = process.exitCode;
  process.exitCode = undefined;
  try {
    await program().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    // The message goes on a line of its own: a progress line a failed task left drawn is cleared first.
    stopProgress();
    // A parser of commander's called by a command's own code (not while commander parsed the options, when
    // commander has printed the message itself): its message is the user's error.
    if (err instanceof InvalidArgumentError) {
      process.stderr.write(`mactile: ${err.message}\n`);
      return 2;
    }
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof MactileError) {
      process.stderr.write(`mactile: ${err.message}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    process.stderr.write(`mactile: internal error: ${e?.message ?? String(err)}\n`);
    if (process.env.MACTILE_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
    return 70;
  } finally {
    stopProgress();
    setProgressQuiet(false);
    process.exitCode = outer;
  }
}
