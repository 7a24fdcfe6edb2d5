/**
 * The analytic part of the study: every MAC layer of each network on the NVDLA-style presets and on the
 * grid of systolic arrays (sizes x dataflows), with the reference estimate of each kind beside it.
 */
import { accelOf } from '../accel/registry.js';
import { cellsOf, describeConfig } from '../config/describe.js';
import { loadConfig, validateConfig } from '../config/load.js';
import type { Dataflow, HardwareConfig } from '../config/schema.js';
import { macLayers, type Network } from '../nets/ir.js';
import { DoesNotFitError } from '../util/errors.js';
import type { AnalyticRun, LayerFigures } from './data.js';
import { runEnergy } from './energy.js';

/** The NVDLA-style runs of the study: each preset at the precision it is studied at. */
export const NVDLA_RUNS: { preset: string; precision: 'int8' | 'int16' }[] = [
  { preset: 'nv_small', precision: 'int8' },
  { preset: 'nv_full_int8', precision: 'int8' },
  { preset: 'nv_full_int16', precision: 'int16' },
];

/** A preset at a precision, with overrides of its keys; named `name`. */
export function presetConfig(preset: string, name: string, keys: Record<string, unknown> = {}): HardwareConfig {
  const base = loadConfig(preset);
  const { name: _name, source, ...raw } = base;
  return validateConfig({ ...raw, ...keys, name }, source);
}

/** The systolic config of the grid: the 16x16 os preset at another size, dataflow, precision and DRAM. */
export function systolicConfig(
  size: number,
  dataflow: Dataflow,
  precision: 'int8' | 'int16',
  dram: number | 'calc',
): HardwareConfig {
  const name = `sa-${size}x${size}-${dataflow}${precision === 'int16' ? '-int16' : ''}${dram === 'calc' ? '' : `-dram${dram}`}`;
  return presetConfig('sa-16x16-os', name, {
    rows: size,
    cols: size,
    dataflow,
    precision,
    dram: { bandwidth: dram },
  });
}

const bytesOf = (p: 'int8' | 'int16') => (p === 'int8' ? 1 : 2);

/** A network on a config through the kind's analytic model, layer by layer, with the reference and the
 * energy estimates. */
function analyticRun(net: Network, cfg: HardwareConfig, extra: Partial<AnalyticRun> = {}): AnalyticRun {
  const accel = accelOf(cfg);
  const precision = cfg.precision;
  const layers: LayerFigures[] = macLayers(net).map((l) => {
    const p = accel.predictLayer(l, cfg, net);
    const dims = p as unknown as { m?: number; k?: number; n?: number };
    const dramBytes = p.dramWords * bytesOf(precision);
    return {
      name: p.name,
      kind: p.kind,
      macs: p.macs,
      ...(typeof dims.m === 'number' ? { m: dims.m, k: dims.k, n: dims.n } : {}),
      computeCycles: p.computeCycles,
      stallCycles: p.stallCycles,
      cycles: p.cycles,
      overallUtil: p.overallUtil,
      mappingEfficiency: p.mappingEfficiency,
      sramReads: p.sramReads,
      sramWrites: p.sramWrites,
      dramWords: p.dramWords,
      dramBytes,
      dramGBps: p.cycles > 0 ? (dramBytes * cfg.clock_mhz * 1e6) / p.cycles / 1e9 : 0,
      timeUs: p.timeUs,
      referenceCycles: p.referenceCycles,
    };
  });
  const sum = (f: (l: LayerFigures) => number) => layers.reduce((s, l) => s + f(l), 0);
  const cycles = sum((l) => l.cycles);
  const timeUs = sum((l) => l.timeUs);
  return {
    net: net.name,
    config: cfg.name,
    kind: cfg.kind,
    describe: describeConfig(cfg),
    precision,
    clockMhz: cfg.clock_mhz,
    cells: cellsOf(cfg),
    ...extra,
    layers,
    totals: {
      macs: sum((l) => l.macs),
      cycles,
      computeCycles: sum((l) => l.computeCycles),
      stallCycles: sum((l) => l.stallCycles),
      referenceCycles: sum((l) => l.referenceCycles),
      dramBytes: sum((l) => l.dramBytes),
      timeUs,
      overallUtil: (100 * sum((l) => l.macs)) / (cycles * cellsOf(cfg)),
      inferencesPerSecond: timeUs > 0 ? 1e6 / timeUs : 0,
    },
    energy: runEnergy(net, cfg, layers),
  };
}

/** An NVDLA-style preset of the study at its precision, with its memory system at `dram` words per cycle
 * ("calc": the compute-only core with ideal memory). */
export function nvdlaConfig(preset: string, precision: 'int8' | 'int16', dram: number | 'calc'): HardwareConfig {
  return presetConfig(preset, preset, { precision, dram: { bandwidth: dram } });
}

/**
 * The NVDLA-style runs of each network, on the cores with their memory system at `dram` words per cycle; a
 * network that does not fit a core's memory system is left out with the reason (`unfit`).
 */
export function nvdlaRuns(
  nets: Network[],
  dram: number | 'calc',
): { runs: AnalyticRun[]; assumptions: Record<string, string[]>; unfit: string[] } {
  const runs: AnalyticRun[] = [];
  const assumptions: Record<string, string[]> = {};
  const unfit: string[] = [];
  for (const { preset, precision } of NVDLA_RUNS) {
    const cfg = nvdlaConfig(preset, precision, dram);
    assumptions[preset] = accelOf(cfg).referenceAssumptions(cfg);
    for (const net of nets) {
      try {
        runs.push(analyticRun(net, cfg, { dram }));
      } catch (err) {
        if (!(err instanceof DoesNotFitError)) throw err;
        unfit.push(`${net.name} on ${preset}: ${err.message}`);
      }
    }
  }
  return { runs, assumptions, unfit };
}

/** The systolic grid: every size and dataflow at INT8 (INT16 beside it) with ideal memory, and with a DRAM port
 * (whose scratchpads refetch: more DRAM words, so more energy). */
export function systolicGrid(
  nets: Network[],
  sizes: number[],
  dataflows: Dataflow[],
  dram: number,
): { runs: AnalyticRun[]; assumptions: Record<string, string[]> } {
  const runs: AnalyticRun[] = [];
  let assumptions: string[] = [];
  for (const net of nets)
    for (const size of sizes)
      for (const dataflow of dataflows)
        for (const precision of ['int8', 'int16'] as const)
          for (const bw of ['calc', dram] as const) {
            const cfg = systolicConfig(size, dataflow, precision, bw);
            assumptions = accelOf(cfg).referenceAssumptions(cfg);
            runs.push(analyticRun(net, cfg, { size, dataflow, dram: bw }));
          }
  return { runs, assumptions: { systolic: assumptions } };
}
