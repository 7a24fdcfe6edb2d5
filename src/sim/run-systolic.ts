/**
 * Runs MAC layers through the compiled systolic-array simulator: plans the layer's GEMMs, writes one
 * job per layer, runs the driver under a watchdog, reads the results back and checks them: every
 * output written exactly once, bit-exact against the golden model, cycles against the analytic model.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { mapGemm } from '../analytic/gemm.js';
import { gemmCycles } from '../config/pipeline.js';
import type { SystolicConfig } from '../config/schema.js';
import type { MacLayer } from '../nets/ir.js';
import { shapeText } from '../nets/ir.js';
import { accumulatorBits, operandRange } from '../quant/requant.js';
import type { IntTensor, QuantLayer } from '../quant/tensor.js';
import { MactileError } from '../util/errors.js';
import { readResult, writeJob, type GemmResult } from './job.js';
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
  foldCycles: number[];
  /** Wall time of the whole layer (planning, job, simulation, reading) and of the simulator process alone. */
  wallSeconds: number;
  driverSeconds: number;
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
  const predicted = plans.map((p) => {
    const map = mapGemm({ m: p.m, k: p.k, n: p.n, count: 1 }, cfg.rows, cfg.cols, cfg.dataflow);
    return gemmCycles(cfg.timing, cfg.dataflow, cfg.rows, cfg.cols, map.t, map.folds);
  });
  const dir = mkdtempSync(join(tmpdir(), 'mactile-job-'));
  try {
    const job = join(dir, 'job.bin');
    const res = join(dir, 'result.bin');
    writeJob(
      job,
      { kind: 1, rows: cfg.rows, cols: cfg.cols, dw: q.bits, accW: accumulatorBits(q.bits), dataflow: DATAFLOW_CODE[cfg.dataflow] },
      plans.map((p, i) => ({ ...p.job, maxCycles: 2 * predicted[i]! + 1000 })),
    );
    const tRun = performance.now();
    const run = await execa(binary, [job, res], { reject: false, timeout: (opts.timeoutSeconds ?? 3600) * 1000, all: true });
    const driverSeconds = (performance.now() - tRun) / 1000;
    if (run.timedOut) throw new MactileError(`layer ${l.name}: the simulation did not finish within ${opts.timeoutSeconds ?? 3600} s and was stopped`, 3);
    if (run.signal) throw new MactileError(`layer ${l.name}: the simulator crashed (${run.signal}); no results are reported for it`, 3);
    if (run.exitCode !== 0 && run.exitCode !== 3) {
      throw new MactileError(`layer ${l.name}: the simulator failed (exit ${run.exitCode}): ${(run.all ?? '').trim().split('\n').slice(-3).join(' ')}`, 3);
    }
    const result = readResult(res, q.bits, plans.map((p) => p.job.out));
    if (result.status === 'watchdog') {
      const g = result.gemms.length - 1;
      throw new MactileError(
        `layer ${l.name}: the simulation hung: GEMM ${g + 1} of ${plans.length} did not finish within ${2 * predicted[g]! + 1000} cycles (the analytic model predicts ${predicted[g]}); no results are reported for it`,
        3,
      );
    }
    if (result.gemms.length !== plans.length) throw new MactileError(`layer ${l.name}: the simulator returned ${result.gemms.length} of ${plans.length} GEMMs`, 3);
    const sum = (f: (g: GemmResult) => number) => result.gemms.reduce((s, g) => s + f(g), 0);
    const output = gatherOutputs(l, plans, result.gemms.map((g) => g.out), cfg.dataflow);
    return {
      output,
      rtlCycles: sum((g) => g.cycles),
      analyticCycles: predicted.reduce((a, b) => a + b, 0),
      gemms: plans.length,
      macsCounted: sum((g) => g.macs),
      outputsCounted: sum((g) => g.outputs),
      outputsWritten: sum((g) => g.laneWrites - g.repeatedWrites - g.outsideWrites),
      repeatedWrites: sum((g) => g.repeatedWrites),
      outsideWrites: sum((g) => g.outsideWrites),
      foldCycles: result.gemms.flatMap((g) => g.foldStarts.map((s, i) => (i + 1 < g.foldStarts.length ? g.foldStarts[i + 1]! : g.cycles) - s)),
      wallSeconds: (performance.now() - t0) / 1000,
      driverSeconds,
    };
  } finally {
    // MACTILE_KEEP_JOBS=DIR keeps the job and result files (for debugging and profiling the driver).
    const keep = process.env.MACTILE_KEEP_JOBS;
    if (keep) {
      mkdirSync(keep, { recursive: true });
      for (const f of ['job.bin', 'result.bin']) if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(keep, `${l.name}.${f}`));
    }
    rmSync(dir, { recursive: true, force: true });
  }
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
