/** Runs one sweep point: the analytic model, or every MAC layer through the RTL; area with yosys on request. */
import { accelOf } from '../accel/registry.js';
import { validateConfig } from '../config/load.js';
import { workloadOf } from '../nets/batch.js';
import { loadNetwork } from '../nets/load.js';
import { verilatorVersionLine } from '../sim/build.js';
import { simulateNetwork } from '../sim/run-network.js';
import { synthesize } from '../synth/yosys.js';
import type { LayerPrediction, NetworkAnalysis } from '../accel/accelerator.js';
import type { PointResult, PointRow } from './db.js';

/** Computes a point's results (throws on failure; the caller records it). */
export async function runPoint(row: PointRow, opts: { area: boolean }): Promise<PointResult> {
  const t0 = performance.now();
  const { source, ...stored } = JSON.parse(row.config) as { source?: string };
  const cfg = validateConfig(stored, source ?? `sweep point ${row.key}`);
  const accel = accelOf(cfg);
  // A base config's `batch` applies to the point's network, at both levels.
  const net = workloadOf(loadNetwork(row.net), cfg);
  const tools: Record<string, string> = { node: process.version };
  let result: Omit<PointResult, 'areaCells' | 'tools' | 'seconds'>;
  if (row.level === 'analytic') {
    const p = accel.analyzeNetwork(net, cfg);
    result = {
      cycles: p.totals.cycles,
      analyticCycles: p.totals.cycles,
      macs: p.totals.macs,
      timeUs: p.totals.timeUs,
      util: (100 * p.totals.macs) / (p.totals.cycles * accel.cells(cfg)),
      mappingEfficiency: networkMapping(p),
      dramWords: p.totals.dramWords,
      bitExact: null,
      cycleExact: null,
      layers: p.layers.map((l) => ({
        name: l.name,
        kind: l.kind,
        macs: l.macs,
        cycles: l.cycles,
        analyticCycles: l.cycles,
        util: l.overallUtil,
        mappingEfficiency: l.mappingEfficiency,
        dramWords: l.dramWords,
        bitExact: null,
      })),
    };
  } else {
    tools.verilator = await verilatorVersionLine();
    const sim = await simulateNetwork(net, cfg);
    const analytic = accel.analyzeNetwork(net, cfg);
    const dram = new Map(analytic.layers.map((l) => [l.name, l.dramWords]));
    result = {
      cycles: sim.totals.rtlCycles,
      analyticCycles: sim.totals.analyticCycles,
      macs: sim.totals.macs,
      timeUs: sim.totals.timeUs,
      util: (100 * sim.totals.macs) / (sim.totals.rtlCycles * accel.cells(cfg)),
      mappingEfficiency: networkMapping(analytic),
      dramWords: analytic.totals.dramWords,
      bitExact: sim.layers.every((l) => l.bitExact),
      cycleExact: sim.layers.every((l) => l.cycleExact),
      layers: sim.layers.map((l) => ({
        name: l.name,
        kind: l.kind,
        macs: l.macs,
        cycles: l.rtlCycles,
        analyticCycles: l.analyticCycles,
        util: l.rtlUtil,
        mappingEfficiency: l.mappingEfficiency,
        dramWords: dram.get(l.name) ?? 0,
        bitExact: l.bitExact,
      })),
    };
  }
  let areaCells: number | null = null;
  if (opts.area) {
    const s = await synthesize(accel.design(cfg), 'generic');
    areaCells = s.cells;
    tools.yosys = s.yosys;
  }
  return { ...result, areaCells, tools, seconds: (performance.now() - t0) / 1000 };
}

/** Mapping efficiency of a network: the model's own total where it has one, else MACs over mapped capacity. */
function networkMapping(a: NetworkAnalysis): number {
  const own = (a.totals as { mappingEfficiency?: number }).mappingEfficiency;
  return own ?? meanMapping(a.layers);
}

function meanMapping(layers: LayerPrediction[]): number {
  // Weighted by the mapped capacity each layer uses (MACs / efficiency), so the mean is total MACs / total capacity.
  const capacity = layers.reduce((s, l) => s + (l.mappingEfficiency > 0 ? l.macs / l.mappingEfficiency : 0), 0);
  return capacity > 0 ? layers.reduce((s, l) => s + l.macs, 0) / capacity : 0;
}
