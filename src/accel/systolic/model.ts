/**
 * Whole-network analysis on a systolic array: per-layer figures and totals, in mactile's own model
 * (true RTL cycles, padding-aware traffic) or in SCALE-Sim compatibility mode.
 */
import type { LayerPrediction, NetworkAnalysis } from '../accelerator.js';
import { systolicDerived, type SystolicConfig } from './config.js';
import { dataflowOf } from './dataflows/index.js';
import { memFmap } from './fmap.js';
import { MEM_READ_LATENCY, OUTPUT_LATENCY, foldInterval, foldStarts, gemmCycles } from './timing.js';
import { checkExactFigures, macLayers, shownKind, type MacLayer, type Network } from '../../nets/ir.js';
import { expandDepthwise, exportRows, type ScaleSimRow } from '../../nets/scalesim-csv.js';
import { layerGemm, mapGemm, rowGemm, type Gemm } from './gemm.js';
import { scaleSimMemory, type OperandTrace, type SramWindow } from '../../analytic/scalesim-memory.js';
import { arrayOf, gemmPerf, type GemmPerf } from './perf.js';
import { memGemmSchedule, memTiles, memTiling } from './memory.js';

export type ModelFlavour = 'mactile' | 'scalesim';

/** Figures of one layer (the common prediction plus the array's own). Percentages are 0-100; bandwidths are words per cycle. */
export interface LayerPerf extends LayerPrediction {
  m: number;
  k: number;
  n: number;
  /** GEMMs the layer runs (channel groups; SCALE-Sim: channels of a DP row). */
  gemms: number;
  rowFolds: number;
  colFolds: number;
  folds: number;
  computeUtil: number;
  sramIfmapReads: number;
  sramFilterReads: number;
  sramOfmapWrites: number;
  sramOfmapReads: number;
  dramIfmapWords: number;
  dramFilterWords: number;
  dramOfmapWords: number;
  dramIfmapBw: number;
  dramFilterBw: number;
  dramOfmapBw: number;
  /** Memory system only (numeric DRAM bandwidth): tiles per GEMM and the stall cycles by cause. */
  tiles?: number;
  stallIfmapCycles?: number;
  stallFilterCycles?: number;
  stallOfmapCycles?: number;
  /** SCALE-Sim mode only: the per-simulated-layer detail (DP rows split per channel). */
  scalesimParts?: ScaleSimPart[];
}

/** The memory system's stall causes (docs/MEMORY.md, "The tile schedule"): the keys of `stallsByCause`. */
export const SYSTOLIC_STALL_CAUSES = ['IFMAP', 'FILTER', 'OFMAP'] as const;

/** One layer as SCALE-Sim simulates and reports it (a DP row becomes one part per channel). */
export interface ScaleSimPart {
  name: string;
  perf: GemmPerf;
  cycles: number;
  stallCycles: number;
  dram: { ifmap: OperandTrace; filter: OperandTrace; ofmap: OperandTrace };
  /** First and last SRAM access cycle per operand (DETAILED_ACCESS_REPORT). */
  sram: { ifmap: SramWindow; filter: SramWindow; ofmap: SramWindow };
  /** Overall Util %, Mapping Efficiency %, Compute Util % as SCALE-Sim's floats (COMPUTE_REPORT). */
  figures: { overallUtil: number; mappingEfficiency: number; computeUtil: number };
}

export interface NetworkPerf extends NetworkAnalysis<LayerPerf> {
  config: SystolicConfig;
  model: ModelFlavour;
  totals: NetworkAnalysis['totals'] & { overallUtil: number; mappingEfficiency: number };
}

const pct = (x: number) => 100 * x;

