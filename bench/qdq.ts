/**
 * Agreement of onnxruntime-node with the golden executor on exported quantized models (requant mode ort,
 * min/max per-channel, symmetric and asymmetric activations, 100 calibration digits) over the 2,000 held-out
 * digits: equal output tensors, equal values, the largest difference in LSB, equal classes; and the CPU time
 * of each side: `node dist/bench/run.js qdq`.
 */
import * as ort from 'onnxruntime-node';
import { loadOnnxModel } from '../src/nets/onnx-import.js';
import { argmax } from '../src/quant/evaluate.js';
import { runQuant } from '../src/quant/int-exec.js';
import { calibrationDigits, mnistSplit } from '../src/quant/mnist.js';
import { exportQdqOnnx } from '../src/quant/onnx-export.js';
import { collectStats, quantizeModel } from '../src/quant/quantize.js';

const cpuMs = (u: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(u);
  return (d.user + d.system) / 1000;
};

/** Markdown rows, one per model and activation scheme. */
export async function qdqAgreement(
  models = ['models/lenet5.onnx', 'models/alexnet_mnist.onnx', 'models/efficientnet_b0_mnist.onnx'],
): Promise<string[]> {
  const lines = [
    '| model | activations | equal output tensors | equal values | largest difference (LSB) | equal classes | ort CPU s | golden CPU s |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const test = mnistSplit().test;
  const px = new Float32Array(test.length * 1024);
  test.forEach((d, i) => px.set(d.pixels, i * 1024));
  for (const file of models) {
    const m = loadOnnxModel(file);
    const stats = collectStats(
      m,
      calibrationDigits(100).map((d) => d.pixels),
    );
    for (const symmetric of [true, false]) {
      const qm = quantizeModel(m, stats, {
        bits: 8,
        calibration: 'minmax',
        granularity: 'channel',
        symmetric,
        requant: 'ort',
      });
      let u = process.cpuUsage();
      const s = await ort.InferenceSession.create(exportQdqOnnx(qm), { intraOpNumThreads: 1, interOpNumThreads: 1 });
      const name = s.outputNames.find((n) => n.endsWith('_q'))!;
      const theirs: Int8Array[] = [];
      for (let b = 0; b < test.length; b += 100) {
        const x = new ort.Tensor('float32', px.slice(b * 1024, (b + 100) * 1024), [100, 1, 32, 32]);
        const y = (await s.run({ [s.inputNames[0]!]: x }))[name]!.data as Int8Array;
        for (let i = 0; i < 100; i++) theirs.push(y.subarray(i * 10, (i + 1) * 10));
      }
      const ortS = cpuMs(u) / 1000;
      u = process.cpuUsage();
      let [tensors, values, lsb, classes] = [0, 0, 0, 0];
      test.forEach((d, i) => {
        const r = runQuant(qm, d.pixels);
        const ours = r.tensors.get(r.outputName)!.data;
        let same = true;
        ours.forEach((v, j) => {
          const diff = Math.abs(v - theirs[i]![j]!);
          if (diff === 0) values++;
          else same = false;
          lsb = Math.max(lsb, diff);
        });
        if (same) tensors++;
        if (argmax(ours) === argmax(theirs[i]!)) classes++;
      });
      const goldenS = cpuMs(u) / 1000;
      lines.push(
        `| ${file.replace(/^.*\//, '')} | ${symmetric ? 'symmetric' : 'asymmetric'} | ${tensors} / ${test.length} | ${values} / ${test.length * 10} | ${lsb} | ${classes} / ${test.length} | ${ortS.toFixed(1)} | ${goldenS.toFixed(1)} |`,
      );
    }
  }
  return lines;
}
