/**
 * Post-training quantization of a float model to INT8 or INT16: weights symmetric per output channel (or
 * per tensor), activations per tensor (asymmetric with the zero point folded into the bias, or symmetric),
 * calibrated on training digits by min/max, percentile or MSE (searched for the scheme used); requantization
 * parameters (bias in accumulator units, integer multiplier and shift) computed once for the golden executor
 * and the RTL.
 * ReLU after a MAC layer is fused into its output stage; max pooling, flatten and identity run on integers
 * with their input's scale; every other host op runs in float between requantized tensors.
 */
import { isMacLayer, type FloatModel, type HostLayer, type Layer, type MacLayer, type Network } from '../nets/ir.js';
import { MactileError } from '../util/errors.js';
import { TensorStats, type CalibrationMethod } from './calibrate.js';
import { layerInputs, runFloat } from './float-exec.js';
import { operandRange } from './requant.js';
import { ortFactor, type RequantMode } from './requant-modes.js';
import type { QuantLayer } from './tensor.js';

export type Granularity = 'channel' | 'tensor';

/** Scale and zero point of a quantized tensor: real = scale * (q - zeroPoint). */
export interface TensorQuant {
  scale: number;
  zeroPoint: number;
}

export interface QuantOptions {
  bits: 8 | 16;
  /** How activation scales were found (`given`: read from a quantized ONNX model as they are). */
  calibration: CalibrationMethod | 'given';
  granularity: Granularity;
  symmetric: boolean;
  /** The output stages' rounding (absent: rhaz). In mode ort every scale is a float32 value, as ONNX stores it. */
  requant?: RequantMode;
}

export interface QuantModel {
  net: Network;
  options: QuantOptions;
  tensors: Record<string, TensorQuant>;
  layers: Record<string, QuantLayer>;
  /** Host ops folded away: ReLUs fused into the MAC layer before them. */
  fused: string[];
  /** How each remaining host op runs: on integers (same scale in and out) or in float between requantized tensors. */
  hostModes: Record<string, 'integer' | 'float'>;
}

const INTEGER_OPS = new Set(['maxpool', 'flatten', 'identity', 'relu']);

/** Integer multiplier (< 2^31) and right shift (0..63) approximating a positive real factor. */
export function multiplierShift(m: number): { mult: number; shift: number } {
  if (!(m > 0)) return { mult: 0, shift: 0 };
  const e = Math.floor(Math.log2(m));
  let shift = 30 - e;
  if (shift < 0) throw new MactileError(`quantization: a rescale factor of ${m} is too large for a 31-bit multiplier`);
  if (shift > 63) return { mult: Math.round(m * 2 ** 63), shift: 63 };
  let mult = Math.round(m * 2 ** shift);
  if (mult >= 2 ** 31) {
    mult = Math.round(mult / 2);
    shift -= 1;
  }
  return { mult, shift };
}

/** Per-tensor statistics of the float model over calibration inputs (`onInput` after each, for progress). */
export function collectStats(
  model: FloatModel,
  inputs: Float32Array[],
  onInput: () => void = () => {},
): Map<string, TensorStats> {
  const stats = new Map<string, TensorStats>();
  for (const x of inputs) {
    for (const [name, t] of runFloat(model, x)) {
      let s = stats.get(name);
      if (!s) stats.set(name, (s = new TensorStats()));
      s.add(t);
    }
    onInput();
  }
  return stats;
}

function activationQuant(s: TensorStats, o: QuantOptions): TensorQuant {
  const { min, max } = operandRange(o.bits);
  if (o.calibration === 'given') throw new MactileError('quantization: calibration "given" has no statistics to use');
  const t = s.threshold(o.calibration, max, o.symmetric ? undefined : max - min) || 1e-8;
  // ONNX stores float32 scales: in mode ort the model uses exactly those.
  const f32 = (v: number) => (o.requant === 'ort' ? Math.fround(v) : v);
  if (o.symmetric) return { scale: f32(t / max), zeroPoint: 0 };
  const lo = Math.min(0, Math.max(s.min, -t));
  const hi = Math.max(0, Math.min(s.max, t));
  const scale = f32((hi - lo) / (max - min) || 1e-8);
  // + 0: never a zero point of -0.
  const zeroPoint = Math.max(min, Math.min(max, Math.round(min - lo / scale))) + 0;
  return { scale, zeroPoint };
}

