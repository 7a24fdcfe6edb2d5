/**
 * Runs one MAC layer through the compiled systolic-array simulator: plans the layer's GEMMs, writes one
 * job, runs the driver under a watchdog and reads the results and counters back. The predictions it checks
 * against (cycles per GEMM, fold starts) come from the analytic model (`layerSchedule`).
 */
import type { LayerMeasurement } from '../accelerator.js';
import { countersOf } from '../check.js';
import type { SystolicConfig } from './config.js';
import type { MacLayer } from '../../nets/ir.js';
import { accumulatorBits, operandRange } from '../../quant/requant.js';
import type { IntTensor, QuantLayer } from '../../quant/tensor.js';
import { MactileError } from '../../util/errors.js';
import type { GemmResult } from '../../sim/job.js';
import { runDriver, watchdogLimit } from '../../sim/driver-run.js';
import { layerToggles } from '../../sim/activity.js';
import type { DriverRunOptions } from '../../sim/run-options.js';
import type { Build } from '../../sim/build.js';
import { dataflowOf } from './dataflows/index.js';
import { systolicParams } from './generate.js';
import { layerSchedule, type GemmSchedule } from './model.js';
import { systolicJob } from './job.js';
import { gatherOutputs, planLayer, requantProblem } from './plan.js';
import { simulateMemLayer, type Backpressure } from './mem-run.js';

/** Checks that no accumulator of the layer can overflow the RTL's accumulator width. */
function checkAccumulatorRange(l: MacLayer, q: QuantLayer): void {
  const { min } = operandRange(q.bits);
  const k = l.kernel.h * l.kernel.w * (l.inShape.c / l.groups);
  const worst = BigInt(k) * BigInt(min * min);
  const maxBias = q.bias.reduce((m, b) => (b < 0n ? (-b > m ? -b : m) : b > m ? b : m), 0n);
  const limit = 1n << BigInt(accumulatorBits(q.bits) - 1);
  if (worst + maxBias >= limit) {
    throw new MactileError(
      `layer ${l.name}: a window of K=${k} INT${q.bits} products (plus bias) can exceed the ${accumulatorBits(q.bits)}-bit accumulator; split the layer`,
    );
  }
}

/** Simulates one MAC layer on the array and returns its outputs and measurements. */
export async function simulateSystolicLayer(
  build: Build,
  cfg: SystolicConfig,
  l: MacLayer,
  x: IntTensor,
  q: QuantLayer,
  opts: { timeoutSeconds?: number; run?: DriverRunOptions; backpressure?: Backpressure } = {},
): Promise<LayerMeasurement> {
  checkAccumulatorRange(l, q);
  const problem = requantProblem(cfg, l, q);
  if (problem) throw new MactileError(problem);
  if (cfg.dram.bandwidth !== 'calc') return simulateMemLayer(build, cfg, l, x, q, opts);
  const t0 = performance.now();
  const df = dataflowOf(cfg.dataflow);
  const plans = planLayer(l, x, q, df);
  const schedule = layerSchedule(l, cfg);
  const predicted = schedule.map((s) => s.cycles);
  const limits = predicted.map(watchdogLimit);
  const job = systolicJob.encode(
    {
      rows: cfg.rows,
      cols: cfg.cols,
      dw: q.bits,
      accW: accumulatorBits(q.bits),
      dataflow: df.code,
      timing: systolicParams(cfg).TIMING,
    },
    plans.map((p, i) => ({ ...p.job, maxCycles: limits[i]! })),
  );
  const run = await runDriver(build.binary, job, {
    what: `layer ${l.name}`,
    itemName: 'GEMM',
    dw: q.bits,
    outShapes: plans.map((p) => p.job.out),
    limits,
    predicted,
    timeoutSeconds: opts.timeoutSeconds,
    run: opts.run,
  });
  const folds = foldSchedule(schedule, run.items);
  return {
    output: gatherOutputs(
      l,
      plans,
      run.items.map((g) => g.out),
      df,
    ),
    ...countersOf(run.items),
    items: plans.length,
    figures: [
      { name: 'folds started', measured: folds.started, predicted: schedule.reduce((s, g) => s + g.folds, 0) },
      { name: 'folds off schedule', measured: folds.off, predicted: 0 },
    ],
    extras: { foldsStarted: folds.started, foldsOffSchedule: folds.off },
    notes: [],
    wallSeconds: (performance.now() - t0) / 1000,
    driverSeconds: run.driverSeconds,
    simSeconds: run.simSeconds,
    ...(run.activity ? { activity: layerToggles(run.activity) } : {}),
  };
}

/** Compares the fold starts the RTL's fold pulses report with the model's schedule. */
function foldSchedule(schedule: GemmSchedule[], items: GemmResult[]): { started: number; off: number } {
  let started = 0;
  let off = 0;
  items.forEach((g, i) => {
    const want = schedule[i]!.foldStarts;
    started += g.foldStarts.length;
    off += Math.abs(want.length - g.foldStarts.length);
    g.foldStarts.forEach((cycle, f) => {
      if (cycle !== want[f]) off++;
    });
  });
  return { started, off };
}
