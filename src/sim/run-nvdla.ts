/** Runs MAC layers through the compiled NVDLA-style core and collects its outputs and counters. */
import { nvConvCycles } from '../analytic/nvdla.js';
import type { NvdlaConfig } from '../config/schema.js';
import type { MacLayer } from '../nets/ir.js';
import type { IntTensor, QuantLayer } from '../quant/tensor.js';
import { MactileError } from '../util/errors.js';
import { runDriver, watchdogLimit } from './driver-run.js';
import { encodeNvJob } from './job.js';
import { gatherNvOutputs, planNvLayer } from './nv-plan.js';
import { sumCounters, type LayerSimResult } from './run-systolic.js';

export interface NvLayerSimResult extends LayerSimResult {
  /** Issue slots counted by the RTL and predicted by the exact model. */
  slotsCounted: number;
  slotsPredicted: number;
  notes: string[];
}

/** Checks that no accumulator of the layer can overflow CACC's 34-bit (INT8) or 48-bit (INT16) width. */
function checkCaccRange(l: MacLayer, q: QuantLayer): void {
  const k = l.kernel.h * l.kernel.w * (l.inShape.c / l.groups);
  const bits = q.bits === 8 ? 34 : 48;
  if (BigInt(k) * BigInt(2 ** (2 * q.bits - 2)) >= 1n << BigInt(bits - 1)) {
    throw new MactileError(`layer ${l.name}: a window of ${k} INT${q.bits} products can exceed CACC's ${bits}-bit accumulator`);
  }
}

/** Simulates one MAC layer on the NVDLA-style core. */
export async function simulateNvLayer(binary: string, cfg: NvdlaConfig, l: MacLayer, x: IntTensor, q: QuantLayer, opts: { timeoutSeconds?: number } = {}): Promise<NvLayerSimResult> {
  checkCaccRange(l, q);
  const t0 = performance.now();
  const { plan, jobs } = planNvLayer(l, x, q, cfg);
  const models = plan.convs.map((c) => nvConvCycles(c, cfg));
  const predicted = models.map((m) => m.total);
  const limits = predicted.map(watchdogLimit);
  const job = encodeNvJob(
    { atomicC: cfg.atomic_c, atomicK: cfg.atomic_k, dw: q.bits, weightKernels: cfg.weight_kernels_per_cycle },
    jobs.map((j, i) => ({ ...j, maxCycles: limits[i]! })),
  );
  const run = await runDriver(binary, job, {
    what: `layer ${l.name}`, itemName: 'convolution', dw: q.bits, outShapes: jobs.map((j) => j.out), limits, predicted, timeoutSeconds: opts.timeoutSeconds,
  });
  return {
    output: gatherNvOutputs(l, plan, run.items.map((g) => g.out)),
    ...sumCounters(run.items),
    analyticCycles: predicted.reduce((a, b) => a + b, 0),
    gemms: plan.convs.length,
    foldsStarted: 0,
    foldsOffSchedule: 0,
    slotsCounted: run.items.reduce((s, g) => s + g.folds, 0),
    slotsPredicted: models.reduce((s, m) => s + m.issue - m.idleTail, 0),
    notes: plan.notes,
    wallSeconds: (performance.now() - t0) / 1000,
    driverSeconds: run.driverSeconds,
    simSeconds: run.simSeconds,
  };
}
