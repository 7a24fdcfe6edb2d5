/** Whole-network analysis on an NVDLA-style core: the exact cycle model and NVDLA's estimator per layer. */
import type { LayerPrediction, NetworkAnalysis } from '../accelerator.js';
import type { NvdlaConfig } from './config.js';
import { checkExactFigures, layerMacs, macLayers, shownKind, type MacLayer, type Network } from '../../nets/ir.js';
import { estimatorAssumptions, estimatorSettings, nvdlaLayerEstimate, type EstimatorSettings } from './estimator.js';
import { planNvdlaLayer } from './layer-plan.js';
import { nvMemSchedule, type NvMemSchedule } from './memory.js';
import { nvConvCycles, nvConvTraffic, type NvConv } from './model.js';

/** The memory system's stall causes (docs/MEMORY.md, "NVDLA-style core"): the keys of `stallsByCause`. */
export const NVDLA_STALL_CAUSES = ['feature', 'weight', 'output'] as const;

/** The exact model's figures of one layer (the common prediction plus the core's own). */
export interface NvLayerPerf extends LayerPrediction {
  convs: number;
  issueCycles: number;
  estimatorCycles: number;
  featureReads: number;
  weightReads: number;
  outputWrites: number;
  /** Memory system only (numeric DRAM bandwidth): stall cycles by cause and DRAM words by operand. */
  memory?: { stallFeature: number; stallWeight: number; stallOutput: number; dramRead: number; dramWritten: number };
  notes: string[];
}

/** The exact model of one MAC layer (`net` gives the estimator its fused pooling). */
export function analyzeNvdlaLayer(l: MacLayer, cfg: NvdlaConfig, net?: Network): NvLayerPerf {
  const cells = cfg.atomic_c * cfg.atomic_k;
  const plan = planNvdlaLayer(l, cfg);
  const models = plan.convs.map((c) => nvConvCycles(c, cfg));
  const traffic = plan.convs.map((c, i) => nvConvTraffic(c, cfg, models[i]));
  const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);
  const macs = layerMacs(l);
  const cycles = sum(models, (m) => m.total);
  const issue = sum(models, (m) => m.issue);
  const featureReads = sum(traffic, (t) => t.featureReads);
  const weightReads = sum(traffic, (t) => t.weightReads);
  const outputWrites = sum(traffic, (t) => t.outputWrites);
  const perf: NvLayerPerf = {
    name: l.name,
    kind: shownKind(l),
    macs,
    convs: plan.convs.length,
    issueCycles: issue,
    // The input DMA term is part of the RTL's cycles; the core has no other memory stalls yet.
    computeCycles: cycles,
    stallCycles: 0,
    cycles,
    stallsModelled: true,
    estimatorCycles: nvdlaLayerEstimate(l, cfg, net).cycles,
    overallUtil: (100 * macs) / (cycles * cells),
    mappingEfficiency: (100 * macs) / (issue * cells),
    featureReads,
    weightReads,
    outputWrites,
    sramReads: featureReads + weightReads,
    sramWrites: outputWrites,
    dramWords: sum(traffic, (t) => t.dramWords),
    dramReadWords: sum(traffic, (t) => t.dramRead),
    dramWrittenWords: sum(traffic, (t) => t.dramWritten),
    timeUs: cycles / cfg.clock_mhz,
    notes: plan.notes,
  };
  if (cfg.dram.bandwidth !== 'calc') withMemory(perf, l, cfg, plan.convs);
  checkExactFigures(`layer ${l.name} on ${cfg.name}`, perf);
  return perf;
}

/** Replaces the compute-only cycles and DRAM words with the memory system's event model (memory.ts). */
function withMemory(perf: NvLayerPerf, l: MacLayer, cfg: NvdlaConfig, convs: NvConv[]): void {
  const ss = convs.map((c) => nvMemSchedule(c, cfg, l.name));
  const sum = (f: (s: NvMemSchedule) => number) => ss.reduce((t, s) => t + f(s), 0);
  const cells = cfg.atomic_c * cfg.atomic_k;
  perf.cycles = sum((s) => s.cycles);
  perf.computeCycles = sum((s) => s.compute);
  perf.stallCycles = perf.cycles - perf.computeCycles;
  perf.memory = {
    stallFeature: sum((s) => s.stallFeature),
    stallWeight: sum((s) => s.stallWeight),
    stallOutput: sum((s) => s.stallOutput),
    dramRead: sum((s) => s.dramFeature + s.dramWeight),
    dramWritten: sum((s) => s.dramOutput),
  };
  perf.dramWords = perf.memory.dramRead + perf.memory.dramWritten;
  perf.dramReadWords = perf.memory.dramRead;
  perf.dramWrittenWords = perf.memory.dramWritten;
  perf.stallsByCause = {
    feature: perf.memory.stallFeature,
    weight: perf.memory.stallWeight,
    output: perf.memory.stallOutput,
  };
  perf.overallUtil = (100 * perf.macs) / (perf.cycles * cells);
  perf.timeUs = perf.cycles / cfg.clock_mhz;
  perf.notes.push(
    `memory system: ${ss.reduce((t, s) => t + s.chunks, 0)} weight chunk(s) over ${ss.length} convolution(s)`,
  );
}

/** A network on the core: the exact model per layer, and NVDLA's estimator with its settings and assumptions. */
export type NvNetworkAnalysis = NetworkAnalysis<NvLayerPerf> & {
  totals: { estimatorCycles: number };
  estimator: { settings: EstimatorSettings; assumptions: string[] };
};

/** The exact model and the estimator for every MAC layer of a network. */
export function analyzeNvdlaNetwork(net: Network, cfg: NvdlaConfig): NvNetworkAnalysis {
  const layers = macLayers(net).map((l) => analyzeNvdlaLayer(l, cfg, net));
  const sum = (f: (l: NvLayerPerf) => number) => layers.reduce((s, l) => s + f(l), 0);
  const analysis: NvNetworkAnalysis = {
    network: net.name,
    model: 'nvdla-exact',
    layers,
    totals: {
      macs: sum((l) => l.macs),
      cycles: sum((l) => l.cycles),
      computeCycles: sum((l) => l.computeCycles),
      stallCycles: sum((l) => l.stallCycles),
      dramWords: sum((l) => l.dramWords),
      estimatorCycles: sum((l) => l.estimatorCycles),
      timeUs: sum((l) => l.timeUs),
    },
    estimator: { settings: estimatorSettings(cfg), assumptions: estimatorAssumptions(estimatorSettings(cfg)) },
  };
  checkExactFigures(`network ${net.name} on ${cfg.name}, all layers`, analysis.totals);
  return analysis;
}
