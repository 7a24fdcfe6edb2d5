/** Speed of the golden integer executor: INT8 LeNet-5 on the 2,000 held-out digits. */
import { loadOnnxModel } from '../src/nets/onnx-import.js';
import { argmax } from '../src/quant/evaluate.js';
import { runQuant } from '../src/quant/int-exec.js';
import { calibrationDigits, mnistSplit } from '../src/quant/mnist.js';
import { collectStats, quantizeModel } from '../src/quant/quantize.js';

/** Times INT8 and INT16 inference of every held-out digit with the golden executor. */
export function quantSpeed(model = 'models/lenet5.onnx'): string[] {
  const m = loadOnnxModel(model);
  const stats = collectStats(
    m,
    calibrationDigits(500).map((d) => d.pixels),
  );
  const test = mnistSplit().test;
  const lines = ['| model | precision | digits | accuracy % | seconds |', '|---|---|---|---|---|'];
  for (const bits of [8, 16] as const) {
    const qm = quantizeModel(m, stats, { bits, calibration: 'mse', granularity: 'channel', symmetric: true });
    const t = performance.now();
    let ok = 0;
    for (const d of test) if (argmax(runQuant(qm, d.pixels).output) === d.label) ok++;
    lines.push(
      `| ${model} | INT${bits} | ${test.length} | ${((100 * ok) / test.length).toFixed(2)} | ${((performance.now() - t) / 1000).toFixed(2)} |`,
    );
  }
  return lines;
}
