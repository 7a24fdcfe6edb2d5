/**
 * The RTL part of the study: a stated subset of (network, config) pairs through the generated RTL with
 * seeded random operands, every layer checked bit-exact against the golden model and cycle-exact against
 * the analytic model.
 */
import type { HardwareConfig } from '../config/schema.js';
import type { Network } from '../nets/ir.js';
import { macLayers } from '../nets/ir.js';
import { counter } from '../util/progress.js';
import { simulateNetwork } from '../sim/run-network.js';
import { MactileError } from '../util/errors.js';
import type { RtlRun } from './data.js';

/** A run of the RTL subset: a network and a config. */
export interface RtlPair {
  net: Network;
  cfg: HardwareConfig;
}

/** Parses `--rtl NET@CONFIG,...` against the study's networks and configs (by name). */
export function parseRtlPairs(
  text: string,
  nets: Network[],
  configs: (name: string) => HardwareConfig | undefined,
): RtlPair[] {
  if (text.trim() === '' || text === 'none') return [];
  return text.split(',').map((item) => {
    const [netName, cfgName, more] = item.trim().split('@');
    const net = nets.find((n) => n.name === netName);
    const cfg = cfgName === undefined ? undefined : configs(cfgName);
    if (!net || !cfg || more !== undefined)
      throw new MactileError(
        `--rtl: expected NET@CONFIG with NET one of ${nets.map((n) => n.name).join(', ')} and CONFIG a config of the study (e.g. nv_small, sa-16x16-os, sa-16x16-os-dram16), received ${JSON.stringify(item)}`,
      );
    return { net, cfg };
  });
}

/** Runs each pair through the RTL (one after the other; the Verilator builds are cached). */
export async function rtlRuns(pairs: RtlPair[], opts: { seed: number }): Promise<RtlRun[]> {
  const bar = counter(
    'RTL runs',
    pairs.reduce((s, p) => s + macLayers(p.net).length, 0),
  );
  const out: RtlRun[] = [];
  try {
    for (const { net, cfg } of pairs) {
      const t0 = performance.now();
      const sim = await simulateNetwork(net, cfg, {
        seed: opts.seed,
        onStart: (l) => bar.step(`${net.name} on ${cfg.name}: ${l.name}`),
        onLayer: () => bar.advance(),
      });
      const layers = sim.layers.map((c) => {
        const modelled = c.stallsModelled ? c.analyticCycles : c.analyticComputeCycles;
        return {
          name: c.name,
          rtlCycles: c.rtlCycles,
          analyticCycles: modelled,
          difference: c.rtlCycles - modelled,
          bitExact: c.bitExact,
          cycleExact: c.cycleExact,
          outputsChecked: c.outputsChecked,
        };
      });
      out.push({
        net: net.name,
        config: cfg.name,
        kind: cfg.kind,
        precision: cfg.precision,
        operands: `random operands (seed ${opts.seed})`,
        layers,
        rtlCycles: layers.reduce((s, l) => s + l.rtlCycles, 0),
        analyticCycles: layers.reduce((s, l) => s + l.analyticCycles, 0),
        ok: sim.ok,
        wallSeconds: (performance.now() - t0) / 1000,
      });
    }
  } finally {
    bar.done();
  }
  return out;
}
