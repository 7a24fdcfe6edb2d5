/**
 * One MAC layer through the RTL of either accelerator kind, checked against the golden model (every
 * output, bit for bit, written exactly once) and the analytic model (cycle-exact), with the reference
 * estimate beside it (SCALE-Sim v2 for systolic arrays, NVDLA's own estimator for NVDLA-style cores).
 */
import { analyzeLayer, scaleSimComparison, type CycleTerms } from '../analytic/network.js';
import { nvdlaLayerEstimate } from '../analytic/nvdla-estimator.js';
import { planNvdlaLayer } from '../analytic/nvdla-plan.js';
import { nvConvCycles } from '../analytic/nvdla.js';
import { cellsOf } from '../config/describe.js';
import type { HardwareConfig, NvdlaConfig, SystolicConfig } from '../config/schema.js';
import { layerMacs, type MacLayer, type Network } from '../nets/ir.js';
import { goldenLayer, goldenNvdlaLayer } from '../quant/golden.js';
import type { IntTensor, QuantLayer } from '../quant/tensor.js';
import type { Build } from './build.js';
import { simulateNvLayer } from './run-nvdla.js';
import { compareTensors, simulateLayer, type LayerSimResult } from './run-systolic.js';

export interface LayerCheck {
  name: string;
  kind: string;
  macs: number;
  /** GEMMs (systolic) or convolutions (NVDLA-style) the layer ran as. */
  gemms: number;
  rtlCycles: number;
  analyticCycles: number;
  /** The reference tool's estimate: SCALE-Sim v2 (systolic) or NVDLA's performance estimator. */
  referenceCycles: number;
  /** Systolic only: the named terms from SCALE-Sim's cycles to the RTL's. */
  terms?: CycleTerms;
  /** Systolic only: folds the RTL started, and how many started off the model's schedule (must be 0). */
  foldsStarted?: number;
  foldsOffSchedule?: number;
  /** NVDLA-style only: issue slots counted by the RTL and by the exact model, and the planner's notes. */
  issueSlots?: number;
  issueSlotsPredicted?: number;
  notes?: string[];
  overallUtil: number;
  mappingEfficiency: number;
  /** Utilisation measured from the RTL's MAC counter. */
  rtlUtil: number;
  outputsExpected: number;
  outputsChecked: number;
  mismatches: number;
  firstMismatches: string[];
  bitExact: boolean;
  cycleExact: boolean;
  countersOk: boolean;
  timeUs: number;
  wallSeconds: number;
}

function common(l: MacLayer, cfg: HardwareConfig, r: LayerSimResult, golden: IntTensor) {
  const cmp = compareTensors(r.output, golden);
  const macs = layerMacs(l);
  const expected = golden.data.length;
  return {
    name: l.name,
    kind: l.kind,
    macs,
    gemms: r.gemms,
    rtlCycles: r.rtlCycles,
    analyticCycles: r.analyticCycles,
    rtlUtil: (100 * r.macsCounted) / (r.rtlCycles * cellsOf(cfg)),
    outputsExpected: expected,
    outputsChecked: r.outputsWritten,
    mismatches: cmp.mismatches,
    firstMismatches: cmp.first,
    bitExact: cmp.mismatches === 0 && r.outputsWritten === expected && r.repeatedWrites === 0 && r.outsideWrites === 0,
    cycleExact: r.rtlCycles === r.analyticCycles,
    countersOk: r.macsCounted === macs && r.outputsCounted === expected,
    timeUs: r.rtlCycles / cfg.clock_mhz,
    wallSeconds: r.wallSeconds,
  };
}

async function checkSystolic(build: Build, cfg: SystolicConfig, l: MacLayer, x: IntTensor, q: QuantLayer) {
  const r = await simulateLayer(build.binary, cfg, l, x, q);
  const perf = analyzeLayer(l, cfg);
  const { scalesimCycles, terms } = scaleSimComparison(l, cfg);
  const base = common(l, cfg, r, goldenLayer(l, x, q));
  const check: LayerCheck = {
    ...base,
    countersOk: base.countersOk && r.foldsOffSchedule === 0,
    foldsStarted: r.foldsStarted,
    foldsOffSchedule: r.foldsOffSchedule,
    referenceCycles: scalesimCycles,
    terms,
    overallUtil: perf.overallUtil,
    mappingEfficiency: perf.mappingEfficiency,
  };
  return { check, output: r.output };
}

async function checkNvdla(build: Build, cfg: NvdlaConfig, l: MacLayer, x: IntTensor, q: QuantLayer, net?: Network) {
  const r = await simulateNvLayer(build.binary, cfg, l, x, q);
  const plan = planNvdlaLayer(l, cfg);
  const slots = plan.convs.reduce((s, c) => s + nvConvCycles(c, cfg).issue, 0);
  const base = common(l, cfg, r, goldenNvdlaLayer(l, x, q));
  const check: LayerCheck = {
    ...base,
    referenceCycles: nvdlaLayerEstimate(l, cfg, net).cycles,
    issueSlots: r.slotsCounted,
    issueSlotsPredicted: r.slotsPredicted,
    notes: r.notes,
    countersOk: base.countersOk && r.slotsCounted === r.slotsPredicted,
    overallUtil: (100 * base.macs) / (r.analyticCycles * cellsOf(cfg)),
    mappingEfficiency: (100 * base.macs) / (slots * cellsOf(cfg)),
  };
  return { check, output: r.output };
}

/** Runs one layer on the build of a config and checks it (`net` gives the NVDLA estimator its fused pooling). */
export async function checkLayer(build: Build, cfg: HardwareConfig, l: MacLayer, x: IntTensor, q: QuantLayer, net?: Network): Promise<{ check: LayerCheck; output: IntTensor }> {
  return cfg.kind === 'systolic' ? checkSystolic(build, cfg, l, x, q) : checkNvdla(build, cfg, l, x, q, net);
}
