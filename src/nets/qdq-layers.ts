/**
 * The parameters of imported quantized layers: a MAC layer's integers in mactile's layout (OHWI weights, the
 * bias in accumulator units with the input zero point folded in, ort factors) and, back the other way, the float
 * model a quantized one approximates.
 */
import { multiplierShift, type QuantModel } from '../quant/quantize.js';
import { ortFactor } from '../quant/requant-modes.js';
import type { QuantLayer } from '../quant/tensor.js';
import { isMacLayer, type FloatModel, type LayerParams } from './ir.js';
import type { ConstTensor } from './onnx-read.js';

const INT32 = 6;

/** One MAC layer in mode ort from its weight integers in ONNX order (`onnxIndex` maps mactile's (co, j) into them). */
export function ortQuantLayer(p: {
  ints: Int16Array;
  cout: number;
  onnxIndex: (co: number, j: number) => number;
  /** int32 values in accumulator units, or float values (rounded with x_scale * w_scale). */
  bias: ConstTensor | undefined;
  x: { scale: number; zeroPoint: number };
  y: { scale: number; zeroPoint: number };
  weightScale: number[];
  relu: boolean;
}): QuantLayer {
  const { ints, cout, x, y, weightScale } = p;
  const k = ints.length / cout;
  const weights = new Int16Array(ints.length);
  for (let co = 0; co < cout; co++) for (let j = 0; j < k; j++) weights[co * k + j] = ints[p.onnxIndex(co, j)]!;
  const bias = Array.from({ length: cout }, (_, co) => {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += weights[co * k + j]!;
    const raw = p.bias ? p.bias.data[p.bias.data.length === 1 ? 0 : co]! : 0;
    const b = !p.bias || p.bias.type === INT32 ? raw : Math.round(raw / (x.scale * weightScale[co]!));
    // QLinearConv subtracts the input zero point; mactile folds -zx * sum(w) into the bias.
    return BigInt(b) - BigInt(x.zeroPoint) * BigInt(sum);
  });
  const factors = weightScale.map((s) => ortFactor(x.scale, s, y.scale));
  const ms = factors.map(multiplierShift);
  return {
    bits: 8,
    weights,
    bias,
    mult: ms.map((m) => m.mult),
    shift: ms.map((m) => m.shift),
    relu: p.relu,
    inZeroPoint: x.zeroPoint,
    outZeroPoint: y.zeroPoint,
    requant: 'ort',
    ortFactor: factors,
    weightScale,
  };
}

/** The float model a quantized one approximates: its weights and biases dequantized (the FP32 side of its accuracy and SQNR). */
export function dequantizedModel(qm: QuantModel): FloatModel {
  const params = new Map<string, LayerParams>();
  for (const l of qm.net.layers) {
    if (!isMacLayer(l)) continue;
    const q = qm.layers[l.name]!;
    const ws = q.weightScale ?? [];
    const xs = qm.tensors[l.input]!.scale;
    const cout = l.outShape.c;
    const k = q.weights.length / cout;
    const weights = new Float32Array(q.weights.length);
    const bias = new Float32Array(cout);
    for (let co = 0; co < cout; co++) {
      let sum = 0;
      for (let j = 0; j < k; j++) {
        weights[co * k + j] = q.weights[co * k + j]! * ws[co]!;
        sum += q.weights[co * k + j]!;
      }
      // The bias without the folded -zx * sum(w), in real units.
      bias[co] = Number(q.bias[co]! + BigInt(q.inZeroPoint) * BigInt(sum)) * xs * ws[co]!;
    }
    params.set(l.name, { weights, bias });
  }
  return { net: qm.net, params };
}
