/**
 * The exact model of the systolic memory system (docs/MEMORY.md): the tiling that fits the scratchpads, the
 * DRAM port's burst timing and an event model at tile granularity that predicts, per GEMM, the cycles of the
 * generated `mt_sa_mem_top` (compute, stalls by cause), its DRAM words and scratchpad accesses, and its fold
 * starts. Part of the analytic model: it imports nothing from the generator, planner, runner, src/rtl or src/sim.
 */
import type { Timing } from '../../config/schema.js';
import { DoesNotFitError } from '../../util/errors.js';
import { blockBursts, burstCycles, dramPort } from '../dram.js';
import { systolicDerived, type SystolicConfig } from './config.js';
import { dataflowOf, type DataflowStrategy } from './dataflows/index.js';
import { half } from './dataflows/dataflow.js';
import { mapGemm, type Gemm } from './gemm.js';
import { foldStarts, gemmCycles } from './timing.js';
import { fmapBlock, fmapTileM, maxBlockWords, type FmapGeometry } from './fmap.js';

const ceilDiv = (a: number, b: number) => Math.floor((a + b - 1) / b);

/** The tiles of a GEMM: at most mt x nt outputs each, full K; N-tiles outermost. */
export interface MemTiling {
  mt: number;
  nt: number;
  mTiles: number;
  nTiles: number;
}

const align = (x: number, a: number) => (x >= a ? x - (x % a) : x);

/** Output entries a half of the OFMAP scratchpad holds (ws/is: each with its partial sum). */
export function ofmapEntries(cfg: SystolicConfig, df: DataflowStrategy): number {
  const { sramWords, accWords } = systolicDerived(cfg);
  return df.stationary ? Math.floor(half(sramWords.ofmap) / (1 + accWords)) : half(sramWords.ofmap);
}

/**
 * The tiling of a GEMM that fits the scratchpads (docs/MEMORY.md), or a one-line error naming the key; with a
 * feature-map geometry `fm` (layout nhwc) the M-tile is the largest whose every block of input rows fits.
 */
export function memTiling(g: Gemm, cfg: SystolicConfig, layer: string, fm?: FmapGeometry): MemTiling {
  const df = dataflowOf(cfg.dataflow);
  const { sramWords, operandBits } = systolicDerived(cfg);
  const bytes = operandBits / 8;
  const tooSmall = (key: string, words: number, kb: number) =>
    new DoesNotFitError(
      `layer ${layer} on ${cfg.name} cannot fit its scratchpads: key '${key}' needs at least ${Math.ceil((2 * words * bytes) / 1024)} kB (${words} words in each half of the double buffer), received ${kb}`,
    );
  const hi = half(sramWords.ifmap);
  const hf = half(sramWords.filter);
  const e = ofmapEntries(cfg, df);
  if (!fm && g.k > hi) throw tooSmall('sram.ifmap_kb', g.k, cfg.sram.ifmap_kb);
  if (g.k > hf) throw tooSmall('sram.filter_kb', g.k, cfg.sram.filter_kb);
  if (e < 1) throw tooSmall('sram.ofmap_kb', half(sramWords.ofmap) + 1, cfg.sram.ofmap_kb);
  const mAlign = df.name === 'os' ? cfg.rows : df.name === 'is' ? cfg.cols : 1;
  const nAlign = df.name === 'is' ? 1 : cfg.cols;
  const fit = (upper: number) => (fm ? fmapTileM(fm, g.m, upper, mAlign, hi) : align(upper, mAlign));
  let mt = fm ? fit(g.m) : Math.min(g.m, Math.floor(hi / g.k));
  if (mt === 0) throw tooSmall('sram.ifmap_kb', maxBlockWords(fm!, g.m, 1), cfg.sram.ifmap_kb);
  let nt = Math.min(g.n, Math.floor(hf / g.k));
  if (mt * nt > e) nt = Math.max(1, Math.min(nt, Math.floor(e / mt)));
  if (mt * nt > e) mt = Math.floor(e / nt);
  mt = fit(mt);
  nt = align(nt, nAlign);
  return { mt, nt, mTiles: ceilDiv(g.m, mt), nTiles: ceilDiv(g.n, nt) };
}

