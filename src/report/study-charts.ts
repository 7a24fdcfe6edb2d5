/**
 * The charts of the study report (vega-lite, rendered to SVG by renderSvg): one colour per series across
 * every chart, full layer names on the axes, plot widths that use the page.
 */
import type { VegaLiteSpec } from './charts.js';

/** The colour of each series, the same in every chart. */
const SERIES_COLORS: Record<string, string> = {
  int8: '#4c78a8',
  int16: '#f58518',
  os: '#54a24b',
  ws: '#e45756',
  is: '#72b7b2',
  'SCALE-Sim': '#9d755d',
  compute: '#6b6ecf',
  stall: '#bcbd22',
  RTL: '#17becf',
  layer: '#4c78a8',
  nv_small: '#b279a2',
  nv_full_int8: '#ff9da6',
  nv_full_int16: '#eeca3b',
  'NVDLA spreadsheet': '#9d755d',
  MAC: '#4c78a8',
  register: '#72b7b2',
  SRAM: '#54a24b',
  DRAM: '#e45756',
  'DRAM, high end': '#ff9d98',
};

/** Plot width that fills the report's panel. */
const WIDTH = 1100;

/** A colour encoding over the given series, with the study's colours. */
function colour(field: string, series: string[], title = ''): Record<string, unknown> {
  const fallback = ['#bab0ac', '#79706e', '#d67195', '#439894'];
  return {
    field,
    type: 'nominal',
    title,
    scale: { domain: series, range: series.map((s, i) => SERIES_COLORS[s] ?? fallback[i % fallback.length]) },
  };
}

const layerAxis = { labelLimit: 0, title: null };

/** Accuracy of every variant of one model, coloured by precision, FP32 as a dashed rule. */
export function accuracyChart(
  net: string,
  rows: { variant: string; precision: string; accuracy: number }[],
  fp32: number,
): VegaLiteSpec {
  const lo = Math.floor(Math.min(fp32, ...rows.map((r) => r.accuracy)) - 1);
  return {
    title: `${net}: held-out accuracy per calibration and weight scales (FP32 ${fp32.toFixed(2)} %, dashed)`,
    width: WIDTH / 2,
    height: 220,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'bar', tooltip: true, clip: true },
        encoding: {
          x: { field: 'variant', type: 'nominal', title: 'calibration / weight scales', axis: { labelLimit: 0 } },
          xOffset: { field: 'precision' },
          y: { field: 'accuracy', type: 'quantitative', title: 'accuracy (%)', scale: { domain: [lo, 100] } },
          color: colour('precision', ['int8', 'int16'], 'precision'),
        },
      },
      {
        data: { values: [{ fp32 }] },
        mark: { type: 'rule', color: 'black', strokeDash: [4, 3] },
        encoding: { y: { field: 'fp32', type: 'quantitative' } },
      },
    ],
  };
}

/** Execution time per layer, stacked by compute and stall, one bar per layer (full names). */
export function stackedTimeChart(
  title: string,
  rows: { layer: string; part: 'compute' | 'stall'; us: number }[],
): VegaLiteSpec {
  const layers = new Set(rows.map((r) => r.layer)).size;
  return {
    title,
    width: WIDTH - 300,
    height: { step: layers > 40 ? 11 : 18 },
    data: { values: rows },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'layer', type: 'nominal', sort: null, axis: layerAxis },
      x: { field: 'us', type: 'quantitative', stack: 'zero', title: 'execution time (µs)' },
      color: colour('part', ['compute', 'stall']),
    },
  };
}

/** One quantity against the array size, a line per series (dataflow), on log axes. */
export function sizeChart(
  title: string,
  rows: { size: number; series: string; value: number }[],
  yTitle: string,
  log: boolean,
): VegaLiteSpec {
  const series = [...new Set(rows.map((r) => r.series))];
  return {
    title,
    width: WIDTH / 2 - 60,
    height: 240,
    data: { values: rows },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'size', type: 'quantitative', title: 'array rows = columns', scale: { type: 'log', base: 2 } },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: log ? { type: 'log' } : {} },
      color: colour('series', series),
    },
  };
}