function finishLayer(
  base: Pick<LayerPerf, 'name' | 'kind' | 'm' | 'k' | 'n' | 'gemms'>,
  perfs: GemmPerf[],
  cycles: number,
  stalls: number,
  dram: { ifmap: number; filter: number; ofmap: number },
  bwWindows: { ifmap: number; filter: number; ofmap: number },
  cfg: SystolicConfig,
  computeUtilOverride?: number,
  stallsModelled = true,
): LayerPerf {
  const sum = (f: (p: GemmPerf) => number) => perfs.reduce((s, p) => s + f(p), 0);
  const folds = sum((p) => p.map.folds * p.gemm.count);
  const macs = sum((p) => p.macs);
  const pes = cfg.rows * cfg.cols;
  const sramIfmapReads = sum((p) => p.sram.ifmapReads);
  const sramFilterReads = sum((p) => p.sram.filterReads);
  const sramOfmapReads = sum((p) => p.sram.ofmapReads);
  const sramOfmapWrites = sum((p) => p.sram.ofmapWrites);
  const layer: LayerPerf = {
    ...base,
    macs,
    computeCycles: cycles - stalls,
    // mactile's model: the RTL has no stalls (calc) or its memory system stalls as predicted (docs/MEMORY.md).
    stallsModelled,
    rowFolds: perfs[0]!.map.rowFolds,
    colFolds: perfs[0]!.map.colFolds,
    folds,
    cycles,
    stallCycles: stalls,
    overallUtil: pct(macs / (cycles * pes)),
    mappingEfficiency: pct(sum((p) => p.mappedFolds) / folds),
    computeUtil: computeUtilOverride ?? pct(macs / ((cycles - stalls) * pes)),
    sramIfmapReads,
    sramFilterReads,
    sramOfmapWrites,
    sramOfmapReads,
    sramReads: sramIfmapReads + sramFilterReads + sramOfmapReads,
    sramWrites: sramOfmapWrites,
    dramWords: dram.ifmap + dram.filter + dram.ofmap,
    dramReadWords: dram.ifmap + dram.filter,
    dramWrittenWords: dram.ofmap,
    dramIfmapWords: dram.ifmap,
    dramFilterWords: dram.filter,
    dramOfmapWords: dram.ofmap,
    dramIfmapBw: bwWindows.ifmap > 0 ? dram.ifmap / bwWindows.ifmap : 0,
    dramFilterBw: bwWindows.filter > 0 ? dram.filter / bwWindows.filter : 0,
    dramOfmapBw: bwWindows.ofmap > 0 ? dram.ofmap / bwWindows.ofmap : 0,
    timeUs: cycles / cfg.clock_mhz,
  };
  checkExactFigures(`layer ${base.name} on ${cfg.name}`, layer);
  return layer;
}

/** mactile's model of a layer on the memory system (numeric DRAM bandwidth): the tile event model of memory.ts. */
function analyzeMemLayer(l: MacLayer, cfg: SystolicConfig): LayerPerf {
  const g = layerGemm(l);
  const a = arrayOf(cfg);
  const fm = memFmap(l, cfg);
  const s = memGemmSchedule(g, cfg, l.name, false, fm);
  const tiling = memTiling(g, cfg, l.name, fm);
  // The figures of the tiles' GEMMs (folds, MACs, mapping, SRAM accesses), each run once per channel group;
  // tiles of one size share them (at most four sizes: the edge tiles along M and N).
  const sizes = new Map<string, Gemm>();
  for (const t of memTiles(g, tiling)) {
    const key = `${t.mc}x${t.nc}`;
    const same = sizes.get(key);
    if (same) same.count += g.count;
    else sizes.set(key, { m: t.mc, k: g.k, n: t.nc, count: g.count });
  }
  const perfs = [...sizes.values()].map((sub) => gemmPerf(sub, a, { compat: false, timing: cfg.timing }));
  const times = (x: number) => x * g.count;
  const cycles = times(s.cycles);
  const stalls = times(s.stallIfmap + s.stallFilter + s.stallOfmap);
  const dram = { ifmap: times(s.dramIfmap), filter: times(s.dramFilter), ofmap: times(s.dramOfmap) };
  const whole = mapGemm(g, cfg.rows, cfg.cols, a.df);
  const layer = finishLayer(
    { name: l.name, kind: shownKind(l), m: g.m, k: g.k, n: g.n, gemms: g.count },
    perfs,
    cycles,
    stalls,
    dram,
    { ifmap: cycles, filter: cycles, ofmap: cycles },
    cfg,
  );
  return {
    ...layer,
    rowFolds: whole.rowFolds,
    colFolds: whole.colFolds,
    tiles: s.tiles,
    stallIfmapCycles: times(s.stallIfmap),
    stallFilterCycles: times(s.stallFilter),
    stallOfmapCycles: times(s.stallOfmap),
    stallsByCause: { IFMAP: times(s.stallIfmap), FILTER: times(s.stallFilter), OFMAP: times(s.stallOfmap) },
  };
}

