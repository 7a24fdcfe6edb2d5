/** Whole-network analysis on an NVDLA-style core: the exact cycle model and NVDLA's estimator per layer. */
import { cellsOf } from '../config/describe.js';
import type { NvdlaConfig } from '../config/schema.js';
import { layerMacs, macLayers, type Network } from '../nets/ir.js';
import { nvdlaLayerEstimate } from './nvdla-estimator.js';
import { planNvdlaLayer } from './nvdla-plan.js';
import { nvConvCycles, nvConvTraffic } from './nvdla.js';

export interface NvLayerPerf {
  name: string;
  kind: string;
  macs: number;
  convs: number;
  issueCycles: number;
  cycles: number;
  estimatorCycles: number;
  overallUtil: number;
  mappingEfficiency: number;
  featureReads: number;
  weightReads: number;
  outputWrites: number;
  dramWords: number;
  timeUs: number;
  notes: string[];
}

/** The exact model and the estimator for every MAC layer of a network. */
export function analyzeNvdlaNetwork(net: Network, cfg: NvdlaConfig): { layers: NvLayerPerf[]; totals: { macs: number; cycles: number; estimatorCycles: number; timeUs: number } } {
  const cells = cellsOf(cfg);
  const layers = macLayers(net).map((l) => {
    const plan = planNvdlaLayer(l, cfg);
    const models = plan.convs.map((c) => nvConvCycles(c, cfg));
    const traffic = plan.convs.map((c, i) => nvConvTraffic(c, cfg, models[i]));
    const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);
    const macs = layerMacs(l);
    const cycles = sum(models, (m) => m.total);
    const issue = sum(models, (m) => m.issue);
    return {
      name: l.name, kind: l.kind, macs, convs: plan.convs.length, issueCycles: issue, cycles,
      estimatorCycles: nvdlaLayerEstimate(l, cfg, net).cycles,
      overallUtil: (100 * macs) / (cycles * cells), mappingEfficiency: (100 * macs) / (issue * cells),
      featureReads: sum(traffic, (t) => t.featureReads), weightReads: sum(traffic, (t) => t.weightReads),
      outputWrites: sum(traffic, (t) => t.outputWrites), dramWords: sum(traffic, (t) => t.dramWords),
      timeUs: cycles / cfg.clock_mhz, notes: plan.notes,
    };
  });
  const sum = (f: (l: NvLayerPerf) => number) => layers.reduce((s, l) => s + f(l), 0);
  return { layers, totals: { macs: sum((l) => l.macs), cycles: sum((l) => l.cycles), estimatorCycles: sum((l) => l.estimatorCycles), timeUs: sum((l) => l.timeUs) } };
}