/** One tile of a GEMM: its output range. */
export interface MemTile {
  m0: number;
  mc: number;
  n0: number;
  nc: number;
}

/** The tiles in the order the RTL runs them (N-tile outermost). */
export function memTiles(g: Gemm, t: MemTiling): MemTile[] {
  const tiles: MemTile[] = [];
  for (let ni = 0; ni < t.nTiles; ni++) {
    for (let mi = 0; mi < t.mTiles; mi++) {
      const m0 = mi * t.mt;
      const n0 = ni * t.nt;
      tiles.push({ m0, mc: Math.min(t.mt, g.m - m0), n0, nc: Math.min(t.nt, g.n - n0) });
    }
  }
  return tiles;
}

/** The blocks of a tile as DRAM sees them (rows x columns of the operand matrices, their strides). */
function tileBlocks(
  df: DataflowStrategy,
  g: Gemm,
  t: MemTile,
): { ifmap: [number, number, number]; filter: [number, number, number]; ofmap: [number, number, number] } {
  const { k, m, n } = g;
  if (df.name === 'os') return { ifmap: [t.mc, k, k], filter: [t.nc, k, k], ofmap: [t.nc, t.mc, m] };
  if (df.name === 'ws') return { ifmap: [k, t.mc, m], filter: [t.nc, k, k], ofmap: [t.nc, t.mc, m] };
  return { ifmap: [t.mc, k, k], filter: [k, t.nc, n], ofmap: [t.mc, t.nc, n] };
}

/** What the model predicts for one GEMM on the memory system. */
export interface MemGemmSchedule {
  cycles: number;
  compute: number;
  stallIfmap: number;
  stallFilter: number;
  stallOfmap: number;
  dramIfmap: number;
  dramFilter: number;
  dramOfmap: number;
  sramIfmapReads: number;
  sramFilterReads: number;
  sramOfmapReads: number;
  sramOfmapWrites: number;
  macs: number;
  folds: number;
  /** The cycle counter's value at every fold pulse. */
  foldStarts: number[];
  tiles: number;
}

/** The figures of a tile's GEMM on the array (tiles of the same size share them). */
interface TileFigures {
  cc: number;
  folds: number;
  starts: number[];
  sram: { ifmapReads: number; filterReads: number; ofmapReads: number; ofmapWrites: number };
}

/**
 * The event model of one GEMM on the memory system (docs/MEMORY.md, "The tile schedule"). `foldStarts` lists
 * every fold start only when `withFoldStarts` (the runner checks them; the analysis needs the totals only); `fm`:
 * the layer's feature-map geometry when the IFMAP scratchpad holds NHWC rows (`memFmap`).
 */
