/**
 * The whole study behind `mactile report`: the quantization study (when a model is given), then for every
 * config and precision the analytic model, the reference estimate (SCALE-Sim v2 or NVDLA's estimator) and
 * the RTL simulation of every MAC layer, merged into one table per run.
 */
import type { LayerCheck } from '../accel/accelerator.js';
import { accelOf } from '../accel/registry.js';
import { cellsOf, referenceName } from '../config/describe.js';
import type { HardwareConfig } from '../config/schema.js';
import { validateConfig } from '../config/load.js';
import { workloadOf } from '../nets/batch.js';
import { macLayers, type MacLayer, type Network } from '../nets/ir.js';
import { heldOutDigits } from '../quant/mnist.js';
import type { QuantModel } from '../quant/quantize.js';
import { simulateNetwork } from '../sim/run-network.js';
import { simulateQuantized } from '../sim/run-quantized.js';
import { MactileError } from '../util/errors.js';
import { counter } from '../util/progress.js';
import { layerMemory, runMemory, type LayerMemory, type RunMemory } from './memory.js';

/** One row of a run's per-layer table (its memory figures: the RTL's counters with a memory system). */
export interface ReportLayer extends LayerMemory {
  name: string;
  kind: string;
  macs: number;
  rtlCycles: number;
  analyticCycles: number;
  referenceCycles: number;
  overallUtil: number;
  mappingEfficiency: number;
  sramReads: number;
  sramWrites: number;
  dramWords: number;
  dramBw: number;
  timeUs: number;
  outputsChecked: number;
  bitExact: boolean;
  cycleExact: boolean;
}

export interface RunStudy {
  /** e.g. "sa-16x16-os int8": the run's name and precision. */
  label: string;
  /** The name the config's runs go by: its own, or with -2, -3, ... when several configs share it (see runNames). */
  name: string;
  config: HardwareConfig;
  precision: 'int8' | 'int16';
  reference: string;
  /** "random operands (seed 1)" or "quantized model, held-out digit 0". */
  operands: string;
  layers: ReportLayer[];
  totals: {
    macs: number;
    rtlCycles: number;
    analyticCycles: number;
    referenceCycles: number;
    timeMs: number;
    overallUtil: number;
    dramWords: number;
  };
  ok: boolean;
  /** Quantized runs: RTL logits equal to the golden executor's. */
  logitsIdentical?: boolean;
  /** A numeric DRAM bandwidth only: the roofs and the network's cycles against bandwidth (src/report/memory.ts). */
  memory?: RunMemory;
}

/** A layer's row: the RTL's measurement beside the analytic model's traffic and memory figures. */
function toRow(c: LayerCheck, l: MacLayer, cfg: HardwareConfig, net: Network): ReportLayer {
  const p = accelOf(cfg).predictLayer(l, cfg, net);
  return {
    name: c.name,
    kind: c.kind,
    macs: c.macs,
    rtlCycles: c.rtlCycles,
    analyticCycles: c.analyticCycles,
    referenceCycles: c.referenceCycles,
    overallUtil: c.rtlUtil,
    mappingEfficiency: c.mappingEfficiency,
    sramReads: p.sramReads,
    sramWrites: p.sramWrites,
    dramWords: p.dramWords,
    dramBw: p.dramWords / c.rtlCycles,
    ...layerMemory(c, p),
    timeUs: c.timeUs,
    outputsChecked: c.outputsChecked,
    bitExact: c.bitExact,
    cycleExact: c.cycleExact,
  };
}

function summarise(
  name: string,
  label: string,
  cfg: HardwareConfig,
  precision: 'int8' | 'int16',
  reference: string,
  operands: string,
  rows: ReportLayer[],
  ok: boolean,
  work: Network,
): RunStudy {
  const sum = (f: (r: ReportLayer) => number) => rows.reduce((s, r) => s + f(r), 0);
  const cells = cellsOf(cfg);
  const rtl = sum((r) => r.rtlCycles);
  const memory = runMemory(cfg, work, rtl);
  return {
    label,
    name,
    config: cfg,
    precision,
    reference,
    operands,
    layers: rows,
    ok,
    totals: {
      macs: sum((r) => r.macs),
      rtlCycles: rtl,
      analyticCycles: sum((r) => r.analyticCycles),
      referenceCycles: sum((r) => r.referenceCycles),
      timeMs: sum((r) => r.timeUs) / 1000,
      overallUtil: (100 * sum((r) => r.macs)) / (rtl * cells),
      dramWords: sum((r) => r.dramWords),
    },
    ...(memory ? { memory } : {}),
  };
}

/**
 * The name each config's runs go by in the report (its labels, section ids and data file names): the
 * config's own name, or for the second, third, ... config of a name that name with -2, -3, ... (the
 * first number no other config is named or given already, compared without case so that file names
 * differ on any file system). The same config listed twice is refused, naming it.
 */
