/**
 * Runs MAC layers through the compiled systolic-array simulator: plans the layer's GEMMs, writes one
 * job per layer, runs the driver under a watchdog, reads the results back and checks them: every
 * output written exactly once, bit-exact against the golden model, cycles against the analytic model.
 */
import { mapGemm, type ArrayMapping } from '../analytic/gemm.js';
import { foldInterval, gemmCycles } from '../config/pipeline.js';
import type { SystolicConfig } from '../config/schema.js';
import type { MacLayer } from '../nets/ir.js';
import { shapeText } from '../nets/ir.js';
import { accumulatorBits, operandRange } from '../quant/requant.js';
import type { IntTensor, QuantLayer } from '../quant/tensor.js';
import { MactileError } from '../util/errors.js';
import { encodeJob, type GemmResult } from './job.js';
import { runDriver, watchdogLimit } from './driver-run.js';
import { gatherOutputs, planLayer } from './plan.js';
import { DATAFLOW_CODE } from '../rtl/systolic.js';

export interface LayerSimResult {
  output: IntTensor;
  /** RTL cycles of the layer (sum over its GEMMs) and the analytic model's prediction. */
  rtlCycles: number;
  analyticCycles: number;
  gemms: number;
  /** The RTL's counters summed over GEMMs. */
  macsCounted: number;
  outputsCounted: number;
  /** Outputs the driver's memory saw written exactly once, and anomalies. */
  outputsWritten: number;
  repeatedWrites: number;
  outsideWrites: number;
  /** Folds whose start the RTL's fold pulse marked, and how many started off the model's schedule. */
  foldsStarted: number;
  foldsOffSchedule: number;
  /** Wall time of the whole layer (planning, job, simulation, reading) and of the simulator process alone. */
  wallSeconds: number;
  driverSeconds: number;
  /** The simulator's time in its clocked loops only (what speed benchmarks compare). */
  simSeconds: number;
}

/** Checks that no accumulator of the layer can overflow the RTL's accumulator width. */
export function checkAccumulatorRange(l: MacLayer, q: QuantLayer): void {
  const { min } = operandRange(q.bits);
  const k = l.kernel.h * l.kernel.w * (l.inShape.c / l.groups);
  const worst = BigInt(k) * BigInt(min * min);
  const maxBias = q.bias.reduce((m, b) => (b < 0n ? (-b > m ? -b : m) : b > m ? b : m), 0n);
  const limit = 1n << BigInt(accumulatorBits(q.bits) - 1);
  if (worst + maxBias >= limit) {
    throw new MactileError(`layer ${l.name}: a window of K=${k} INT${q.bits} products (plus bias) can exceed the ${accumulatorBits(q.bits)}-bit accumulator; split the layer`);
  }
}

/** Simulates one MAC layer on the array and returns its outputs and measurements. */
export async function simulateLayer(
  binary: string,
  cfg: SystolicConfig,
  l: MacLayer,
  x: IntTensor,
  q: QuantLayer,
  opts: { timeoutSeconds?: number } = {},
): Promise<LayerSimResult> {
  checkAccumulatorRange(l, q);
  const t0 = performance.now();
  const plans = planLayer(l, x, q, cfg.dataflow);
  const maps = plans.map((p) => mapGemm({ m: p.m, k: p.k, n: p.n, count: 1 }, cfg.rows, cfg.cols, cfg.dataflow));
  const predicted = maps.map((map) => gemmCycles(cfg.timing, cfg.dataflow, cfg.rows, cfg.cols, map.t, map.folds));
  const limits = predicted.map(watchdogLimit);
  const job = encodeJob(
    { kind: 1, rows: cfg.rows, cols: cfg.cols, dw: q.bits, accW: accumulatorBits(q.bits), dataflow: DATAFLOW_CODE[cfg.dataflow] },
    plans.map((p, i) => ({ ...p.job, maxCycles: limits[i]! })),
  );
  const run = await runDriver(binary, job, {
    what: `layer ${l.name}`, itemName: 'GEMM', dw: q.bits, outShapes: plans.map((p) => p.job.out), limits, predicted, timeoutSeconds: opts.timeoutSeconds,
  });
  return {
    output: gatherOutputs(l, plans, run.items.map((g) => g.out), cfg.dataflow),
    ...sumCounters(run.items),
    analyticCycles: predicted.reduce((a, b) => a + b, 0),
    gemms: plans.length,
    ...foldSchedule(cfg, maps, run.items),
    wallSeconds: (performance.now() - t0) / 1000,
    driverSeconds: run.driverSeconds,
    simSeconds: run.simSeconds,
  };
}

/**
 * Checks the fold schedule the RTL's fold pulses report against the model: fold f of a GEMM starts streaming
 * at the operand latency plus the preload (ws/is) plus f fold intervals.
 */
export function foldSchedule(cfg: SystolicConfig, maps: ArrayMapping[], items: GemmResult[]): { foldsStarted: number; foldsOffSchedule: number } {
  const first = cfg.dataflow === 'os' ? 0 : cfg.rows;
  let started = 0;
  let off = 0;
  items.forEach((g, i) => {
    const map = maps[i]!;
    const interval = foldInterval(cfg.timing, cfg.dataflow, cfg.rows, cfg.cols, map.t);
    started += g.foldStarts.length;
    off += Math.abs(map.folds - g.foldStarts.length);
    g.foldStarts.forEach((cycle, f) => {
      if (cycle !== first + f * interval) off++;
    });
  });
  return { foldsStarted: started, foldsOffSchedule: off };
}

/** The RTL's counters and the driver's write checks summed over the items of a layer. */
export function sumCounters(items: GemmResult[]): Pick<LayerSimResult, 'rtlCycles' | 'macsCounted' | 'outputsCounted' | 'outputsWritten' | 'repeatedWrites' | 'outsideWrites'> {
  const sum = (f: (g: GemmResult) => number) => items.reduce((s, g) => s + f(g), 0);
  return {
    rtlCycles: sum((g) => g.cycles),
    macsCounted: sum((g) => g.macs),
    outputsCounted: sum((g) => g.outputs),
    outputsWritten: sum((g) => g.laneWrites - g.repeatedWrites - g.outsideWrites),
    repeatedWrites: sum((g) => g.repeatedWrites),
    outsideWrites: sum((g) => g.outsideWrites),
  };
}

/** Compares two tensors element by element; returns the number of mismatches and the first few. */
export function compareTensors(got: IntTensor, want: IntTensor): { mismatches: number; first: string[] } {
  const first: string[] = [];
  let mismatches = 0;
  if (shapeText(got.shape) !== shapeText(want.shape)) return { mismatches: want.data.length, first: [`shape ${shapeText(got.shape)} vs ${shapeText(want.shape)}`] };
  for (let i = 0; i < want.data.length; i++) {
    if (got.data[i] !== want.data[i]) {
      mismatches++;
      if (first.length < 3) first.push(`[${i}] rtl ${got.data[i]} golden ${want.data[i]}`);
    }
  }
  return { mismatches, first };
}
