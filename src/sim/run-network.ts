/**
 * Simulates the MAC layers of a network on a hardware config: builds (or reuses) the RTL, runs each
 * layer with seeded random INT8/INT16 operands, and checks every layer against the golden model and
 * the analytic model.
 */
import type { DesignOptions } from '../accel/accelerator.js';
import { checkLayer } from '../accel/check.js';
import { accelOf } from '../accel/registry.js';
import type { HardwareConfig } from '../config/schema.js';
import { batchInShape, workloadOf } from '../nets/batch.js';
import { macLayers, type MacLayer, type Network } from '../nets/ir.js';
import { randomQuantLayer, randomTensor } from '../quant/random.js';
import { MactileError } from '../util/errors.js';
import { Slots } from '../util/slots.js';
import { ensureBuild, type Build, type BuildVariant } from './build.js';
import { planLayerTrace, prepareTraceFolder, writeSignalMap, type TraceRequest } from './trace.js';
import type { LayerCheck, MemoryCounts } from '../accel/accelerator.js';

export type { LayerCheck } from '../accel/accelerator.js';

/** Sums over a network's checked layers. */
export interface SimTotals {
  macs: number;
  rtlCycles: number;
  /** The analytic model's cycles (as `analyze` reports them), its compute and stall cycles. */
  analyticCycles: number;
  analyticComputeCycles: number;
  analyticStallCycles: number;
  referenceCycles: number;
  timeUs: number;
  /** The layers' wall seconds summed (each layer's own run; with --jobs they overlap). */
  wallSeconds: number;
  /** Wall seconds of simulating the layers, from the first start to the last end (with --jobs, below the sum). */
  elapsedSeconds?: number;
  /** The memory system's counters summed over the layers (a numeric DRAM bandwidth only). */
  memory?: MemoryCounts;
}

/** The totals of checked layers. */
export function simTotals(checks: LayerCheck[]): SimTotals {
  const sum = (f: (c: LayerCheck) => number) => checks.reduce((s, c) => s + f(c), 0);
  return {
    macs: sum((c) => c.macs),
    rtlCycles: sum((c) => c.rtlCycles),
    analyticCycles: sum((c) => c.analyticCycles),
    analyticComputeCycles: sum((c) => c.analyticComputeCycles),
    analyticStallCycles: sum((c) => c.analyticStallCycles),
    referenceCycles: sum((c) => c.referenceCycles),
    timeUs: sum((c) => c.timeUs),
    wallSeconds: sum((c) => c.wallSeconds),
    ...memoryTotals(checks),
  };
}

/** The layers' memory counters summed, by stall cause too (nothing when no layer ran a memory system). */
function memoryTotals(checks: LayerCheck[]): { memory?: MemoryCounts } {
  const counts = checks.flatMap((c) => (c.memory ? [c.memory] : []));
  if (!counts.length) return {};
  const sum = (f: (c: MemoryCounts) => number) => counts.reduce((s, c) => s + f(c), 0);
  const causes = Object.keys(counts[0]!.stallsByCause);
  return {
    memory: {
      computeCycles: sum((c) => c.computeCycles),
      stallCycles: sum((c) => c.stallCycles),
      stallsByCause: Object.fromEntries(causes.map((k) => [k, sum((c) => c.stallsByCause[k] ?? 0)])),
      dramReadWords: sum((c) => c.dramReadWords),
      dramWrittenWords: sum((c) => c.dramWrittenWords),
    },
  };
}

/** Every layer bit-exact, cycle-exact (in what the RTL models) and with its counters as predicted. */
export function allChecksPass(checks: LayerCheck[]): boolean {
  return checks.every((c) => c.bitExact && c.cycleExact && c.countersOk);
}

export interface NetworkSim {
  network: string;
  config: HardwareConfig;
  precision: 8 | 16;
  /** What `referenceCycles` are: SCALE-Sim v2's cycles or NVDLA's estimator's. */
  reference: string;
  build: Build;
  layers: LayerCheck[];
  /** The waveform and signal map of each traced layer (`trace`), by layer name. */
  traces?: { layer: string; fst: string; map: string; windows: { start: number; end: number }[] }[];
  /** False when the analytic model predicts memory stalls that the RTL does not model (they are not checked). */
  stallsModelled: boolean;
  totals: SimTotals;
  ok: boolean;
}

/** Picks the MAC layers named in `names` (all when empty), with a clear error for unknown names. */
function selectLayers(net: Network, names?: string[]): MacLayer[] {
  const all = macLayers(net);
  if (!names || names.length === 0) return all;
  const known = new Map(all.map((l) => [l.name, l]));
  return names.map((n) => {
    const l = known.get(n);
    if (!l)
      throw new MactileError(
        `--layers: ${JSON.stringify(n)} is not a MAC layer of ${net.name}; expected one of ${all
          .map((x) => x.name)
          .slice(0, 12)
          .join(', ')}${all.length > 12 ? ', ...' : ''}`,
      );
    return l;
  });
}

