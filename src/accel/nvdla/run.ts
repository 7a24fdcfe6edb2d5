/** Runs MAC layers through the compiled NVDLA-style core and collects its outputs and counters. */
import { nvConvCycles } from './model.js';
import type { NvdlaConfig } from '../../config/schema.js';
import type { MacLayer } from '../../nets/ir.js';
import type { IntTensor, QuantLayer } from '../../quant/tensor.js';
import { MactileError } from '../../util/errors.js';
import { runDriver, watchdogLimit } from '../../sim/driver-run.js';
import type { DriverRunOptions } from '../../sim/run-options.js';
import { nvdlaJob } from './job.js';
import { simulateNvMemLayer } from './mem-run.js';
import { gatherNvOutputs, planNvLayer } from './plan.js';
import type { LayerMeasurement } from '../accelerator.js';
import { countersOf } from '../check.js';
import type { Build } from '../../sim/build.js';

/** Checks that no accumulator of the layer can overflow CACC's 34-bit (INT8) or 48-bit (INT16) width. */
function checkCaccRange(l: MacLayer, q: QuantLayer): void {
  const k = l.kernel.h * l.kernel.w * (l.inShape.c / l.groups);
  const bits = q.bits === 8 ? 34 : 48;
  if (BigInt(k) * BigInt(2 ** (2 * q.bits - 2)) >= 1n << BigInt(bits - 1)) {
    throw new MactileError(
      `layer ${l.name}: a window of ${k} INT${q.bits} products can exceed CACC's ${bits}-bit accumulator`,
    );
  }
}

/** Simulates one MAC layer on the NVDLA-style core. */
export async function simulateNvLayer(
  build: Build,
  cfg: NvdlaConfig,
  l: MacLayer,
  x: IntTensor,
  q: QuantLayer,
  opts: { timeoutSeconds?: number; run?: DriverRunOptions } = {},
): Promise<LayerMeasurement> {
  checkCaccRange(l, q);
  if (cfg.dram.bandwidth !== 'calc') return simulateNvMemLayer(build, cfg, l, x, q, opts);
  const t0 = performance.now();
  const { plan, jobs } = planNvLayer(l, x, q, cfg);
  const models = plan.convs.map((c) => nvConvCycles(c, cfg));
  const predicted = models.map((m) => m.total);
  const limits = predicted.map(watchdogLimit);
  const job = nvdlaJob.encode(
    { atomicC: cfg.atomic_c, atomicK: cfg.atomic_k, dw: q.bits, weightKernels: cfg.weight_kernels_per_cycle },
    jobs.map((j, i) => ({ ...j, maxCycles: limits[i]! })),
  );
  const run = await runDriver(build.binary, job, {
    what: `layer ${l.name}`,
    itemName: 'convolution',
    dw: q.bits,
    outShapes: jobs.map((j) => j.out),
    limits,
    predicted,
    timeoutSeconds: opts.timeoutSeconds,
    run: opts.run,
  });
  const slotsCounted = run.items.reduce((s, g) => s + g.folds, 0);
  const slotsPredicted = models.reduce((s, m) => s + m.issue - m.idleTail, 0);
  return {
    output: gatherNvOutputs(
      l,
      plan,
      run.items.map((g) => g.out),
    ),
    ...countersOf(run.items),
    items: plan.convs.length,
    figures: [{ name: 'issue slots', measured: slotsCounted, predicted: slotsPredicted }],
    extras: { issueSlots: slotsCounted, issueSlotsPredicted: slotsPredicted },
    notes: plan.notes,
    wallSeconds: (performance.now() - t0) / 1000,
    driverSeconds: run.driverSeconds,
    simSeconds: run.simSeconds,
  };
}
