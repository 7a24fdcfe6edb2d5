/**
 * Float host ops between requantized tensors, computed without intermediate float tensors and with the same
 * float32 steps as dequantize -> floatHost -> quantize in int-exec.ts, so the integers are identical:
 * elementwise ops (SiLU, sigmoid, ReLU6, ...) through a table of every input integer, built once per layer
 * by those very functions; add, mul and per-channel scale in one fused loop (mode rhaz); global average pooling
 * through the dequantization table, float32 sums in the same order. Other ops return undefined.
 */
import type { HostLayer, Shape } from '../nets/ir.js';
import { floatHost } from './float-exec.js';
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
  t = Int16Array.from(y, (v) => quantize(v, yq.scale, yq.zeroPoint, min, max));
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

/** y = quantize(float32(op(dequantize(a), dequantize(b)))), b per channel for `scale`. */
function binary(
  kind: 'add' | 'mul' | 'scale',
  x: Int16Array,
  y: Int16Array,
  da: Float32Array,
  db: Float32Array,
  c: number,
  yq: TensorQuant,
  min: number,
  max: number,
  out: Int16Array,
): void {
  const { scale, zeroPoint } = yq;
  // The float op's result is stored as float32 (Math.fround), then quantized as quantizeTensor does.
  if (kind === 'scale')
    for (let p = 0; p < out.length; p += c)
      for (let ch = 0; ch < c; ch++) {
        const v = Math.fround(da[x[p + ch]! - min]! * db[y[ch]! - min]!);
        const r = Math.round(v / scale) + zeroPoint;
        out[p + ch] = r < min ? min : r > max ? max : r;
      }
  else if (kind === 'add')
    for (let i = 0; i < out.length; i++) {
      const r = Math.round(Math.fround(da[x[i]! - min]! + db[y[i]! - min]!) / scale) + zeroPoint;
      out[i] = r < min ? min : r > max ? max : r;
    }
  else
    for (let i = 0; i < out.length; i++) {
      const r = Math.round(Math.fround(da[x[i]! - min]! * db[y[i]! - min]!) / scale) + zeroPoint;
      out[i] = r < min ? min : r > max ? max : r;
    }
}

/** Global average pooling as floatHost does it on the dequantized tensor: float32 running sums per channel, one division. */
function globalAverage(qm: QuantModel, l: HostLayer, x: Int16Array, min: number, max: number): IntTensor {
  const is = l.inShapes[0]!;
  const c = is.c;
  const da = dequantTable(qm.tensors[l.inputs[0]!]!, qm.options.bits);
  const sums = new Float32Array(c);
  for (let p = 0; p < x.length; p += c) for (let ch = 0; ch < c; ch++) sums[ch]! += da[x[p + ch]! - min]!;
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
  if (elementwise) lookup(xs[0]!.data, table(qm, l), min, out);
  else {
    const da = dequantTable(qm.tensors[l.inputs[0]!]!, bits);
    const db = dequantTable(qm.tensors[l.inputs[1]!]!, bits);
    binary(
      kind as 'add' | 'mul' | 'scale',
      xs[0]!.data,
      xs[1]!.data,
      da,
      db,
      l.outShape.c,
      qm.tensors[l.output]!,
      min,
      max,
      out,
    );
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
