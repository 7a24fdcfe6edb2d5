/**
 * Accuracy of a float model and of its quantized versions on labelled inputs, and the per-layer SQNR of
 * each quantized version (signal: the float layer output; noise: float minus dequantized integer output,
 * summed over all inputs).
 */
import type { FloatModel } from '../nets/ir.js';
import { isMacLayer } from '../nets/ir.js';
import { outputOf, runFloat } from './float-exec.js';
import { dequantize, runQuant } from './int-exec.js';
import type { QuantModel } from './quantize.js';

export interface Labelled {
  pixels: Float32Array;
  label: number;
}

export interface LayerSqnr {
  name: string;
  kind: string;
  sqnrDb: number;
}

export interface QuantAccuracy {
  accuracy: number;
  correct: number;
  layers: LayerSqnr[];
}

/** Index of the largest value. */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

/** FP32 accuracy and, for each quantized model, its accuracy and per-layer SQNR, in percent and dB. */
export function evaluateModels(
  model: FloatModel,
  quantized: QuantModel[],
  data: Labelled[],
): { fp32: number; quantized: QuantAccuracy[] } {
  let fpCorrect = 0;
  const correct = quantized.map(() => 0);
  const macs = model.net.layers.filter(isMacLayer);
  const signal = quantized.map(() => new Float64Array(macs.length));
  const noise = quantized.map(() => new Float64Array(macs.length));
  for (const d of data) {
    const f = runFloat(model, d.pixels);
    if (argmax(outputOf(model, f)) === d.label) fpCorrect++;
    quantized.forEach((qm, qi) => {
      const r = runQuant(qm, d.pixels);
      if (argmax(r.output) === d.label) correct[qi]!++;
      macs.forEach((l, li) => {
        // A fused ReLU's output is the layer's quantized output.
        const relu = model.net.layers.find(
          (x) => qm.fused.includes(x.name) && !isMacLayer(x) && x.inputs[0] === l.output,
        );
        const ref = f.get(relu ? relu.output : l.output)!;
        const got = dequantize(r.tensors.get(l.output)!, qm.tensors[l.output]!);
        for (let i = 0; i < ref.length; i++) {
          signal[qi]![li]! += ref[i]! * ref[i]!;
          const e = ref[i]! - got[i]!;
          noise[qi]![li]! += e * e;
        }
      });
    });
  }
  const pct = (n: number) => (100 * n) / data.length;
  return {
    fp32: pct(fpCorrect),
    quantized: quantized.map((_, qi) => ({
      accuracy: pct(correct[qi]!),
      correct: correct[qi]!,
      layers: macs.map((l, li) => ({
        name: l.name,
        kind: l.kind,
        sqnrDb: 10 * Math.log10(signal[qi]![li]! / Math.max(noise[qi]![li]!, 1e-30)),
      })),
    })),
  };
}
