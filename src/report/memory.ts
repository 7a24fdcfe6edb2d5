/**
 * The memory figures of a report run: per layer the compute cycles, stall cycles by cause and DRAM words (the
 * RTL's counters with a memory system, else the analytic model's), and for a run with a numeric DRAM bandwidth
 * the roofs of its roofline and the network's cycles the analytic model predicts at other bandwidths. Nothing
 * here predicts a number: the predictions are the kind's `predictLayer`.
 */
import type { LayerCheck, LayerPrediction } from '../accel/accelerator.js';
import { accelOf } from '../accel/registry.js';
import type { HardwareConfig } from '../config/schema.js';
import { macLayers, type Network } from '../nets/ir.js';

/** A layer's cycles split into compute and stalls by cause, and its DRAM words read and written. */
export interface LayerMemory {
  computeCycles: number;
  stallCycles: number;
  /** With a memory system only (keyed by the kind's stall causes). */
  stallsByCause?: Record<string, number>;
  dramReadWords: number;
  dramWrittenWords: number;
}

/** The layer's memory figures: the RTL's counters when it ran a memory system, else the analytic model's. */
export function layerMemory(c: LayerCheck, p: LayerPrediction): LayerMemory {
  if (c.memory) return { ...c.memory };
  return {
    computeCycles: p.computeCycles,
    stallCycles: p.stallCycles,
    ...(p.stallsByCause ? { stallsByCause: { ...p.stallsByCause } } : {}),
    dramReadWords: p.dramReadWords,
    dramWrittenWords: p.dramWrittenWords,
  };
}

/** One point of the network's cycles against DRAM bandwidth (`calc`: an ideal memory). */
export interface BandwidthPoint {
  bandwidth: number | 'calc';
  analyticCycles: number;
  /** The RTL's cycles, at the bandwidth the run was simulated at only. */
  rtlCycles?: number;
}

/** What the memory section shows of a run with a numeric DRAM bandwidth. */
export interface RunMemory {
  /** The DRAM port's words per cycle (each direction) and latency. */
  bandwidth: number;
  latency: number;
  /** The compute roof: MACs per cycle at the hardware's peak. */
  computeRoof: number;
  stallCauses: string[];
  /**
   * The analytic model's network cycles at each bandwidth of BANDWIDTHS, the run's own, and `calc` (the
   * compute-only core: an ideal memory and its own schedule, without the memory system's tiles).
   */
  curve: BandwidthPoint[];
  /** The memory system's compute cycles at the run's bandwidth: the curve's floor once no stall is left. */
  computeCycles: number;
}

/** The DRAM bandwidths (words per cycle) the network's cycles are predicted at, besides the run's own. */
export const BANDWIDTHS = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64];

/**
 * The memory figures of a run of `net` (the workload the run simulated) on `cfg`, or undefined when its DRAM
 * bandwidth is `calc`; `rtlCycles` are the run's network cycles, marked on the curve at its bandwidth.
 */
export function runMemory(cfg: HardwareConfig, net: Network, rtlCycles: number): RunMemory | undefined {
  const accel = accelOf(cfg);
  const dram = accel.dram(cfg);
  if (dram.bandwidth === 'calc') return undefined;
  const own = dram.bandwidth;
  const layers = macLayers(net);
  const cycles = (bandwidth: number | 'calc') => {
    const at = accel.withBandwidth(cfg, bandwidth);
    return layers.reduce((s, l) => s + accel.predictLayer(l, at, net).cycles, 0);
  };
  const bandwidths = [...new Set([...BANDWIDTHS, own])].sort((a, b) => a - b);
  const curve: BandwidthPoint[] = [...bandwidths, 'calc' as const].map((bandwidth) => ({
    bandwidth,
    analyticCycles: cycles(bandwidth),
    ...(bandwidth === own ? { rtlCycles } : {}),
  }));
  return {
    bandwidth: own,
    latency: dram.latency,
    computeRoof: accel.computeRoof(cfg),
    stallCauses: [...accel.stallCauses],
    curve,
    computeCycles: layers.reduce((s, l) => s + accel.predictLayer(l, cfg, net).computeCycles, 0),
  };
}