export function runNames(configs: HardwareConfig[]): { names: string[]; notes: string[] } {
  const key = (n: string) => n.toLowerCase();
  const taken = new Set(configs.map((c) => key(c.name)));
  const seen = new Map<string, HardwareConfig>();
  const names: string[] = [];
  const renamed = new Map<string, { name: string; runs: string[] }>();
  for (const cfg of configs) {
    const first = seen.get(key(cfg.name));
    if (!first) {
      seen.set(key(cfg.name), cfg);
      names.push(cfg.name);
      continue;
    }
    const same = configs.filter((c) => c.source === cfg.source && JSON.stringify(c) === JSON.stringify(cfg));
    if (same.length > 1)
      throw new MactileError(
        `--configs: ${cfg.name} (${cfg.source}) is listed ${same.length} times; list each config once`,
      );
    let k = 2;
    while (taken.has(key(`${cfg.name}-${k}`))) k++;
    const name = `${cfg.name}-${k}`;
    taken.add(key(name));
    names.push(name);
    const group = renamed.get(key(cfg.name)) ?? { name: first.name, runs: [`${first.name} (${first.source})`] };
    group.runs.push(`${name} (${cfg.source})`);
    renamed.set(key(cfg.name), group);
  }
  const notes = [...renamed.values()].map(
    (g) => `${g.runs.length} configs are named ${g.name}: their runs are labelled ${g.runs.join(', ')}`,
  );
  return { names, notes };
}

/** A planned run: a config at one precision, and the name its run goes by. */
interface PlannedRun {
  cfg: HardwareConfig;
  precision: 'int8' | 'int16';
  name: string;
}

/** The operands of a quantized run: its held-out digit, or the digits of its batch, with their labels. */
export function heldOutText(first: number, images: { label: number }[]): string {
  const labels = images.map((d) => d.label).join(', ');
  return images.length === 1
    ? `quantized model, held-out digit ${first} (label ${labels})`
    : `quantized model, held-out digits ${first} to ${first + images.length - 1} (batch ${images.length}; labels ${labels})`;
}

/** The runs of a study: each config at each precision it supports (a skipped pair is returned as a note). */
function plannedRuns(
  configs: HardwareConfig[],
  precisions: ('int8' | 'int16')[],
): { runs: PlannedRun[]; skipped: string[]; notes: string[] } {
  const { names, notes } = runNames(configs);
  const runs: PlannedRun[] = [];
  const skipped: string[] = [];
  for (const [i, base] of configs.entries()) {
    for (const precision of precisions) {
      const supported = accelOf(base).precisions(base);
      if (!supported.includes(precision)) {
        skipped.push(`${names[i]} ${precision}: the hardware supports ${supported.join(', ')}`);
        continue;
      }
      const { name, source, ...raw } = base;
      runs.push({ cfg: validateConfig({ ...raw, name, precision }, source), precision, name: names[i]! });
    }
  }
  return { runs, skipped, notes };
}

/** Runs the hardware part of the study: every MAC layer of every run through the RTL, with the models beside it. */
export async function hardwareStudy(
  net: Network,
  configs: HardwareConfig[],
  precisions: ('int8' | 'int16')[],
  opts: {
    quantized?: Record<string, QuantModel>;
    image?: number;
    /** The held-out images --image counts in (default: MNIST's held-out digits). */
    heldOut?: (first: number, count: number) => { pixels: Float32Array; label: number }[];
    seed?: number;
  },
): Promise<{ runs: RunStudy[]; skipped: string[]; notes: string[] }> {
  const { runs, skipped, notes } = plannedRuns(configs, precisions);
  const layersPerRun = (precision: string) => macLayers(opts.quantized?.[precision]?.net ?? net).length;
  const layerCounts = runs.map((r) => layersPerRun(r.precision));
  const bar = counter(
    'simulating',
    layerCounts.reduce((a, b) => a + b, 0),
  );
  const out: RunStudy[] = [];
  try {
    for (const { cfg, precision, name } of runs) {
      const label = `${name} ${precision}${cfg.batch ? ` batch ${cfg.batch}` : ''}`;
      const qm = opts.quantized?.[precision];
      if (qm) {
        const image = (opts.heldOut ?? heldOutDigits)(opts.image ?? 0, cfg.batch ?? 1);
        const work = workloadOf(qm.net, cfg);
        const layers = macLayers(work);
        let i = 0;
        bar.step(`${label}: ${layers[0]?.name ?? ''}`);
        const r = await simulateQuantized(qm, cfg, image, {
          onLayer: () => {
            bar.advance();
            bar.step(`${label}: ${layers[++i]?.name ?? 'done'}`);
          },
        });
        const rows = r.layers.map((c, k) => toRow(c, layers[k]!, cfg, work));
        out.push({
          ...summarise(
            name,
            label,
            cfg,
            precision,
            referenceName(cfg),
            heldOutText(opts.image ?? 0, image),
            rows,
            r.ok,
            work,
          ),
          logitsIdentical: r.logitsIdentical,
        });
      } else {
        const work = workloadOf(net, cfg);
        const layers = macLayers(work);
        const sim = await simulateNetwork(work, cfg, {
          seed: opts.seed,
          onStart: (l) => bar.step(`${label}: ${l.name}`),
          onLayer: () => bar.advance(),
        });
        const rows = sim.layers.map((c, k) => toRow(c, layers[k]!, cfg, work));
        out.push(
          summarise(
            name,
            label,
            cfg,
            precision,
            sim.reference,
            `random operands (seed ${opts.seed ?? 1})`,
            rows,
            sim.ok,
            work,
          ),
        );
      }
    }
  } finally {
    bar.done();
  }
  return { runs: out, skipped, notes };
}