/** The consumers of each tensor. */
function consumers(net: Network): Map<string, Layer[]> {
  const m = new Map<string, Layer[]>();
  for (const l of net.layers) for (const t of layerInputs(l)) m.set(t, [...(m.get(t) ?? []), l]);
  return m;
}

function quantizeMac(
  l: MacLayer,
  model: FloatModel,
  o: QuantOptions,
  xq: TensorQuant,
  yq: TensorQuant,
  relu: boolean,
): QuantLayer {
  const p = model.params.get(l.name)!;
  const { max } = operandRange(o.bits);
  const cout = l.outShape.c;
  const per = p.weights.length / cout;
  const absMax = (c: number) => {
    let m = 0;
    for (let i = 0; i < per; i++) m = Math.max(m, Math.abs(p.weights[c * per + i]!));
    return m;
  };
  const tensorMax = Math.max(...Array.from({ length: cout }, (_, c) => absMax(c)));
  const weights = new Int16Array(p.weights.length);
  const bias: bigint[] = [];
  const mult: number[] = [];
  const shift: number[] = [];
  const weightScale: number[] = [];
  const factors: number[] = [];
  const ort = o.requant === 'ort';
  for (let c = 0; c < cout; c++) {
    const raw = (o.granularity === 'channel' ? absMax(c) : tensorMax) / max || 1e-12;
    const sw = ort ? Math.fround(raw) : raw;
    weightScale.push(sw);
    let sum = 0;
    for (let i = 0; i < per; i++) {
      const q = Math.max(-max, Math.min(max, Math.round(p.weights[c * per + i]! / sw)));
      weights[c * per + i] = q;
      sum += q;
    }
    bias.push(BigInt(Math.round(p.bias[c]! / (xq.scale * sw))) - BigInt(xq.zeroPoint) * BigInt(sum));
    // Mode ort: the float32 factor onnxruntime computes; mult and shift then approximate it (not used by the stage).
    const factor = ort ? ortFactor(xq.scale, sw, yq.scale) : (xq.scale * sw) / yq.scale;
    if (ort) factors.push(factor);
    const ms = multiplierShift(factor);
    mult.push(ms.mult);
    shift.push(ms.shift);
  }
  const q: QuantLayer = {
    bits: o.bits,
    weights,
    bias,
    mult,
    shift,
    relu,
    inZeroPoint: xq.zeroPoint,
    outZeroPoint: yq.zeroPoint,
    weightScale,
  };
  if (o.requant && o.requant !== 'rhaz') q.requant = o.requant;
  if (ort) q.ortFactor = factors;
  return q;
}

/** Quantizes a float model with statistics from calibration inputs. */
export function quantizeModel(model: FloatModel, stats: Map<string, TensorStats>, o: QuantOptions): QuantModel {
  const { net } = model;
  const uses = consumers(net);
  const tensors: Record<string, TensorQuant> = {};
  const quantOf = (t: string) => {
    const s = stats.get(t);
    if (!s) throw new MactileError(`quantization: tensor ${t} was never computed during calibration`);
    return activationQuant(s, o);
  };
  tensors[net.input.name] = quantOf(net.input.name);
  const fused: string[] = [];
  const hostModes: Record<string, 'integer' | 'float'> = {};
  const layers: Record<string, QuantLayer> = {};
  for (const l of net.layers) {
    if (isMacLayer(l)) {
      // A ReLU that is the only reader of this layer's output is fused: the layer outputs the ReLU's tensor scale.
      const next = uses.get(l.output) ?? [];
      const relu = next.length === 1 && next[0]!.kind === 'relu' ? (next[0] as HostLayer) : undefined;
      const yq = quantOf(relu ? relu.output : l.output);
      tensors[l.output] = yq;
      if (relu) {
        fused.push(relu.name);
        tensors[relu.output] = yq;
      }
      layers[l.name] = quantizeMac(l, model, o, tensors[l.input]!, yq, !!relu);
    } else if (!fused.includes(l.name)) {
      if (INTEGER_OPS.has(l.kind)) {
        hostModes[l.name] = 'integer';
        tensors[l.output] = tensors[l.inputs[0]!]!;
      } else {
        hostModes[l.name] = 'float';
        tensors[l.output] = quantOf(l.output);
      }
    }
  }
  return { net, options: o, tensors, layers, fused, hostModes };
}
