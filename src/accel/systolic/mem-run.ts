/**
 * Runs one MAC layer through the compiled systolic array with its memory system (docs/MEMORY.md): plans the
 * layer's GEMMs as for the compute-only array, tiles them to fit the scratchpads, writes one memory-system job
 * (the driver holds the operands in DRAM) and reads back outputs and the memory system's counters, each
 * checked against the tile event model (`memGemmSchedule`).
 */
import type { CountedFigure, LayerMeasurement } from '../accelerator.js';
import { countersOf, memoryCountsOf } from '../check.js';
import type { SystolicConfig } from './config.js';
import type { MacLayer } from '../../nets/ir.js';
import { accumulatorBits } from '../../quant/requant.js';
import type { IntTensor, QuantLayer } from '../../quant/tensor.js';
import { readMemResult, type MemCounters } from '../../sim/job.js';
import { systolicMemJob } from './mem-job.js';
import { runDriver, watchdogLimit } from '../../sim/driver-run.js';
import type { Build } from '../../sim/build.js';
import { dataflowOf } from './dataflows/index.js';
import { memFmap } from './fmap.js';
import { systolicParams } from './generate.js';
import { layerGemm } from './gemm.js';
import { dramPort } from '../dram.js';
import { memGemmSchedule, memTiling, type MemGemmSchedule } from './memory.js';
import { SYSTOLIC_STALL_CAUSES } from './model.js';
import { gatherOutputs, groupFmap, planLayer } from './plan.js';
import type { DriverRunOptions } from '../../sim/run-options.js';
import { layerToggles } from '../../sim/activity.js';
import { MEMORY_BUSES } from './mem-activity.js';

/** The back-pressure test mode: every DRAM handshake held off in `percent` % of the cycles, seeded. */
export interface Backpressure {
  seed: number;
  percent: number;
}

/** Measured beside predicted: the memory system's counters of every GEMM of the layer. */
function memFigures(s: MemGemmSchedule, mems: MemCounters[]): CountedFigure[] {
  const sum = (f: (m: MemCounters) => number) => mems.reduce((t, m) => t + f(m), 0);
  const n = mems.length;
  const rows: [string, (m: MemCounters) => number, number][] = [
    ['compute cycles', (m) => m.compute, s.compute],
    ['stall cycles IFMAP', (m) => m.stallIfmap, s.stallIfmap],
    ['stall cycles FILTER', (m) => m.stallFilter, s.stallFilter],
    ['stall cycles OFMAP', (m) => m.stallOfmap, s.stallOfmap],
    ['DRAM words read IFMAP', (m) => m.dramRdIfmap, s.dramIfmap],
    ['DRAM words read FILTER', (m) => m.dramRdFilter, s.dramFilter],
    ['DRAM words written', (m) => m.dramWr, s.dramOfmap],
    ['SRAM reads IFMAP', (m) => m.sramRdIfmap, s.sramIfmapReads],
    ['SRAM reads FILTER', (m) => m.sramRdFilter, s.sramFilterReads],
    ['SRAM reads OFMAP', (m) => m.sramRdOfmap, s.sramOfmapReads],
    ['SRAM writes OFMAP', (m) => m.sramWrOfmap, s.sramOfmapWrites],
  ];
  return rows.map(([name, f, one]) => ({ name, measured: sum(f), predicted: one * n }));
}