export function memGemmSchedule(
  g: Gemm,
  cfg: SystolicConfig,
  layer: string,
  withFoldStarts = false,
  fm?: FmapGeometry,
): MemGemmSchedule {
  const df = dataflowOf(cfg.dataflow);
  const port = dramPort(cfg.dram);
  const lat = port.latency;
  const tiling = memTiling(g, cfg, layer, fm);
  const tiles = memTiles(g, tiling);
  const timing: Timing = cfg.timing;
  const s: MemGemmSchedule = {
    cycles: 0,
    compute: 0,
    stallIfmap: 0,
    stallFilter: 0,
    stallOfmap: 0,
    dramIfmap: 0,
    dramFilter: 0,
    dramOfmap: 0,
    sramIfmapReads: 0,
    sramFilterReads: 0,
    sramOfmapReads: 0,
    sramOfmapWrites: 0,
    macs: 0,
    folds: 0,
    foldStarts: [],
    tiles: tiles.length,
  };
  const compEnd: number[] = [];
  const drainEnd: number[] = [];
  let rdFree = 1;
  let wrFree = 1;
  let readyA = 0;
  let readyW = 0;
  let loadsA = 0;
  let loadsW = 0;
  const blockCycles = ([nr, ncl, stride]: [number, number, number]) => {
    const b = blockBursts(nr, ncl, stride);
    return b.bursts * burstCycles(b.words, port);
  };
  const figures = new Map<number, TileFigures>();
  const tileFigures = (mc: number, nc: number): TileFigures => {
    const key = mc * (g.n + 1) + nc;
    let f = figures.get(key);
    if (!f) {
      const sub: Gemm = { m: mc, k: g.k, n: nc, count: 1 };
      const map = mapGemm(sub, cfg.rows, cfg.cols, df);
      f = {
        cc: gemmCycles(timing, df, cfg.rows, cfg.cols, map.t, map.folds),
        folds: map.folds,
        starts: withFoldStarts ? foldStarts(timing, df, cfg.rows, cfg.cols, map.t, map.folds) : [],
        sram: df.sramAccesses(sub, map, cfg.rows, cfg.cols, false),
      };
      figures.set(key, f);
    }
    return f;
  };
  // A load starts once the read engine is free and its half is: returns the cycle from which the block is usable.
  const load = (free: number, block: [number, number, number]) => {
    const a = Math.max(rdFree, free);
    const e = a + lat + blockCycles(block);
    rdFree = e + 1;
    return e + 1;
  };
  tiles.forEach((t, i) => {
    const blocks = tileBlocks(df, g, t);
    const mi = i % tiling.mTiles;
    if (i === 0 || tiling.mTiles > 1) {
      // IFMAP block j (= tile i here) reuses the half of block j - 2, free once tile j - 2 has computed.
      const free = loadsA >= 2 ? compEnd[loadsA - 2]! + 1 : 1;
      // Layout nhwc: the tile's input rows, one burst (docs/MEMORY.md, stage 2).
      const words = fm ? fmapBlock(fm, t.m0, t.mc).words : t.mc * g.k;
      readyA = load(free, fm ? [1, words, words] : blocks.ifmap);
      s.dramIfmap += words;
      loadsA++;
    }
    if (mi === 0) {
      // FILTER block j serves N-tile j; block j - 2's last tile is ((j - 1) x mTiles) - 1.
      const free = loadsW >= 2 ? compEnd[(loadsW - 1) * tiling.mTiles - 1]! + 1 : 1;
      readyW = load(free, blocks.filter);
      s.dramFilter += t.nc * g.k;
      loadsW++;
    }
    const gapStart = i === 0 ? 1 : compEnd[i - 1]! + 1;
    const oFree = i >= 2 ? drainEnd[i - 2]! + 1 : 1;
    const start = Math.max(gapStart, readyA, readyW, oFree);
    s.stallIfmap += Math.max(0, Math.min(readyA, start) - gapStart);
    s.stallFilter += Math.max(0, Math.min(readyW, start) - Math.max(readyA, gapStart));
    s.stallOfmap += start - Math.max(gapStart, readyA, readyW);
    const { cc, folds, starts, sram } = tileFigures(t.mc, t.nc);
    for (const f of starts) s.foldStarts.push(start + f);
    compEnd.push(start + cc);
    s.compute += cc + 1;
    s.folds += folds;
    s.macs += t.mc * g.k * t.nc;
    s.sramIfmapReads += sram.ifmapReads;
    s.sramFilterReads += sram.filterReads;
    s.sramOfmapReads += sram.ofmapReads;
    s.sramOfmapWrites += sram.ofmapWrites;
    const d = Math.max(start + cc + 1, wrFree);
    drainEnd.push(d + blockCycles(blocks.ofmap));
    wrFree = drainEnd[i]! + 1;
    s.dramOfmap += t.mc * t.nc;
  });
  s.cycles = drainEnd[tiles.length - 1]! + 1 + lat;
  s.stallOfmap += s.cycles - compEnd[tiles.length - 1]!;
  return s;
}
