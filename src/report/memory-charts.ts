/**
 * The memory section's charts as vega-lite specifications (rendered by charts.ts's renderSvg): the cycles of
 * each layer split into compute and stalls by cause, the roofline (MACs per cycle against MACs per DRAM word,
 * log axes) and the network's cycles against the DRAM bandwidth.
 */
import type { VegaLiteSpec } from './charts.js';

const layerAxis = { labelAngle: -60, labelLimit: 120 };
const COMPUTE = 'compute';

/** Each layer's cycles as a stacked bar: compute cycles, then the stall cycles of each cause. */
export function stallBreakdownSpec(
  run: string,
  causes: string[],
  rows: { layer: string; part: string; cycles: number }[],
): VegaLiteSpec {
  const parts = [COMPUTE, ...causes.map((c) => `stall ${c}`)];
  return {
    title: `${run}: cycles per layer, compute and stalls by cause`,
    width: { step: 18 },
    height: 220,
    data: { values: rows.map((r) => ({ ...r, order: parts.indexOf(r.part) })) },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'layer', type: 'nominal', sort: null, title: 'layer', axis: layerAxis },
      y: { field: 'cycles', type: 'quantitative', title: 'cycles', stack: 'zero' },
      color: { field: 'part', type: 'nominal', title: '', scale: { domain: parts } },
      order: { field: 'order', type: 'quantitative' },
    },
  };
}

/**
 * The roofline: the bandwidth roof (bandwidth x MACs per word) up to the ridge, the compute roof beyond it,
 * and each layer as a point at its MACs per DRAM word and the MACs per cycle it achieved.
 */
export function rooflineSpec(
  run: string,
  points: { layer: string; macsPerWord: number; macsPerCycle: number }[],
  computeRoof: number,
  bandwidth: number,
): VegaLiteSpec {
  const shown = points.filter((p) => p.macsPerWord > 0 && p.macsPerCycle > 0);
  const ridge = computeRoof / bandwidth;
  const xs = [...shown.map((p) => p.macsPerWord), ridge];
  const lo = Math.min(...xs) / 2;
  const hi = Math.max(...xs) * 2;
  const roof = [
    { macsPerWord: lo, macsPerCycle: bandwidth * lo, roof: 'bandwidth roof' },
    { macsPerWord: ridge, macsPerCycle: computeRoof, roof: 'bandwidth roof' },
    { macsPerWord: ridge, macsPerCycle: computeRoof, roof: 'compute roof' },
    { macsPerWord: hi, macsPerCycle: computeRoof, roof: 'compute roof' },
  ];
  const x = { field: 'macsPerWord', type: 'quantitative', scale: { type: 'log', domain: [lo, hi] } };
  return {
    title: `${run}: roofline (${computeRoof} MACs/cycle, ${bandwidth} DRAM words/cycle)`,
    width: 320,
    height: 240,
    layer: [
      {
        data: { values: roof },
        mark: { type: 'line', strokeWidth: 2, tooltip: true },
        encoding: {
          x: { ...x, title: 'MACs per DRAM word' },
          y: { field: 'macsPerCycle', type: 'quantitative', scale: { type: 'log' }, title: 'MACs per cycle' },
          color: { field: 'roof', type: 'nominal', title: '', scale: { range: ['#e45756', '#79706e'] } },
        },
      },
      {
        data: { values: shown },
        mark: { type: 'point', filled: true, size: 60, tooltip: true, color: '#4c78a8' },
        encoding: { x, y: { field: 'macsPerCycle', type: 'quantitative' } },
      },
    ],
  };
}

/**
 * The network's cycles the analytic model predicts against the DRAM bandwidth (log axis), the memory system's
 * compute cycles (no stalls: the curve's floor) as a dotted rule, the compute-only core (`calc`, whose schedule
 * has no tiles) as a dashed rule, and the RTL's cycles at the bandwidth it ran at.
 */
export function bandwidthCurveSpec(
  run: string,
  curve: { bandwidth: number | 'calc'; analyticCycles: number; rtlCycles?: number }[],
  computeCycles: number,
): VegaLiteSpec {
  const numeric = curve.filter((p): p is typeof p & { bandwidth: number } => p.bandwidth !== 'calc');
  const ideal = curve.filter((p) => p.bandwidth === 'calc');
  const rtl = numeric.flatMap((p) => (p.rtlCycles === undefined ? [] : [{ ...p, series: 'RTL' }]));
  const series = { field: 'series', type: 'nominal', title: '', scale: { domain: ['analytic model', 'RTL'] } };
  const x = { field: 'bandwidth', type: 'quantitative', scale: { type: 'log' }, title: 'DRAM words per cycle' };
  return {
    title: [
      `${run}: network cycles against DRAM bandwidth`,
      'dotted: this memory system without stalls; dashed: the compute-only core (ideal memory, no tiles)',
    ],
    width: 320,
    height: 240,
    layer: [
      {
        data: { values: numeric.map((p) => ({ ...p, series: 'analytic model' })) },
        mark: { type: 'line', point: true, tooltip: true },
        encoding: { x, y: { field: 'analyticCycles', type: 'quantitative', title: 'network cycles' }, color: series },
      },
      {
        data: { values: ideal },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#79706e', tooltip: true },
        encoding: { y: { field: 'analyticCycles', type: 'quantitative' } },
      },
      {
        data: { values: [{ computeCycles }] },
        mark: { type: 'rule', strokeDash: [1, 3], color: '#59a14f', tooltip: true },
        encoding: { y: { field: 'computeCycles', type: 'quantitative' } },
      },
      {
        data: { values: rtl },
        mark: { type: 'point', shape: 'diamond', size: 140, filled: true, tooltip: true },
        encoding: { x, y: { field: 'rtlCycles', type: 'quantitative' }, color: series },
      },
    ],
  };
}
