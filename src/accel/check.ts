/**
 * One MAC layer through the RTL of any accelerator kind, checked against the golden model (every output,
 * bit for bit, written exactly once) and against the analytic model's prediction for the same layer (cycles
 * and the kind's own counters), with the reference estimate beside it. Nothing here predicts a number: the
 * prediction is the kind's `predictLayer`, the measurement its `simulateLayer`.
 */
import { shapeText, shownKind, type MacLayer, type Network } from '../nets/ir.js';
import type { IntTensor, QuantLayer } from '../quant/tensor.js';
import type { Build } from '../sim/build.js';
import type { GemmResult, MemCounters } from '../sim/job.js';
import { writeKeptJob } from '../sim/kept-job.js';
import { keepFolder, type DriverRunOptions } from '../sim/run-options.js';
import type {
  Accelerator,
  BaseConfig,
  LayerCheck,
  LayerMeasurement,
  LayerPrediction,
  MemoryCounts,
} from './accelerator.js';

/** The RTL's counters and the driver's write checks summed over the items of a layer. */
export function countersOf(
  items: GemmResult[],
): Pick<
  LayerMeasurement,
  'rtlCycles' | 'macsCounted' | 'outputsCounted' | 'outputsWritten' | 'repeatedWrites' | 'outsideWrites'
> {
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

/**
 * A memory system's counters summed over the items of a layer, in the common terms: the three stall counters
 * (IFMAP / feature, FILTER / weight, OFMAP / output) under the kind's `causes`, the reads of both operands.
 */
export function memoryCountsOf(mems: MemCounters[], causes: readonly string[]): MemoryCounts {
  const sum = (f: (m: MemCounters) => number) => mems.reduce((t, m) => t + f(m), 0);
  const stalls = [sum((m) => m.stallIfmap), sum((m) => m.stallFilter), sum((m) => m.stallOfmap)];
  if (causes.length !== stalls.length)
    throw new Error(`memoryCountsOf: expected ${stalls.length} stall causes, received ${causes.join(', ')}`);
  return {
    computeCycles: sum((m) => m.compute),
    stallCycles: stalls.reduce((a, b) => a + b, 0),
    stallsByCause: Object.fromEntries(causes.map((c, i) => [c, stalls[i]!])),
    dramReadWords: sum((m) => m.dramRdIfmap + m.dramRdFilter),
    dramWrittenWords: sum((m) => m.dramWr),
  };
}

/** Compares two tensors element by element; returns the number of mismatches and the first few. */
function compareTensors(got: IntTensor, want: IntTensor): { mismatches: number; first: string[] } {
  const first: string[] = [];
  let mismatches = 0;
  if (shapeText(got.shape) !== shapeText(want.shape))
    return { mismatches: want.data.length, first: [`shape ${shapeText(got.shape)} vs ${shapeText(want.shape)}`] };
  for (let i = 0; i < want.data.length; i++) {
    if (got.data[i] !== want.data[i]) {
      mismatches++;
      if (first.length < 3) first.push(`[${i}] rtl ${got.data[i]} golden ${want.data[i]}`);
    }
  }
  return { mismatches, first };
}

/**
 * Runs one layer (with the hardware's quantization `q`) on the build of a config and checks it.
 * `net` gives the model its context (e.g. the NVDLA estimator's fused pooling); `run` traces or keeps the
 * job (src/sim/run-options.ts). A kept job gets its replay file (src/sim/kept-job.ts), also when the run fails.
 */
export async function checkLayer<C extends BaseConfig, L extends LayerPrediction>(
  accel: Accelerator<C, L>,
  build: Build,
  cfg: C,
  l: MacLayer,
  x: IntTensor,
  q: QuantLayer,
  net?: Network,
  run?: DriverRunOptions,
): Promise<{ check: LayerCheck; output: IntTensor }> {
  const predicted = accel.predictLayer(l, cfg, net);
  const keep = keepFolder(run);
  const golden = accel.golden(l, x, q);
  const kept = {
    cfg,
    layer: l,
    network: net?.name,
    x,
    q,
    prediction: predicted,
    expected: golden,
    buildKey: build.key,
    buildTrace: !!build.variant?.trace,
  };
  let r: LayerMeasurement;
  try {
    const counted = build.variant?.activity ? { ...run, activity: true } : run;
    r = await accel.simulateLayer(build, cfg, l, x, q, { run: counted });
  } catch (err) {
    if (keep) writeKeptJob(keep, { ...kept, original: { error: (err as Error).message } });
    throw err;
  }
  const check = judgeLayer(accel, cfg, l, predicted, r, golden);
  if (keep) writeKeptJob(keep, { ...kept, original: { check, output: r.output } });
  return { check, output: r.output };
}

/** Compares a layer's measurement with the prediction and its outputs with the golden (expected) outputs. */
export function judgeLayer<C extends BaseConfig>(
  accel: Pick<Accelerator<C>, 'cells'>,
  cfg: C,
  l: MacLayer,
  predicted: LayerPrediction & { referenceCycles: number },
  r: LayerMeasurement,
  golden: IntTensor,
): LayerCheck {
  const cmp = compareTensors(r.output, golden);
  const expected = golden.data.length;
  const comparedCycles = predicted.stallsModelled ? predicted.cycles : predicted.computeCycles;
  return {
    name: l.name,
    kind: shownKind(l),
    macs: predicted.macs,
    gemms: r.items,
    rtlCycles: r.rtlCycles,
    analyticCycles: predicted.cycles,
    analyticComputeCycles: predicted.computeCycles,
    analyticStallCycles: predicted.stallCycles,
    stallsModelled: predicted.stallsModelled,
    referenceCycles: predicted.referenceCycles,
    overallUtil: predicted.overallUtil,
    mappingEfficiency: predicted.mappingEfficiency,
    rtlUtil: (100 * r.macsCounted) / (r.rtlCycles * accel.cells(cfg)),
    outputsExpected: expected,
    outputsChecked: r.outputsWritten,
    mismatches: cmp.mismatches,
    firstMismatches: cmp.first,
    bitExact: cmp.mismatches === 0 && r.outputsWritten === expected && r.repeatedWrites === 0 && r.outsideWrites === 0,
    cycleExact: r.rtlCycles === comparedCycles,
    countersOk:
      r.macsCounted === predicted.macs &&
      r.outputsCounted === expected &&
      r.figures.every((f) => f.measured === f.predicted),
    figures: r.figures,
    extras: { ...predictedExtras(predicted), ...r.extras },
    notes: r.notes,
    timeUs: r.rtlCycles / cfg.clock_mhz,
    wallSeconds: r.wallSeconds,
    ...(r.activity ? { activity: r.activity } : {}),
    ...(r.memory ? { memory: r.memory } : {}),
  };
}

/** The prediction's kind-specific `extras`, when the kind attaches some to it. */
function predictedExtras(p: object): Record<string, number | string> {
  const e = (p as { extras?: Record<string, number | string> }).extras;
  return e ?? {};
}
