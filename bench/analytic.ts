/** Speed of the analytic model on the whole of EfficientNet-B0 (every depthwise channel a GEMM). */
import { validateConfig } from '../src/config/load.js';
import type { SystolicConfig } from '../src/config/schema.js';
import { analyzeNetwork } from '../src/accel/systolic/model.js';
import { efficientnetB0 } from '../src/nets/zoo/index.js';

/** Times the analytic model, both flavours, on EfficientNet-B0 at 8x8 and 32x32 (best of 5 runs). */
export function analyticSpeed(): string[] {
  const lines = [
    '| network | array | model | GEMMs | total cycles | first run (ms) | best of 5 (ms) |',
    '|---|---|---|---|---|---|---|',
  ];
  const net = efficientnetB0();
  for (const n of [8, 32]) {
    for (const model of ['mactile', 'scalesim'] as const) {
      const cfg = validateConfig(
        { kind: 'systolic', rows: n, cols: n, dataflow: 'os' },
        `bench-${n}`,
      ) as SystolicConfig;
      let best = Infinity;
      const t0 = performance.now();
      let result = analyzeNetwork(net, cfg, model);
      const first = performance.now() - t0;
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        result = analyzeNetwork(net, cfg, model);
        best = Math.min(best, performance.now() - t);
      }
      const gemms = result.layers.reduce((s, l) => s + l.gemms, 0);
      lines.push(
        `| EfficientNet-B0 | ${n}x${n} os | ${model} | ${gemms.toLocaleString('en-US')} | ${result.totals.cycles.toLocaleString('en-US')} | ${first.toFixed(1)} | ${best.toFixed(1)} |`,
      );
    }
  }
  return lines;
}
