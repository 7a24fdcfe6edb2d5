/**
 * `mactile replay`: reruns a kept job (src/sim/kept-job.ts) through the build of its config, the very bytes
 * of the kept job, and compares the result with the expected outputs and the prediction kept with it, and
 * with what the original run gave.
 */
import type { LayerCheck } from '../accel/accelerator.js';
import { judgeLayer } from '../accel/check.js';
import { accelOf } from '../accel/registry.js';
import { validateConfig } from '../config/load.js';
import { MactileError } from '../util/errors.js';
import type { HardwareConfig } from '../config/schema.js';
import { buildKey, verilatorVersionLine, type Build } from './build.js';
import { readKeptJob, tensorDigest, type ReadKeptJob } from './kept-job.js';
import { buildFor } from './run-network.js';
import { planLayerTrace, prepareTraceFolder, writeSignalMap, type LayerTrace, type TraceRequest } from './trace.js';

/** A replayed job: the kept job, the build it ran on, its check, and how it compares with the original run. */
export interface Replay {
  kept: ReadKeptJob;
  cfg: HardwareConfig;
  build: Build;
  /** The key the kept job's build (plain or tracing) has now: the kept key unless mactile or the tools changed. */
  keptVariantKey: string;
  check: LayerCheck;
  outputSha256: string;
  /** What differs from the original run (empty: reproduced exactly). */
  differences: string[];
  trace?: LayerTrace;
}

/** The figures of a check that a replay must reproduce (wall time aside). */
const REPRODUCED: (keyof LayerCheck)[] = [
  'rtlCycles',
  'gemms',
  'outputsChecked',
  'mismatches',
  'bitExact',
  'cycleExact',
  'countersOk',
  'figures',
];

/** What differs between the replay and the original run of a kept job. */
function differencesFrom(kept: ReadKeptJob, check: LayerCheck, outputSha256: string): string[] {
  if ('error' in kept.original) return [`the original run failed (${kept.original.error}); the replay completed`];
  const was = kept.original.check;
  const out = REPRODUCED.filter((k) => JSON.stringify(check[k]) !== JSON.stringify(was[k])).map(
    (k) => `${k} ${JSON.stringify(check[k])} (kept run: ${JSON.stringify(was[k])})`,
  );
  if (outputSha256 !== kept.original.outputSha256) out.push('the outputs differ from the kept run');
  return out;
}

/**
 * Replays the kept job at `path` (its .replay.json or .job.bin), optionally writing its waveform and counting its
 * switching activity (the activity build; the check then carries `activity`).
 */
export async function replayJob(
  path: string,
  opts: { trace?: TraceRequest; activity?: boolean } = {},
): Promise<Replay> {
  const kept = readKeptJob(path);
  const { source, ...raw } = kept.cfg as unknown as Record<string, unknown>;
  const cfg = { ...validateConfig(raw, `${kept.file} (field config)`), source } as HardwareConfig;
  const accel = accelOf(cfg);
  if (opts.activity && !accel.activityRegisters)
    throw new MactileError(
      `--activity: the kept job's config ${cfg.name} is a ${accel.title} (kind ${cfg.kind}), which has no activity variant; expected a systolic config`,
    );
  const design = accel.design(cfg);
  const keptVariantKey = buildKey(design, await verilatorVersionLine(), { trace: kept.buildTrace });
  if (opts.trace) prepareTraceFolder(opts.trace.dir);
  const variant = opts.trace || opts.activity ? { trace: !!opts.trace, activity: !!opts.activity } : undefined;
  const build = await buildFor(cfg, {}, variant);
  const trace = opts.trace && planLayerTrace(accel, cfg, kept.layer, undefined, opts.trace);
  if (trace) writeSignalMap(accel, cfg, design, kept.layer, trace, build.key);
  const r = await accel.simulateLayer(build, cfg, kept.layer, kept.x, kept.q, {
    run: { job: kept.job, ...(trace ? { trace: trace.run } : {}), ...(opts.activity ? { activity: true } : {}) },
  });
  const check = judgeLayer(accel, cfg, kept.layer, kept.prediction, r, kept.expected);
  const outputSha256 = tensorDigest(r.output);
  return {
    kept,
    cfg,
    build,
    keptVariantKey,
    check,
    outputSha256,
    differences: differencesFrom(kept, check, outputSha256),
    ...(trace ? { trace } : {}),
  };
}
