/**
 * Accuracy of a float model and of its quantized versions on labelled inputs, and the per-layer SQNR of
 * each quantized version (signal: the float layer output; noise: float minus dequantized integer output,
 * summed over all inputs).
 */
import type { FloatModel } from '../nets/ir.js';
import { isMacLayer } from '../nets/ir.js';
import { outputOf, runFloat } from './float-exec.js';
import { runQuant } from './int-exec.js';
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

/** FP32 accuracy and, for each quantized model, its accuracy and per-layer SQNR, in percent and dB (`onDigit` after each digit, for progress). */
export function evaluateModels(
  model: FloatModel,
  quantized: QuantModel[],
  data: Labelled[],
  onDigit: () => void = () => {},
): { fp32: number; quantized: QuantAccuracy[] } {
  let fpCorrect = 0;
  const correct = quantized.map(() => 0);
  const macs = model.net.layers.filter(isMacLayer);
  const signal = quantized.map(() => new Float64Array(macs.length));
  const noise = quantized.map(() => new Float64Array(macs.length));
  // Per variant and MAC layer: the float tensor it approximates (a fused ReLU's output is the layer's output).
  const refs = quantized.map((qm) =>
    macs.map((l) => {
      const relu = model.net.layers.find(
        (x) => qm.fused.includes(x.name) && !isMacLayer(x) && x.inputs[0] === l.output,
      );
      return relu ? relu.output : l.output;
    }),
  );
  for (const d of data) {
    const f = runFloat(model, d.pixels);
    if (argmax(outputOf(model, f)) === d.label) fpCorrect++;
    quantized.forEach((qm, qi) => {
      const r = runQuant(qm, d.pixels);
      if (argmax(r.output) === d.label) correct[qi]!++;
      macs.forEach((l, li) => {
        const ref = f.get(refs[qi]![li]!)!;
        const got = r.tensors.get(l.output)!.data;
        // The dequantized value as dequantize stores it (float32).
        const { scale, zeroPoint } = qm.tensors[l.output]!;
        // Running sums in the order the elements come (as the totals were always summed).
        let sig = signal[qi]![li]!;
        let err = noise[qi]![li]!;
        for (let i = 0; i < ref.length; i++) {
          sig += ref[i]! * ref[i]!;
          const e = ref[i]! - Math.fround(scale * (got[i]! - zeroPoint));
          err += e * e;
        }
        signal[qi]![li] = sig;
        noise[qi]![li] = err;
      });
    });
    onDigit();
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
