/**
 * Float host ops between requantized tensors, computed without intermediate float tensors and with the same
 * float32 steps as dequantize -> floatHost -> quantize in int-exec.ts, so the integers are identical:
 * elementwise ops (SiLU, sigmoid, ReLU6, ...) through a table of every input integer, built once per layer
 * by those very functions (looked up in WebAssembly but in small tensors); add, mul and per-channel scale in WebAssembly
 * (host-wasm.ts, mode rhaz; INT8 scale through rows of outputs per gate value); global average pooling with
 * float32 sums in the same order (WebAssembly). Other ops return undefined.
 */
import type { HostLayer, Shape } from '../nets/ir.js';
import { floatHost } from './float-exec.js';
import { hostBinary, hostLookup, hostSums } from './golden-wasm.js';
import { HOST_PARAM_BYTES } from './host-wasm.js';
import type { QuantModel, TensorQuant } from './quantize.js';
import { operandRange } from './requant.js';
import { quantizeOrt } from './requant-modes.js';
import type { IntTensor } from './tensor.js';

const ELEMENTWISE = new Set(['sigmoid', 'silu', 'relu6', 'leakyrelu', 'hardswish', 'relu']);
const tables = new WeakMap<QuantModel, Map<string, Int16Array>>();

/** Quantizes one float32 value as int-exec's quantizeTensor does (round half up, saturate). */
function quantizeOne(v: number, scale: number, zp: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.round(v / scale) + zp));
}

/** The output integer of an elementwise op for every input integer (index: input - min). */
function table(qm: QuantModel, l: HostLayer): Int16Array {
  let byLayer = tables.get(qm);
  if (!byLayer) tables.set(qm, (byLayer = new Map()));
  let t = byLayer.get(l.name);
  if (t) return t;
  const { min, max } = operandRange(qm.options.bits);
  const xq = qm.tensors[l.inputs[0]!]!;
  const yq = qm.tensors[l.output]!;
  const x = new Float32Array(max - min + 1);
  for (let i = 0; i < x.length; i++) x[i] = xq.scale * (min + i - xq.zeroPoint);
  const shape: Shape = { h: 1, w: 1, c: x.length };
  const y = floatHost({ ...l, inShapes: [shape], outShape: shape }, [x]);
  const quantize = qm.options.requant === 'ort' ? quantizeOrt : quantizeOne;
  t = new Int16Array(y.length);
  for (let i = 0; i < y.length; i++) t[i] = quantize(y[i]!, yq.scale, yq.zeroPoint, min, max);
  byLayer.set(l.name, t);
  return t;
}

const dequantTables = new WeakMap<TensorQuant, Float32Array>();

/** Every input integer's dequantized float32 value, as int-exec's dequantize stores it (index: value - min). */
function dequantTable(q: TensorQuant, bits: 8 | 16): Float32Array {
  let t = dequantTables.get(q);
  if (!t) {
    const { min, max } = operandRange(bits);
    t = new Float32Array(max - min + 1);
    for (let i = 0; i < t.length; i++) t[i] = q.scale * (min + i - q.zeroPoint);
    dequantTables.set(q, t);
  }
  return t;
}

/** out[i] = t[x[i] - min]: an elementwise op through its table. */
function lookup(x: Int16Array, t: Int16Array, min: number, out: Int16Array): void {
  for (let i = 0; i < out.length; i++) out[i] = t[x[i]! - min]!;
}

/** The parameter block of host-wasm.ts: the scales of a, b and y, their zero points, the range. */
function hostParams(qa: TensorQuant, qb: TensorQuant, yq: TensorQuant, min: number, max: number): ArrayBuffer {
  const params = new ArrayBuffer(HOST_PARAM_BYTES);
  new Float64Array(params, 0, 3).set([qa.scale, qb.scale, yq.scale]);
  new Int32Array(params, 24, 5).set([qa.zeroPoint, qb.zeroPoint, yq.zeroPoint, min, max]);
  new Float64Array(params, 48, 1)[0] = 1 / yq.scale;
  return params;
}

/** The gates' dequantized float32 values, one per channel. */
function gateValues(y: Int16Array, db: Float32Array, c: number, min: number): Float64Array {
  const b = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) b[ch] = db[y[ch]! - min]!;
  return b;
}

/** INT8 scale: per layer, the output for every (gate, input) pair, a row of 256 filled on the first use of its gate value. */
const scaleRows = new WeakMap<QuantModel, Map<string, { t: Int16Array; filled: Uint8Array }>>();

/**
 * y = quantize(float32(op(dequantize(a), dequantize(b)))), b per channel for `scale`: in WebAssembly
 * (host-wasm.ts), each operand dequantized as its table holds it; INT8 scale through rows of outputs made
 * by the same kernel, once per gate value.
 */
