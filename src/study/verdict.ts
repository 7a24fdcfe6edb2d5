/**
 * The bottleneck of a layer, in words: memory-bound (DRAM stalls are at least half its cycles), mapping-bound
 * (the layer's GEMM fills under half of the array, or its folds are so short that filling and draining the
 * array takes over half the time) or compute-bound, with the reason in the layer's numbers.
 */
import { dataflowOf } from '../accel/systolic/dataflows/index.js';
import type { Dataflow } from '../config/schema.js';
import type { AnalyticRun, LayerFigures } from './data.js';

export type Bound = 'compute' | 'memory' | 'mapping';

export interface Verdict {
  layer: string;
  bound: Bound;
  /** e.g. "fc6: 6.25 % utilisation because M = 1 fills 1 of 16 rows". */
  text: string;
}

const pct = (v: number) => `${v.toFixed(2)} %`;

/** Which GEMM dimension each side of the array holds under a dataflow, and which one a fold streams ("M", "K", "N"). */
function arraySides(dataflow: Dataflow): { rows: string; cols: string; time: string } {
  // Distinct probe values tell the dimensions apart.
  const probe = { m: 2, k: 3, n: 5, count: 1 };
  const name = (v: number) => (v === 2 ? 'M' : v === 3 ? 'K' : 'N');
  const { sr, sc, t } = dataflowOf(dataflow).onArray(probe);
  return { rows: name(sr), cols: name(sc), time: name(t) };
}

/** Why a systolic layer's folds leave the array idle in time: the operands each fold streams. */
function foldReason(l: LayerFigures, size: number, dataflow: Dataflow): string {
  const dims: Record<string, number | undefined> = { M: l.m, K: l.k, N: l.n };
  const t = arraySides(dataflow).time;
  return `each fold streams only ${t} = ${dims[t]} operands, so filling and draining the ${size}x${size} array dominates (${pct(l.mappingEfficiency)} mapping efficiency)`;
}

/** Why a systolic layer's GEMM leaves cells idle: the dimension on each side that does not fill it. */
function mappingReason(l: LayerFigures, size: number, dataflow: Dataflow): string {
  const dims: Record<string, number | undefined> = { M: l.m, K: l.k, N: l.n };
  const sides = arraySides(dataflow);
  const parts: string[] = [];
  for (const [side, dim] of [
    ['rows', sides.rows],
    ['columns', sides.cols],
  ] as const) {
    const v = dims[dim];
    if (v === undefined) continue;
    if (v < size) parts.push(`${dim} = ${v} fills ${v} of ${size} ${side}`);
    else if (v % size !== 0) parts.push(`${dim} = ${v} leaves its last fold ${v % size} of ${size} ${side}`);
  }
  return parts.length ? parts.join(' and ') : `its GEMM (M = ${l.m}, K = ${l.k}, N = ${l.n}) maps unevenly`;
}

/**
 * The verdict of each layer of a run. `withDram` is the same run with a DRAM port (its stalls decide
 * memory-boundness); systolic runs name the dimension that leaves the array idle.
 */
export function verdicts(run: AnalyticRun, withDram?: AnalyticRun): Verdict[] {
  return run.layers.map((l, i) => {
    const mem = withDram?.layers[i] ?? l;
    const stallShare = mem.cycles > 0 ? mem.stallCycles / mem.cycles : 0;
    if (stallShare >= 0.5)
      return {
        layer: l.name,
        bound: 'memory',
        text: `${l.name}: memory-bound, ${pct(100 * stallShare)} of its cycles wait for DRAM (${mem.dramBytes.toLocaleString('en-US')} bytes)`,
      };
    if (l.mappingEfficiency < 50) {
      const short = l.overallUtil < 0.5 * l.mappingEfficiency;
      const why =
        run.size !== undefined && run.dataflow !== undefined
          ? `${mappingReason(l, run.size, run.dataflow as Dataflow)}${short ? `, and ${foldReason(l, run.size, run.dataflow as Dataflow)}` : ''}`
          : `only ${pct(l.mappingEfficiency)} of the MAC cells hold work (${l.kind})`;
      return {
        layer: l.name,
        bound: 'mapping',
        text: `${l.name}: ${pct(l.overallUtil)} utilisation because ${why}`,
      };
    }
    if (l.overallUtil < 0.5 * l.mappingEfficiency && run.size !== undefined && run.dataflow !== undefined)
      return {
        layer: l.name,
        bound: 'mapping',
        text: `${l.name}: ${pct(l.overallUtil)} utilisation because ${foldReason(l, run.size, run.dataflow as Dataflow)}`,
      };
    return {
      layer: l.name,
      bound: 'compute',
      text: `${l.name}: compute-bound, ${pct(l.overallUtil)} utilisation at ${pct(l.mappingEfficiency)} mapping efficiency`,
    };
  });
}
