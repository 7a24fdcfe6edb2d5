/**
 * Simulates the MAC layers of a network on a systolic config: builds (or reuses) the RTL, runs each
 * layer with seeded random INT8/INT16 operands (or given ones), and checks every layer against the
 * golden model and the analytic model.
 */
import { analyzeLayer, scaleSimComparison, type CycleTerms } from '../analytic/network.js';
import type { SystolicConfig } from '../config/schema.js';
import { layerMacs, macLayers, type MacLayer, type Network } from '../nets/ir.js';
import { goldenLayer } from '../quant/golden.js';
import { randomQuantLayer, randomTensor } from '../quant/random.js';
import type { IntTensor, QuantLayer } from '../quant/tensor.js';
import { buildSystolicDesign } from '../rtl/generate.js';
import { MactileError } from '../util/errors.js';
import { ensureBuild, type Build } from './build.js';
import { compareTensors, simulateLayer } from './run-systolic.js';

export interface LayerCheck {
  name: string;
  kind: string;
  macs: number;
  gemms: number;
  rtlCycles: number;
  analyticCycles: number;
  scalesimCycles: number;
  terms: CycleTerms;
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

export interface NetworkSim {
  network: string;
  config: SystolicConfig;
  precision: 8 | 16;
  build: Build;
  layers: LayerCheck[];
  totals: { macs: number; rtlCycles: number; analyticCycles: number; scalesimCycles: number; timeUs: number; wallSeconds: number };
  ok: boolean;
}

/** Picks the MAC layers named in `names` (all when empty), with a clear error for unknown names. */
export function selectLayers(net: Network, names?: string[]): MacLayer[] {
  const all = macLayers(net);
  if (!names || names.length === 0) return all;
  const known = new Map(all.map((l) => [l.name, l]));
  return names.map((n) => {
    const l = known.get(n);
    if (!l) throw new MactileError(`--layers: ${JSON.stringify(n)} is not a MAC layer of ${net.name}; expected one of ${all.map((x) => x.name).slice(0, 12).join(', ')}${all.length > 12 ? ', ...' : ''}`);
    return l;
  });
}

/** Builds the simulator of a systolic config (cached). */
export async function buildSystolic(cfg: SystolicConfig, opts: { foldAdjust?: number } = {}): Promise<Build> {
  const d = buildSystolicDesign(cfg, opts);
  return ensureBuild({ files: d.files, top: d.top, header: d.header, driver: 'sa_driver.cpp' });
}

/** Runs one layer and checks it against the golden and analytic models. */
export async function checkLayer(build: Build, cfg: SystolicConfig, l: MacLayer, x: IntTensor, q: QuantLayer): Promise<LayerCheck & { output: IntTensor }> {
  const r = await simulateLayer(build.binary, cfg, l, x, q);
  const golden = goldenLayer(l, x, q);
  const cmp = compareTensors(r.output, golden);
  const perf = analyzeLayer(l, cfg);
  const { scalesimCycles, terms } = scaleSimComparison(l, cfg);
  const macs = layerMacs(l);
  const expected = golden.data.length;
  return {
    name: l.name,
    kind: l.kind,
    macs,
    gemms: r.gemms,
    rtlCycles: r.rtlCycles,
    analyticCycles: r.analyticCycles,
    scalesimCycles,
    terms,
    overallUtil: perf.overallUtil,
    mappingEfficiency: perf.mappingEfficiency,
    rtlUtil: (100 * r.macsCounted) / (r.rtlCycles * cfg.rows * cfg.cols),
    outputsExpected: expected,
    outputsChecked: r.outputsWritten,
    mismatches: cmp.mismatches,
    firstMismatches: cmp.first,
    bitExact: cmp.mismatches === 0 && r.outputsWritten === expected && r.repeatedWrites === 0 && r.outsideWrites === 0,
    cycleExact: r.rtlCycles === r.analyticCycles,
    countersOk: r.macsCounted === macs && r.outputsCounted === expected,
    timeUs: r.rtlCycles / cfg.clock_mhz,
    wallSeconds: r.wallSeconds,
    output: r.output,
  };
}

/** Simulates the selected MAC layers of a network with seeded random operands. */
export async function simulateNetwork(
  net: Network,
  cfg: SystolicConfig,
  opts: { layers?: string[]; seed?: number; onLayer?: (c: LayerCheck, index: number, total: number) => void; onStart?: (l: MacLayer, index: number, total: number) => void } = {},
): Promise<NetworkSim> {
  const layers = selectLayers(net, opts.layers);
  const bits = cfg.precision === 'int8' ? 8 : 16;
  const build = await buildSystolic(cfg);
  const checks: LayerCheck[] = [];
  const all = macLayers(net);
  for (const [i, l] of layers.entries()) {
    opts.onStart?.(l, i, layers.length);
    const index = all.indexOf(l);
    const seed = (opts.seed ?? 1) * 1000 + index;
    const { output: _out, ...c } = await checkLayer(build, cfg, l, randomTensor(l.inShape, bits, seed), randomQuantLayer(l, bits, seed));
    checks.push(c);
    opts.onLayer?.(c, i, layers.length);
  }
  const sum = (f: (c: LayerCheck) => number) => checks.reduce((s, c) => s + f(c), 0);
  return {
    network: net.name,
    config: cfg,
    precision: bits,
    build,
    layers: checks,
    totals: {
      macs: sum((c) => c.macs),
      rtlCycles: sum((c) => c.rtlCycles),
      analyticCycles: sum((c) => c.analyticCycles),
      scalesimCycles: sum((c) => c.scalesimCycles),
      timeUs: sum((c) => c.timeUs),
      wallSeconds: sum((c) => c.wallSeconds),
    },
    ok: checks.every((c) => c.bitExact && c.cycleExact && c.countersOk),
  };
}
