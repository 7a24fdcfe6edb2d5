/**
 * Per-image CPU time of the golden integer executor (INT8, INT16) beside onnxruntime-node FP32 on one thread,
 * on LeNet-5 and the EfficientNet-style model: runs alternate (ort, INT8, INT16, ort, ...), the median of
 * several is reported: `node dist/bench/run.js golden [ROUNDS]`.
 */
import * as ort from 'onnxruntime-node';
import { loadOnnxModel } from '../src/nets/onnx-import.js';
import { runQuant } from '../src/quant/int-exec.js';
import { calibrationDigits, mnistSplit } from '../src/quant/mnist.js';
import { collectStats, quantizeModel } from '../src/quant/quantize.js';

/** CPU milliseconds (user + system) of one call. */
async function cpuMs(f: () => Promise<void> | void): Promise<number> {
  const u = process.cpuUsage();
  await f();
  const d = process.cpuUsage(u);
  return (d.user + d.system) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Markdown rows: per-image CPU ms of ort FP32, golden INT8 and golden INT16, and their ratios. */
export async function goldenSpeed(rounds = 5, models = ['models/lenet5.onnx', 'models/efficientnet_b0_mnist.onnx']) {
  const lines = [
    '| model | digits per run | ort FP32 (ms/image) | golden INT8 (ms/image) | golden INT16 (ms/image) | INT8 / ort | INT16 / INT8 |',
    '|---|---|---|---|---|---|---|',
  ];
  const test = mnistSplit().test;
  for (const file of models) {
    const m = loadOnnxModel(file);
    const stats = collectStats(
      m,
      calibrationDigits(100).map((d) => d.pixels),
    );
    const q = ([8, 16] as const).map((bits) =>
      quantizeModel(m, stats, { bits, calibration: 'minmax', granularity: 'channel', symmetric: true }),
    );
    const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const macs = m.net.layers.length;
    // Enough digits per run for about 0.5 s of the slowest variant at today's speed.
    const n = Math.min(test.length, macs > 50 ? 40 : 400);
    const digits = test.filter((_, i) => i % Math.floor(test.length / n) === 0).slice(0, n);
    const tensors = digits.map((d) => new ort.Tensor('float32', d.pixels, [1, 1, 32, 32]));
    const runs: Record<'ort' | 'int8' | 'int16', number[]> = { ort: [], int8: [], int16: [] };
    const ortRun = async () => {
      for (const t of tensors) await session.run({ [session.inputNames[0]!]: t });
    };
    const gold = (qm: (typeof q)[number]) => () => {
      for (const d of digits) runQuant(qm, d.pixels);
    };
    await ortRun(); // warm-up
    gold(q[0]!)();
    gold(q[1]!)();
    for (let r = 0; r < rounds; r++) {
      runs.ort.push((await cpuMs(ortRun)) / n);
      runs.int8.push((await cpuMs(gold(q[0]!))) / n);
      runs.int16.push((await cpuMs(gold(q[1]!))) / n);
    }
    const [o, a, b] = [median(runs.ort), median(runs.int8), median(runs.int16)];
    lines.push(
      `| ${file} | ${n} | ${o.toFixed(3)} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${(a / o).toFixed(1)} | ${(b / a).toFixed(2)} |`,
    );
    process.stderr.write(lines.at(-1) + '\n');
  }
  return lines;
}
