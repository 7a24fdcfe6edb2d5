/**
 * The golden integer executor of a quantized model: MAC layers through the golden integer kernels (the
 * arithmetic the RTL must match bit for bit), integer host ops on integers, float host ops between
 * requantized tensors. Returns every tensor and the dequantized result.
 */
import { isMacLayer, type HostLayer, type MacLayer, type Shape } from '../nets/ir.js';
import { floatHost, layerInputs } from './float-exec.js';
import { goldenLayer } from './golden.js';
import { fastFloatHost, maxPoolInt } from './host-fast.js';
import type { QuantModel, TensorQuant } from './quantize.js';
import { operandRange } from './requant.js';
import { quantizeOrt, type RequantMode } from './requant-modes.js';
import type { IntTensor, QuantLayer } from './tensor.js';

/**
 * Quantizes float values with a tensor's scale and zero point: round half up and saturate, or in mode ort
 * as onnxruntime's QuantizeLinear (float32 quotient, half to even).
 */
function quantizeTensor(
  x: Float32Array,
  q: TensorQuant,
  bits: 8 | 16,
  shape: Shape,
  mode: RequantMode = 'rhaz',
): IntTensor {
  const { min, max } = operandRange(bits);
  const data = new Int16Array(x.length);
  if (mode === 'ort') for (let i = 0; i < x.length; i++) data[i] = quantizeOrt(x[i]!, q.scale, q.zeroPoint, min, max);
  else
    for (let i = 0; i < x.length; i++)
      data[i] = Math.max(min, Math.min(max, Math.round(x[i]! / q.scale) + q.zeroPoint));
  return { shape, data };
}

/** Dequantizes an integer tensor. */
export function dequantize(t: IntTensor, q: TensorQuant): Float32Array {
  const out = new Float32Array(t.data.length);
  const { scale, zeroPoint } = q;
  for (let i = 0; i < out.length; i++) out[i] = scale * (t.data[i]! - zeroPoint);
  return out;
}

/** A host op that runs on integers (`reference`: max pooling through the float pool, the fast path's oracle). */
function integerHost(l: HostLayer, x: IntTensor, q: TensorQuant, bits: 8 | 16, reference: boolean): IntTensor {
  if (l.kind === 'relu') return { shape: l.outShape, data: x.data.map((v) => Math.max(v, q.zeroPoint)) };
  if (l.kind === 'maxpool' && !reference) return maxPoolInt(l, x.data, bits);
  if (l.kind === 'maxpool') {
    // Max pooling commutes with a shared scale: pool the integers (padding never wins).
    const f = floatHost(l, [Float32Array.from(x.data)]);
    const { min } = operandRange(bits);
    return { shape: l.outShape, data: Int16Array.from(f, (v) => (v === -Infinity ? min : v)) };
  }
  return { shape: l.outShape, data: x.data.slice() };
}

/** Runs a host layer of the quantized model on integer inputs (`reference`: float ops always through float tensors). */
function hostStep(qm: QuantModel, l: HostLayer, xs: IntTensor[], reference = false): IntTensor {
  if (qm.fused.includes(l.name)) return xs[0]!;
  if (qm.hostModes[l.name] === 'integer')
    return integerHost(l, xs[0]!, qm.tensors[l.inputs[0]!]!, qm.options.bits, reference);
  const fast = reference ? undefined : fastFloatHost(qm, l, xs);
  if (fast) return fast;
  const f = floatHost(
    l,
    xs.map((t, i) => dequantize(t, qm.tensors[l.inputs[i]!]!)),
  );
  return quantizeTensor(f, qm.tensors[l.output]!, qm.options.bits, l.outShape, qm.options.requant);
}

export interface QuantRun {
  tensors: Map<string, IntTensor>;
  /** The dequantized result (logits). */
  output: Float32Array;
  outputName: string;
}

function start(qm: QuantModel, input: Float32Array): Map<string, IntTensor> {
  const { net, options } = qm;
  return new Map([
    [
      net.input.name,
      quantizeTensor(input, qm.tensors[net.input.name]!, options.bits, net.input.shape, options.requant),
    ],
  ]);
}

function finish(qm: QuantModel, tensors: Map<string, IntTensor>): QuantRun {
  const outputName = qm.net.output ?? qm.net.layers.at(-1)!.output;
  return { tensors, output: dequantize(tensors.get(outputName)!, qm.tensors[outputName]!), outputName };
}

/** Runs the quantized model on one float input (NHWC) with the golden MAC kernels. */
export function runQuant(qm: QuantModel, input: Float32Array): QuantRun {
  const tensors = start(qm, input);
  for (const l of qm.net.layers) {
    const xs = layerInputs(l).map((n) => tensors.get(n)!);
    tensors.set(l.output, isMacLayer(l) ? goldenLayer(l, xs[0]!, qm.layers[l.name]!) : hostStep(qm, l, xs));
  }
  return finish(qm, tensors);
}

/**
 * Runs the quantized model with MAC layers computed by `mac` (e.g. the RTL) and host ops as the golden
 * executor (`referenceHost`: float host ops through dequantized float tensors, the fast paths' oracle).
 */
export async function runQuantWith(
  qm: QuantModel,
  input: Float32Array,
  mac: (l: MacLayer, x: IntTensor, q: QuantLayer) => Promise<IntTensor>,
  opts: { referenceHost?: boolean } = {},
): Promise<QuantRun> {
  const tensors = start(qm, input);
  for (const l of qm.net.layers) {
    const xs = layerInputs(l).map((n) => tensors.get(n)!);
    tensors.set(
      l.output,
      isMacLayer(l) ? await mac(l, xs[0]!, qm.layers[l.name]!) : hostStep(qm, l, xs, opts.referenceHost),
    );
  }
  return finish(qm, tensors);
}