/** Builds the simulator of a config (cached), or its `variant` (tracing). `mutate` exists only for the mutation tests. */
export async function buildFor(cfg: HardwareConfig, opts: DesignOptions = {}, variant?: BuildVariant): Promise<Build> {
  const d = accelOf(cfg).design(cfg, variant?.activity ? { ...opts, activity: true } : opts);
  return ensureBuild({ files: d.files, top: d.top, header: d.header, driver: d.driver }, { variant, label: cfg.name });
}

/** Simulates the selected MAC layers of a network with seeded random operands (batched by the config's `batch`). */
export async function simulateNetwork(
  net: Network,
  cfg: HardwareConfig,
  opts: {
    layers?: string[];
    seed?: number;
    onLayer?: (c: LayerCheck, index: number, total: number) => void;
    onStart?: (l: MacLayer, index: number, total: number) => void;
    /** Waveforms of the selected layers into a folder (a trace build; src/sim/trace.ts). */
    trace?: TraceRequest;
    /** Keeps every layer's job for `mactile replay` (default: MACTILE_KEEP_JOBS). */
    keepDir?: string;
    /** Runs the activity build and reports each layer's register toggles (`LayerCheck.activity`). */
    activity?: boolean;
    /** Layers simulated at once, each in its own driver process (default 1); results keep the layer order. */
    jobs?: number;
  } = {},
): Promise<NetworkSim> {
  const accel = accelOf(cfg);
  net = workloadOf(net, cfg);
  const layers = selectLayers(net, opts.layers);
  const bits = cfg.precision === 'int8' ? 8 : 16;
  if (opts.trace) prepareTraceFolder(opts.trace.dir);
  const variant = opts.trace || opts.activity ? { trace: !!opts.trace, activity: !!opts.activity } : undefined;
  const build = await buildFor(cfg, {}, variant);
  const traces: NonNullable<NetworkSim['traces']> = [];
  const all = macLayers(net);
  const slots = new Slots(opts.jobs ?? 1);
  // Each layer's operands come from its own seed, so the order in which layers run changes no number.
  const runLayer = async (l: MacLayer, i: number): Promise<LayerCheck> => {
    opts.onStart?.(l, i, layers.length);
    const seed = (opts.seed ?? 1) * 1000 + all.indexOf(l);
    const q = randomQuantLayer(l, bits, seed, accel.randomQuantOptions(l, bits));
    const trace = opts.trace && planLayerTrace(accel, cfg, l, all.indexOf(l), opts.trace);
    const run = { ...(trace ? { trace: trace.run } : {}), ...(opts.keepDir ? { keepDir: opts.keepDir } : {}) };
    if (trace) {
      writeSignalMap(accel, cfg, accel.design(cfg), l, trace, build.key);
      traces.push({ layer: l.name, fst: trace.fst, map: trace.map, windows: trace.windows });
    }
    const { check } = await checkLayer(accel, build, cfg, l, randomTensor(batchInShape(l), bits, seed), q, net, run);
    opts.onLayer?.(check, i, layers.length);
    return check;
  };
  // After a failure no further layer starts; the running ones finish, then the first failure is thrown.
  const notRun = new Error('not run: an earlier layer failed');
  let first: unknown;
  let failures = 0;
  const t0 = performance.now();
  // With several at once the longest layers (by the model's cycles) start first: one started last would run alone.
  const order = layers.map((l, i) => ({
    l,
    i,
    cycles: (opts.jobs ?? 1) > 1 ? accel.predictLayer(l, cfg, net).cycles : 0,
  }));
  order.sort((a, b) => b.cycles - a.cycles || a.i - b.i);
  const byStart = await Promise.allSettled(
    order.map(({ l, i }) =>
      slots.run(async () => {
        if (failures) throw notRun;
        return runLayer(l, i).catch((e: unknown) => {
          if (failures++ === 0) first = e;
          throw e;
        });
      }),
    ),
  );
  const settled = layers.map((_, i) => byStart[order.findIndex((o) => o.i === i)]!);
  if (failures) {
    if (failures > 1 && first instanceof MactileError)
      throw new MactileError(
        `${first.message} (and ${failures - 1} more layer(s) running beside it failed)`,
        first.exitCode,
      );
    throw first;
  }
  const elapsedSeconds = (performance.now() - t0) / 1000;
  const checks = settled.map((r) => (r as PromiseFulfilledResult<LayerCheck>).value);
  traces.sort((a, b) => layers.findIndex((l) => l.name === a.layer) - layers.findIndex((l) => l.name === b.layer));
  return {
    network: net.name,
    config: cfg,
    precision: bits,
    reference: accel.referenceName,
    build,
    layers: checks,
    ...(opts.trace ? { traces } : {}),
    totals: { ...simTotals(checks), elapsedSeconds },
    stallsModelled: checks.every((c) => c.stallsModelled),
    ok: allChecksPass(checks),
  };
}