/** mactile's own model of one MAC layer. */
export function analyzeLayer(l: MacLayer, cfg: SystolicConfig): LayerPerf {
  if (cfg.dram.bandwidth !== 'calc') return analyzeMemLayer(l, cfg);
  const g = layerGemm(l);
  const a = arrayOf(cfg);
  const perf = gemmPerf(g, a, { compat: false, timing: cfg.timing });
  const { sramWords, accWords } = systolicDerived(cfg);
  const image = l.kind === 'fc' ? g.k : l.inShape.h * l.inShape.w * (l.inShape.c / l.groups);
  const ifmapUnique = (l.batch ?? 1) * image;
  const d = a.df.dramWords(g, perf.map, cfg.cols, ifmapUnique, sramWords, accWords);
  const dram = { ifmap: d.ifmapWords * g.count, filter: d.filterWords * g.count, ofmap: d.ofmapWords * g.count };
  const compute = perf.cycles;
  const stalls = 0;
  const cycles = compute + stalls;
  return finishLayer(
    { name: l.name, kind: shownKind(l), m: g.m, k: g.k, n: g.n, gemms: g.count },
    [perf],
    cycles,
    stalls,
    dram,
    { ifmap: cycles, filter: cycles, ofmap: cycles },
    cfg,
  );
}

/** SCALE-Sim v2's figures for one topology row (a DP row is simulated as one layer per channel). */
export function analyzeRowScaleSim(row: ScaleSimRow, cfg: SystolicConfig, kind: string): LayerPerf {
  const a = arrayOf(cfg);
  const parts: ScaleSimPart[] = expandDepthwise([row]).map((r) => {
    const perf = gemmPerf(rowGemm(r), a, { compat: true, timing: 'scalesim' });
    const mem = scaleSimMemory(r, perf, cfg);
    return {
      name: r.name,
      perf,
      // SCALE-Sim's Total Cycles: the stalls before its last demand row (in USER mode) added to the compute cycles.
      cycles: mem.totalCycles,
      stallCycles: mem.stallCycles,
      dram: { ifmap: mem.ifmap, filter: mem.filter, ofmap: mem.ofmap },
      sram: mem.sram,
      figures: { overallUtil: mem.overallUtil, mappingEfficiency: mem.mappingEfficiency, computeUtil: mem.computeUtil },
    };
  });
  const sum = (f: (p: ScaleSimPart) => number) => parts.reduce((s, p) => s + f(p), 0);
  const cycles = sum((p) => p.cycles);
  const g = parts[0]!.perf.gemm;
  const window = (t: OperandTrace) => (t.words > 0 ? t.stop - t.start + 1 : 0);
  const computeUtil = pct(sum((p) => p.perf.computeFolds) / sum((p) => p.perf.map.folds));
  const layer = finishLayer(
    { name: row.name, kind, m: g.m, k: g.k, n: g.n, gemms: parts.length },
    parts.map((p) => p.perf),
    cycles,
    sum((p) => p.stallCycles),
    {
      ifmap: sum((p) => p.dram.ifmap.words),
      filter: sum((p) => p.dram.filter.words),
      ofmap: sum((p) => p.dram.ofmap.words),
    },
    {
      ifmap: sum((p) => window(p.dram.ifmap)),
      filter: sum((p) => window(p.dram.filter)),
      ofmap: sum((p) => window(p.dram.ofmap)),
    },
    cfg,
    computeUtil,
    // SCALE-Sim's USER-mode stalls are its estimate; no RTL stalls the same way.
    cfg.dram.bandwidth === 'calc',
  );
  // The parts of a DP row are identical layers, so the first part's figures are the row's, bit for bit.
  const exact = parts[0]!.figures;
  return {
    ...layer,
    overallUtil: exact.overallUtil,
    mappingEfficiency: exact.mappingEfficiency,
    computeUtil: exact.computeUtil,
    scalesimParts: parts,
  };
}

