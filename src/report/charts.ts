/**
 * Charts of the report as vega-lite specifications, rendered to SVG in Node by vega (no browser, no
 * network): accuracy per precision and calibration, cycles / utilisation / DRAM bandwidth per layer, and
 * the comparison across configs.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// vega and vega-lite 5 are CommonJS packages.
const vega = require('vega') as {
  View: new (runtime: unknown, opts: { renderer: string }) => { toSVG(): Promise<string>; finalize(): void };
  parse(spec: unknown): unknown;
};
const vegaLite = require('vega-lite') as { compile(spec: unknown): { spec: unknown } };

export type VegaLiteSpec = Record<string, unknown>;

const FONT = {
  font: 'Helvetica, Arial, sans-serif',
  labelFont: 'Helvetica, Arial, sans-serif',
  titleFont: 'Helvetica, Arial, sans-serif',
};

/** Renders a vega-lite specification to an SVG string. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = vegaLite.compile({
    config: { axis: FONT, legend: FONT, title: FONT, view: { stroke: null } },
    ...spec,
  }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Accuracy of FP32 and every quantized variant. */
export function accuracySpec(
  rows: { variant: string; precision: string; accuracy: number }[],
  fp32: number,
): VegaLiteSpec {
  const lo = Math.floor(Math.min(fp32, ...rows.map((r) => r.accuracy)) - 1);
  return {
    title: `Held-out accuracy (FP32 ${fp32.toFixed(2)} %, dashed)`,
    width: { step: 60 },
    height: 220,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'bar', tooltip: true, clip: true },
        encoding: {
          x: {
            field: 'variant',
            type: 'nominal',
            title: 'calibration / weight scales',
            axis: { labelAngle: -30, labelLimit: 160 },
          },
          xOffset: { field: 'precision' },
          y: { field: 'accuracy', type: 'quantitative', title: 'accuracy (%)', scale: { domain: [lo, 100] } },
          color: { field: 'precision', type: 'nominal', title: 'precision' },
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

/** RTL cycles beside the analytic model and the reference estimate, per layer. */
export function cyclesSpec(run: string, rows: { layer: string; series: string; cycles: number }[]): VegaLiteSpec {
  return {
    title: `${run}: cycles per layer`,
    width: { step: 14 },
    height: 220,
    data: { values: rows },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'layer', type: 'nominal', sort: null, title: 'layer', axis: { labelAngle: -60, labelLimit: 120 } },
      xOffset: { field: 'series' },
      y: { field: 'cycles', type: 'quantitative', title: 'cycles' },
      color: { field: 'series', type: 'nominal', title: '' },
    },
  };
}

/** One quantity per layer as bars. */
export function perLayerSpec(
  run: string,
  title: string,
  field: string,
  rows: Record<string, number | string>[],
  yTitle: string,
): VegaLiteSpec {
  return {
    title: `${run}: ${title}`,
    width: { step: 14 },
    height: 180,
    data: { values: rows },
    mark: { type: 'bar', tooltip: true, color: '#4c78a8' },
    encoding: {
      x: { field: 'layer', type: 'nominal', sort: null, title: 'layer', axis: { labelAngle: -60, labelLimit: 120 } },
      y: { field, type: 'quantitative', title: yTitle },
    },
  };
}

/** Execution time and utilisation across runs. */
export function comparisonSpec(rows: { run: string; timeMs: number; overallUtil: number }[]): VegaLiteSpec {
  const bar = (field: string, title: string) => ({
    width: 260,
    height: 200,
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'run', type: 'nominal', sort: null, title: '' },
      x: { field, type: 'quantitative', title },
      color: { field: 'run', type: 'nominal', legend: null },
    },
  });
  return {
    title: 'Across configs',
    data: { values: rows },
    hconcat: [bar('timeMs', 'execution time (ms)'), bar('overallUtil', 'utilisation (%)')],
  };
}