/** A quantity per layer for several series side by side (layer on the vertical axis, full names). */
export function groupedLayerChart(
  title: string,
  rows: { layer: string; series: string; value: number }[],
  xTitle: string,
): VegaLiteSpec {
  const series = [...new Set(rows.map((r) => r.series))];
  const layers = new Set(rows.map((r) => r.layer)).size;
  return {
    title,
    width: WIDTH - 300,
    // With an offset, the step is the height of one bar of the group.
    height: { step: layers > 40 ? 3 : 8 },
    data: { values: rows },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'layer', type: 'nominal', sort: null, axis: layerAxis },
      yOffset: { field: 'series', sort: series },
      x: { field: 'value', type: 'quantitative', title: xTitle },
      color: colour('series', series),
    },
  };
}

/** RTL minus analytic cycles per layer of each RTL run, as points (0 everywhere when they agree). */
export function differenceChart(rows: { label: string; run: string; difference: number }[]): VegaLiteSpec {
  const runs = [...new Set(rows.map((r) => r.run))];
  return {
    title: 'RTL minus analytic cycles, per layer of each RTL run',
    width: WIDTH - 300,
    height: { step: 14 },
    data: { values: rows },
    mark: { type: 'point', filled: true, tooltip: true },
    encoding: {
      y: { field: 'run', type: 'nominal', sort: runs, axis: layerAxis },
      x: { field: 'difference', type: 'quantitative', title: 'RTL − analytic (cycles)' },
      color: { value: SERIES_COLORS.RTL },
    },
  };
}

/**
 * The roofline of an array at a DRAM bandwidth: attainable GOPS = min(peak, bandwidth x intensity) as a line,
 * each layer as a point at its arithmetic intensity (operations per DRAM byte) and achieved GOPS.
 */
export function rooflineChart(
  title: string,
  points: { layer: string; intensity: number; gops: number }[],
  peakGops: number,
  gbps: number,
): VegaLiteSpec {
  const xs = points.map((p) => p.intensity).filter((v) => v > 0);
  const lo = Math.min(...xs, peakGops / gbps) / 4;
  const hi = Math.max(...xs, peakGops / gbps) * 4;
  const roof = Array.from({ length: 41 }, (_, i) => {
    const intensity = lo * (hi / lo) ** (i / 40);
    return { intensity, gops: Math.min(peakGops, gbps * intensity) };
  });
  return {
    title,
    width: WIDTH / 2 - 60,
    height: 260,
    layer: [
      {
        data: { values: roof },
        mark: { type: 'line', color: '#79706e', strokeDash: [4, 3] },
        encoding: {
          x: { field: 'intensity', type: 'quantitative', scale: { type: 'log' }, title: 'operations per DRAM byte' },
          y: { field: 'gops', type: 'quantitative', scale: { type: 'log' }, title: 'GOPS' },
        },
      },
      {
        data: { values: points.filter((p) => p.intensity > 0 && p.gops > 0) },
        mark: { type: 'point', filled: true, tooltip: true, color: SERIES_COLORS.layer },
        encoding: {
          x: { field: 'intensity', type: 'quantitative' },
          y: { field: 'gops', type: 'quantitative' },
        },
      },
    ],
  };
}

/** The components of an energy breakdown, in stacking order ("DRAM, high end": what the table's range adds). */
export const ENERGY_PARTS = ['MAC', 'register', 'SRAM', 'DRAM', 'DRAM, high end'] as const;

/** Energy per layer stacked by component, one bar per layer and table (full layer names, the table beside). */
export function energyBreakdownChart(
  title: string,
  rows: { bar: string; part: (typeof ENERGY_PARTS)[number]; order: number; nj: number }[],
): VegaLiteSpec {
  const bars = new Set(rows.map((r) => r.bar)).size;
  return {
    title,
    width: WIDTH - 400,
    height: { step: bars > 40 ? 11 : 16 },
    data: { values: rows },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'bar', type: 'nominal', sort: null, axis: layerAxis },
      x: { field: 'nj', type: 'quantitative', stack: 'zero', title: 'energy (nJ per inference)' },
      color: colour('part', [...ENERGY_PARTS]),
      order: { field: 'order', type: 'quantitative' },
    },
  };
}