/** Analyses every MAC layer of a network on a systolic config, in the chosen flavour (`onLayer` before each). */
export function analyzeNetwork(
  net: Network & { scalesimRows?: ScaleSimRow[] },
  cfg: SystolicConfig,
  model: ModelFlavour = 'mactile',
  onLayer: (index: number, total: number, name: string) => void = () => {},
): NetworkPerf {
  let layers: LayerPerf[];
  if (model === 'scalesim') {
    const rows = net.scalesimRows ?? exportRows(net);
    const kinds = new Map(macLayers(net).map((l) => [l.name, shownKind(l)]));
    layers = rows.map((r, i) => {
      onLayer(i, rows.length, r.name);
      return analyzeRowScaleSim(r, cfg, kinds.get(r.name) ?? (r.name.includes('DP') ? 'dwconv' : 'conv'));
    });
  } else {
    const all = macLayers(net);
    layers = all.map((l, i) => {
      onLayer(i, all.length, l.name);
      return analyzeLayer(l, cfg);
    });
  }
  const sum = (f: (l: LayerPerf) => number) => layers.reduce((s, l) => s + f(l), 0);
  const cycles = sum((l) => l.cycles);
  const folds = sum((l) => l.folds);
  const macs = sum((l) => l.macs);
  const perf: NetworkPerf = {
    network: net.name,
    config: cfg,
    model,
    layers,
    totals: {
      macs,
      cycles,
      computeCycles: sum((l) => l.computeCycles),
      stallCycles: sum((l) => l.stallCycles),
      overallUtil: pct(macs / (cycles * cfg.rows * cfg.cols)),
      mappingEfficiency: folds > 0 ? sum((l) => l.mappingEfficiency * l.folds) / folds : 0,
      dramWords: sum((l) => l.dramIfmapWords + l.dramFilterWords + l.dramOfmapWords),
      timeUs: cycles / cfg.clock_mhz,
    },
  };
  checkExactFigures(`network ${net.name} on ${cfg.name}, all layers`, perf.totals);
  return perf;
}

/** The terms between SCALE-Sim v2's cycles and the RTL's for one layer (their sum is RTL - SCALE-Sim). */
export interface CycleTerms {
  /** SCALE-Sim reports the 0-based index of its last cycle: one less per simulated layer. */
  offByOne: number;
  /** Operand read latency and output pipeline (read-out, requantization, write), once per GEMM. */
  pipelineLatency: number;
  /** Cycles saved by overlapping folds (pipelined timing; negative or zero). */
  foldOverlap: number;
}

/**
 * SCALE-Sim v2's total cycles of one MAC layer (each channel group a separate simulated layer, as its DP
 * split does) and the named terms from them to the RTL's cycles.
 */
export function scaleSimComparison(l: MacLayer, cfg: SystolicConfig): { scalesimCycles: number; terms: CycleTerms } {
  const g = layerGemm(l);
  const perf = gemmPerf({ ...g, count: 1 }, arrayOf(cfg), { compat: true, timing: 'scalesim' });
  const df = dataflowOf(cfg.dataflow);
  const d = df.foldLength(cfg.rows, cfg.cols, perf.map.t);
  const saved = (perf.map.folds - 1) * (d - foldInterval(cfg.timing, df, cfg.rows, cfg.cols, perf.map.t));
  return {
    scalesimCycles: perf.cycles * g.count,
    terms: {
      offByOne: g.count,
      pipelineLatency: g.count * (MEM_READ_LATENCY + OUTPUT_LATENCY),
      foldOverlap: -saved * g.count,
    },
  };
}

/** What the model predicts for each GEMM of a layer as the RTL runs it: its cycles and its fold starts. */
export interface GemmSchedule {
  cycles: number;
  folds: number;
  foldStarts: number[];
}

/** The per-GEMM schedule of a layer (one GEMM per channel group), from the same formulas as `analyzeLayer`. */
export function layerSchedule(l: MacLayer, cfg: SystolicConfig): GemmSchedule[] {
  const g = layerGemm(l);
  const df = dataflowOf(cfg.dataflow);
  const map = mapGemm(g, cfg.rows, cfg.cols, df);
  const one: GemmSchedule = {
    cycles: gemmCycles(cfg.timing, df, cfg.rows, cfg.cols, map.t, map.folds),
    folds: map.folds,
    foldStarts: foldStarts(cfg.timing, df, cfg.rows, cfg.cols, map.t, map.folds),
  };
  return Array.from({ length: g.count }, () => one);
}
