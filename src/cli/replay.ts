/** `mactile replay JOB`: reruns a kept job through the same build and compares it (src/sim/replay.ts). */
import type { Command } from 'commander';
import { accelOf } from '../accel/registry.js';
import { describeConfig } from '../config/describe.js';
import { simTotals, type NetworkSim } from '../sim/run-network.js';
import { replayJob, type Replay } from '../sim/replay.js';
import { MactileError } from '../util/errors.js';
import { checkOutputFolder } from '../util/output.js';
import { cycleWindow, formatOption } from './options.js';
import { activityTable } from '../report/activity.js';
import { activityRegistersOf, simTable, verdict } from './sim.js';

interface ReplayOptions {
  trace?: string;
  activity?: boolean;
  window?: { start: number; end: number };
  format: string;
}

/** The replay as the one-layer simulation `sim` would print. */
function asSim(r: Replay): NetworkSim {
  const accel = accelOf(r.cfg);
  return {
    network: r.kept.network ?? '(kept job)',
    config: r.cfg,
    precision: r.kept.q.bits,
    reference: accel.referenceName,
    build: r.build,
    layers: [r.check],
    stallsModelled: r.check.stallsModelled,
    totals: simTotals([r.check]),
    ok: r.check.bitExact && r.check.cycleExact && r.check.countersOk,
  };
}

/** The JSON document of a replay. */
function replayJson(r: Replay, sim: NetworkSim): object {
  return {
    file: r.kept.file,
    network: sim.network,
    layer: r.check.name,
    config: r.cfg,
    build: { key: r.build.key, cached: r.build.cached, seconds: r.build.seconds, keptKey: r.kept.buildKey },
    ok: sim.ok,
    reproduced: r.differences.length === 0,
    differences: r.differences,
    check: r.check,
    outputSha256: r.outputSha256,
    ...(r.trace ? { trace: { fst: r.trace.fst, map: r.trace.map, windows: r.trace.windows } } : {}),
  };
}

/** Registers the `replay` command. */
export function registerReplay(cmd: Command): void {
  cmd
    .command('replay')
    .description(
      'rerun a job kept by `sim --keep-jobs DIR` (or MACTILE_KEEP_JOBS=DIR) through the same build and compare it with the outputs and cycles kept with it',
    )
    .argument('<job>', 'a kept job: its .replay.json file, the .job.bin beside it, or a folder holding one')
    .option('--trace <dir>', 'write the FST waveform (gtkwave) and signal map of the replayed layer into DIR')
    .option(
      '--window <START:END>',
      'with --trace: the layer cycles to trace, END not included (default: the first fold and the last)',
      cycleWindow,
    )
    .option('--activity', "count the layer's register toggles on the activity build (as `sim --activity`)")
    .addOption(formatOption(['table', 'json'], 'table'))
    .action(async (job: string, opts: ReplayOptions) => {
      if (opts.window && !opts.trace)
        throw new MactileError(`--window: expected together with --trace DIR, received --window alone`);
      if (opts.trace) checkOutputFolder(opts.trace, '--trace');
      const r = await replayJob(job, {
        ...(opts.trace ? { trace: { dir: opts.trace, window: opts.window } } : {}),
        activity: !!opts.activity,
      });
      const sim = asSim(r);
      if (opts.format === 'json') process.stdout.write(JSON.stringify(replayJson(r, sim), null, 2) + '\n');
      else {
        const kept = `${r.kept.buildTrace ? 'tracing' : 'plain'} build ${r.kept.buildKey}`;
        const same =
          r.build.key === r.kept.buildKey
            ? 'the build it was kept from'
            : r.keptVariantKey === r.kept.buildKey
              ? `the same sources as the ${kept} it was kept from`
              : `not the ${kept} it was kept from (mactile, the design or Verilator changed since)`;
        process.stdout.write(
          `replay of ${r.kept.file}: layer ${r.check.name} of ${sim.network} on ${describeConfig(r.cfg)}; build ${r.build.key}${r.build.variant?.trace ? ' (tracing)' : ''}, ${same}\n`,
        );
        process.stdout.write(simTable(sim) + '\n');
        process.stdout.write(`${verdict(sim)}\n`);
        process.stdout.write(
          r.differences.length === 0
            ? `reproduces the kept run exactly: the same outputs and ${r.check.rtlCycles} cycles\n`
            : `differs from the kept run: ${r.differences.join('; ')}\n`,
        );
        if (r.trace) process.stdout.write(`waveform: ${r.trace.fst} (signal map ${r.trace.map})\n`);
        if (opts.activity) process.stdout.write(activityTable(sim.layers, activityRegistersOf(r.cfg)) + '\n');
      }
      if (!sim.ok || r.differences.length) process.exitCode = 1;
    });
}