/** Simulates one MAC layer on the memory-system design and returns its outputs and measurements. */
export async function simulateMemLayer(
  build: Build,
  cfg: SystolicConfig,
  l: MacLayer,
  x: IntTensor,
  q: QuantLayer,
  opts: { timeoutSeconds?: number; backpressure?: Backpressure; run?: DriverRunOptions } = {},
): Promise<LayerMeasurement> {
  const t0 = performance.now();
  const df = dataflowOf(cfg.dataflow);
  const g = layerGemm(l);
  const fm = memFmap(l, cfg);
  const tiling = memTiling(g, cfg, l.name, fm);
  const schedule = memGemmSchedule(g, cfg, l.name, true, fm);
  const plans = planLayer(l, x, q, df);
  const bp = opts.backpressure;
  // Back-pressure stretches every handshake: the watchdog allows for a stall in nearly every cycle.
  const limit = bp
    ? watchdogLimit(schedule.cycles) * (1 + Math.ceil(100 / Math.max(1, 100 - bp.percent)))
    : watchdogLimit(schedule.cycles);
  const port = dramPort(cfg.dram);
  const job = systolicMemJob.encode(
    {
      rows: cfg.rows,
      cols: cfg.cols,
      dw: q.bits,
      accW: accumulatorBits(q.bits),
      dataflow: df.code,
      timing: systolicParams(cfg).TIMING,
      beat: port.beat,
      bwFixed: port.bwFixed,
      latency: port.latency,
      stallSeed: bp ? bp.seed : 0,
      stallPercent: bp ? bp.percent : 0,
    },
    plans.map((p) => {
      const job = { ...p.job, maxCycles: limit, tiling };
      if (!fm) return job;
      // Layout nhwc: DRAM holds the group's input rows in place of the im2col operand (os/ws: P1, is: P2).
      const rows = groupFmap(l, x, p.group);
      const withFm = { ...job, fm: { ...fm, pad: q.inZeroPoint } };
      return df.name === 'is' ? { ...withFm, p2: rows } : { ...withFm, p1: rows };
    }),
  );
  const run = await runDriver(build.binary, job, {
    what: `layer ${l.name}`,
    itemName: 'GEMM',
    dw: q.bits,
    outShapes: plans.map((p) => p.job.out),
    limits: plans.map(() => limit),
    predicted: plans.map(() => schedule.cycles),
    read: readMemResult,
    // The activity build: its counters (the PE array's and the memory buses'); nothing else of `run` (no traces or kept jobs here).
    ...(opts.run?.activity ? { run: { activity: true }, activityCounters: 3 + MEMORY_BUSES.length } : {}),
  });
  let started = 0;
  let off = 0;
  for (const item of run.items) {
    started += item.foldStarts.length;
    off += Math.abs(item.foldStarts.length - schedule.foldStarts.length);
    item.foldStarts.forEach((c, f) => {
      if (c !== schedule.foldStarts[f]) off++;
    });
  }
  const figures = bp
    ? [{ name: 'folds started', measured: started, predicted: schedule.folds * plans.length }]
    : [
        ...memFigures(
          schedule,
          run.items.map((i) => i.mem),
        ),
        { name: 'folds started', measured: started, predicted: schedule.folds * plans.length },
        { name: 'folds off schedule', measured: off, predicted: 0 },
      ];
  return {
    output: gatherOutputs(
      l,
      plans,
      run.items.map((i) => i.out),
      df,
    ),
    ...countersOf(run.items),
    items: plans.length,
    figures,
    extras: {
      foldsStarted: started,
      foldsOffSchedule: off,
      tiles: schedule.tiles,
      stallIfmap: run.items.reduce((s, i) => s + i.mem.stallIfmap, 0),
      stallFilter: run.items.reduce((s, i) => s + i.mem.stallFilter, 0),
      stallOfmap: run.items.reduce((s, i) => s + i.mem.stallOfmap, 0),
      dramWords: run.items.reduce((s, i) => s + i.mem.dramRdIfmap + i.mem.dramRdFilter + i.mem.dramWr, 0),
    },
    memory: memoryCountsOf(
      run.items.map((i) => i.mem),
      SYSTOLIC_STALL_CAUSES,
    ),
    notes: bp ? [`random DRAM back-pressure: seed ${bp.seed}, ${bp.percent} % of the handshakes held off`] : [],
    wallSeconds: (performance.now() - t0) / 1000,
    driverSeconds: run.driverSeconds,
    simSeconds: run.simSeconds,
    ...(run.activity ? { activity: layerToggles(run.activity, MEMORY_BUSES) } : {}),
  };
}
