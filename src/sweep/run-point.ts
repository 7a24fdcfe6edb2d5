/** Runs one sweep point: the analytic model, or every MAC layer through the RTL; area with yosys on request. */
import { analyzeNetwork } from '../analytic/network.js';
import { cellsOf } from '../config/describe.js';
import type { SystolicConfig } from '../config/schema.js';
import { loadNetwork } from '../nets/load.js';
import { buildDesign } from '../rtl/generate.js';
import { verilatorVersionLine } from '../sim/build.js';
import { simulateNetwork } from '../sim/run-network.js';
import { synthesize } from '../synth/yosys.js';
import type { PointResult, PointRow } from './db.js';

/** Computes a point's results (throws on failure; the caller records it). */
export async function runPoint(row: PointRow, opts: { area: boolean }): Promise<PointResult> {
  const t0 = performance.now();
  const cfg = JSON.parse(row.config) as SystolicConfig;
  const net = loadNetwork(row.net);
  const tools: Record<string, string> = { node: process.version };
  let result: Omit<PointResult, 'areaCells' | 'tools' | 'seconds'>;
  if (row.level === 'analytic') {
    const p = analyzeNetwork(net, cfg);
    result = {
      cycles: p.totals.cycles, analyticCycles: p.totals.cycles, macs: p.totals.macs, timeUs: p.totals.timeUs, util: p.totals.overallUtil,
      mappingEfficiency: p.totals.mappingEfficiency, dramWords: p.totals.dramWords, bitExact: null, cycleExact: null,
      layers: p.layers.map((l) => ({ name: l.name, kind: l.kind, macs: l.macs, cycles: l.cycles, analyticCycles: l.cycles, util: l.overallUtil, mappingEfficiency: l.mappingEfficiency, dramWords: l.dramIfmapWords + l.dramFilterWords + l.dramOfmapWords, bitExact: null })),
    };
  } else {
    tools.verilator = await verilatorVersionLine();
    const sim = await simulateNetwork(net, cfg);
    const analytic = analyzeNetwork(net, cfg);
    const dram = new Map(analytic.layers.map((l) => [l.name, l.dramIfmapWords + l.dramFilterWords + l.dramOfmapWords]));
    result = {
      cycles: sim.totals.rtlCycles, analyticCycles: sim.totals.analyticCycles, macs: sim.totals.macs, timeUs: sim.totals.timeUs,
      util: (100 * sim.totals.macs) / (sim.totals.rtlCycles * cellsOf(cfg)), mappingEfficiency: analytic.totals.mappingEfficiency,
      dramWords: analytic.totals.dramWords, bitExact: sim.layers.every((l) => l.bitExact), cycleExact: sim.layers.every((l) => l.cycleExact),
      layers: sim.layers.map((l) => ({ name: l.name, kind: l.kind, macs: l.macs, cycles: l.rtlCycles, analyticCycles: l.analyticCycles, util: l.rtlUtil, mappingEfficiency: l.mappingEfficiency, dramWords: dram.get(l.name) ?? 0, bitExact: l.bitExact })),
    };
  }
  let areaCells: number | null = null;
  if (opts.area) {
    const s = await synthesize(buildDesign(cfg), 'generic');
    areaCells = s.cells;
    tools.yosys = s.yosys;
  }
  return { ...result, areaCells, tools, seconds: (performance.now() - t0) / 1000 };
}