function binary(
  qm: QuantModel,
  l: HostLayer,
  x: Int16Array,
  y: Int16Array,
  min: number,
  max: number,
  out: Int16Array,
): void {
  const kind = l.kind as 'add' | 'mul' | 'scale';
  const [qa, qb] = [qm.tensors[l.inputs[0]!]!, qm.tensors[l.inputs[1]!]!];
  const params = hostParams(qa, qb, qm.tensors[l.output]!, min, max);
  const c = l.outShape.c;
  const db = dequantTable(qb, qm.options.bits);
  if (kind !== 'scale') return hostBinary(kind, x.subarray(0, out.length), y.subarray(0, out.length), c, params, out);
  if (qm.options.bits === 16) {
    hostBinary(kind, x.subarray(0, out.length), gateValues(y, db, c, min), c, params, out);
    return;
  }
  let byLayer = scaleRows.get(qm);
  if (!byLayer) scaleRows.set(qm, (byLayer = new Map()));
  let rows = byLayer.get(l.name);
  if (!rows) byLayer.set(l.name, (rows = { t: new Int16Array(256 * 256), filled: new Uint8Array(256) }));
  const { t, filled } = rows;
  const offsets = new Int32Array(c);
  for (let ch = 0; ch < c; ch++) {
    const g = y[ch]! - min;
    if (!filled[g]) {
      const all = Int16Array.from({ length: 256 }, (_, i) => min + i);
      hostBinary('scale', all, Float64Array.of(db[g]!), 1, params, t.subarray(g * 256, (g + 1) * 256));
      filled[g] = 1;
    }
    offsets[ch] = g * 256 - min;
  }
  for (let p = 0; p < out.length; p += c) for (let ch = 0; ch < c; ch++) out[p + ch] = t[offsets[ch]! + x[p + ch]!]!;
}

/** Global average pooling as floatHost does it on the dequantized tensor: float32 running sums per channel, one division. */
function globalAverage(qm: QuantModel, l: HostLayer, x: Int16Array, min: number, max: number): IntTensor {
  const is = l.inShapes[0]!;
  const c = is.c;
  const xq = qm.tensors[l.inputs[0]!]!;
  const sums = hostSums(x.subarray(0, is.h * is.w * c), c, xq.scale, xq.zeroPoint);
  const { scale, zeroPoint } = qm.tensors[l.output]!;
  const quantize = qm.options.requant === 'ort' ? quantizeOrt : quantizeOne;
  const out = new Int16Array(c);
  for (let ch = 0; ch < c; ch++) out[ch] = quantize(Math.fround(sums[ch]! / (is.h * is.w)), scale, zeroPoint, min, max);
  return { shape: l.outShape, data: out };
}

/** The host op on integers by the fast paths, or undefined where there is none. */
export function fastFloatHost(qm: QuantModel, l: HostLayer, xs: IntTensor[]): IntTensor | undefined {
  const bits = qm.options.bits;
  const { min, max } = operandRange(bits);
  const kind = l.kind;
  if (kind === 'globalavgpool') return globalAverage(qm, l, xs[0]!.data, min, max);
  const elementwise = ELEMENTWISE.has(kind);
  if (!elementwise && kind !== 'add' && kind !== 'mul' && kind !== 'scale') return undefined;
  // Mode ort quantizes half to even: the binary ops then take the float path (int-exec's quantizeTensor).
  if (!elementwise && qm.options.requant === 'ort') return undefined;
  const out = new Int16Array(l.outShape.h * l.outShape.w * l.outShape.c);
  // In WebAssembly unless the tensor is small beside the table its call copies (512 bytes INT8, 128 KB INT16).
  if (elementwise) (out.length >= (bits === 8 ? 64 : 1024) ? hostLookup : lookup)(xs[0]!.data, table(qm, l), min, out);
  else {
    binary(qm, l, xs[0]!.data, xs[1]!.data, min, max, out);
  }
  return { shape: l.outShape, data: out };
}

/** Max pooling on integers (a shared scale commutes with max); a window wholly in the padding gives the minimum. */
export function maxPoolInt(l: HostLayer, x: Int16Array, bits: 8 | 16): IntTensor {
  const is = l.inShapes[0]!;
  const os = l.outShape;
  const k = l.kernel!;
  const st = l.stride!;
  const p = l.pad!;
  const { min } = operandRange(bits);
  const y = new Int16Array(os.h * os.w * os.c);
  for (let oh = 0; oh < os.h; oh++) {
    const h0 = Math.max(0, oh * st.h - p.top);
    const h1 = Math.min(is.h, oh * st.h - p.top + k.h);
    for (let ow = 0; ow < os.w; ow++) {
      const w0 = Math.max(0, ow * st.w - p.left);
      const w1 = Math.min(is.w, ow * st.w - p.left + k.w);
      const ob = (oh * os.w + ow) * os.c;
      y.fill(min, ob, ob + os.c);
      for (let ih = h0; ih < h1; ih++)
        for (let iw = w0; iw < w1; iw++) {
          const xb = (ih * is.w + iw) * is.c;
          for (let c = 0; c < os.c; c++) if (x[xb + c]! > y[ob + c]!) y[ob + c] = x[xb + c]!;
        }
    }
  }
  return { shape: os, data: y };
}
