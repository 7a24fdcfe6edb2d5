/**
 * Runs one MAC layer through the compiled NVDLA-style core with its memory system (docs/MEMORY.md, "NVDLA-style
 * core"): plans the layer's convolutions as for the compute-only core, cuts each one's weights into chunks,
 * writes one memory-system job (the driver holds the CBUF images in DRAM) and reads back outputs and the
 * memory system's counters, each checked against the chunk event model (`nvMemSchedule`).
 */
import type { CountedFigure, LayerMeasurement } from '../accelerator.js';
import { countersOf, memoryCountsOf } from '../check.js';
import { dramPort } from '../dram.js';
import type { NvdlaConfig } from './config.js';
import type { MacLayer } from '../../nets/ir.js';
import type { IntTensor, QuantLayer } from '../../quant/tensor.js';
import { readMemResult, type MemCounters } from '../../sim/job.js';
import { runDriver, watchdogLimit } from '../../sim/driver-run.js';
import type { Build } from '../../sim/build.js';
import { nvMemSchedule, type NvMemSchedule } from './memory.js';
import { NVDLA_STALL_CAUSES } from './network.js';
import { nvdlaMemJob } from './mem-job.js';
import { gatherNvOutputs, planNvMemLayer } from './plan.js';

/** The back-pressure test mode: every DRAM handshake held off in `percent` % of the cycles, seeded. */
export interface NvBackpressure {
  seed: number;
  percent: number;
}

/** Measured beside predicted: the memory system's counters summed over the layer's convolutions. */
function memFigures(ss: NvMemSchedule[], mems: MemCounters[], slots: number): CountedFigure[] {
  const rows: [string, (m: MemCounters) => number, (s: NvMemSchedule) => number][] = [
    ['compute cycles', (m) => m.compute, (s) => s.compute],
    ['stall cycles feature', (m) => m.stallIfmap, (s) => s.stallFeature],
    ['stall cycles weight', (m) => m.stallFilter, (s) => s.stallWeight],
    ['stall cycles output', (m) => m.stallOfmap, (s) => s.stallOutput],
    ['DRAM words read feature', (m) => m.dramRdIfmap, (s) => s.dramFeature],
    ['DRAM words read weight', (m) => m.dramRdFilter, (s) => s.dramWeight],
    ['DRAM words written', (m) => m.dramWr, (s) => s.dramOutput],
    ['CBUF reads feature', (m) => m.sramRdIfmap, (s) => s.sramFeatureReads],
    ['CBUF reads weight', (m) => m.sramRdFilter, (s) => s.sramWeightReads],
    ['output buffer writes', (m) => m.sramWrOfmap, (s) => s.sramOutputWrites],
  ];
  const figures = rows.map(([name, m, s]) => ({
    name,
    measured: mems.reduce((t, x) => t + m(x), 0),
    predicted: ss.reduce((t, x) => t + s(x), 0),
  }));
  figures.push({ name: 'issue slots', measured: slots, predicted: ss.reduce((t, s) => t + s.slots, 0) });
  return figures;
}

/** Simulates one MAC layer on the NVDLA-style memory-system design and returns its outputs and measurements. */
export async function simulateNvMemLayer(
  build: Build,
  cfg: NvdlaConfig,
  l: MacLayer,
  x: IntTensor,
  q: QuantLayer,
  opts: { timeoutSeconds?: number; backpressure?: NvBackpressure } = {},
): Promise<LayerMeasurement> {
  const t0 = performance.now();
  const { plan, jobs } = planNvMemLayer(l, x, q, cfg);
  const ss = plan.convs.map((c) => nvMemSchedule(c, cfg, l.name));
  const bp = opts.backpressure;
  // Back-pressure stretches every handshake: the watchdog allows for a stall in nearly every cycle.
  const limits = ss.map((s) =>
    bp ? watchdogLimit(s.cycles) * (1 + Math.ceil(100 / Math.max(1, 100 - bp.percent))) : watchdogLimit(s.cycles),
  );
  const port = dramPort(cfg.dram);
  const job = nvdlaMemJob.encode(
    {
      atomicC: cfg.atomic_c,
      atomicK: cfg.atomic_k,
      dw: q.bits,
      weightKernels: cfg.weight_kernels_per_cycle,
      beat: port.beat,
      bwFixed: port.bwFixed,
      latency: port.latency,
      stallSeed: bp ? bp.seed : 0,
      stallPercent: bp ? bp.percent : 0,
    },
    jobs.map((j, i) => ({ ...j, maxCycles: limits[i]! })),
  );
  const run = await runDriver(build.binary, job, {
    what: `layer ${l.name}`,
    itemName: 'convolution',
    dw: q.bits,
    outShapes: jobs.map((j) => j.out),
    limits,
    predicted: ss.map((s) => s.cycles),
    timeoutSeconds: opts.timeoutSeconds,
    read: readMemResult,
  });
  const mems = run.items.map((i) => i.mem);
  const slots = run.items.reduce((t, i) => t + i.folds, 0);
  const sum = (f: (m: MemCounters) => number) => mems.reduce((t, m) => t + f(m), 0);
  return {
    output: gatherNvOutputs(
      l,
      plan,
      run.items.map((i) => i.out),
    ),
    ...countersOf(run.items),
    items: plan.convs.length,
    figures: bp ? [] : memFigures(ss, mems, slots),
    extras: {
      // The issue slots the RTL counted, for `sim`'s issue-slot column (as the compute-only core's run gives them).
      issueSlots: slots,
      issueSlotsPredicted: ss.reduce((t, s) => t + s.slots, 0),
      chunks: ss.reduce((t, s) => t + s.chunks, 0),
      stallFeature: sum((m) => m.stallIfmap),
      stallWeight: sum((m) => m.stallFilter),
      stallOutput: sum((m) => m.stallOfmap),
      dramWords: sum((m) => m.dramRdIfmap + m.dramRdFilter + m.dramWr),
    },
    memory: memoryCountsOf(mems, NVDLA_STALL_CAUSES),
    notes: [
      ...plan.notes,
      ...(bp ? [`random DRAM back-pressure: seed ${bp.seed}, ${bp.percent} % of the handshakes held off`] : []),
    ],
    wallSeconds: (performance.now() - t0) / 1000,
    driverSeconds: run.driverSeconds,
    simSeconds: run.simSeconds,
  };
}
