/**
 * The float reference executor: runs a float model of the network IR on NHWC tensors (batch 1) and
 * returns every tensor it computed, for accuracy, calibration and per-layer SQNR.
 */
import { isMacLayer, type FloatModel, type HostLayer, type Layer, type Shape } from '../nets/ir.js';
import { MactileError } from '../util/errors.js';
import { floatMacWasm } from './float-wasm.js';

export type FloatTensors = Map<string, Float32Array>;

const at = (s: Shape, h: number, w: number, c: number) => (h * s.w + w) * s.c + c;

function pool(l: HostLayer, x: Float32Array): Float32Array {
  const is = l.inShapes[0]!;
  const os = l.outShape;
  const k = l.kernel!;
  const st = l.stride!;
  const p = l.pad!;
  const y = new Float32Array(os.h * os.w * os.c);
  for (let oh = 0; oh < os.h; oh++) {
    for (let ow = 0; ow < os.w; ow++) {
      for (let c = 0; c < os.c; c++) {
        let acc = l.kind === 'maxpool' ? -Infinity : 0;
        let n = 0;
        for (let i = 0; i < k.h; i++) {
          const ih = oh * st.h - p.top + i;
          if (ih < 0 || ih >= is.h) continue;
          for (let j = 0; j < k.w; j++) {
            const iw = ow * st.w - p.left + j;
            if (iw < 0 || iw >= is.w) continue;
            const v = x[at(is, ih, iw, c)]!;
            acc = l.kind === 'maxpool' ? Math.max(acc, v) : acc + v;
            n++;
          }
        }
        y[at(os, oh, ow, c)] = l.kind === 'maxpool' ? acc : acc / (l.countIncludePad ? k.h * k.w : n);
      }
    }
  }
  return y;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** One host operator in float. */
export function floatHost(l: HostLayer, xs: Float32Array[]): Float32Array {
  const x = xs[0]!;
  const map = (f: (v: number, i: number) => number) => {
    const y = new Float32Array(x.length);
    for (let i = 0; i < y.length; i++) y[i] = f(x[i]!, i);
    return y;
  };
  switch (l.kind) {
    case 'maxpool':
    case 'avgpool':
      return pool(l, x);
    case 'globalavgpool': {
      const s = l.inShapes[0]!;
      const y = new Float32Array(s.c);
      for (let i = 0; i < x.length; i++) y[i % s.c]! += x[i]!;
      for (let c = 0; c < s.c; c++) y[c] = y[c]! / (s.h * s.w);
      return y;
    }
    case 'flatten':
    case 'identity':
      return x.slice();
    case 'add':
      return map((v, i) => v + xs[1]![i]!);
    case 'mul':
      return map((v, i) => v * xs[1]![i]!);
    case 'scale': {
      const c = l.outShape.c;
      return map((v, i) => v * xs[1]![i % c]!);
    }
    case 'relu':
      return map((v) => (v > 0 ? v : 0));
    case 'relu6':
      return map((v) => Math.min(6, Math.max(0, v)));
    case 'leakyrelu': {
      const alpha = l.alpha ?? 0.01;
      return map((v) => (v > 0 ? v : alpha * v));
    }
    case 'sigmoid':
      return map(sigmoid);
    case 'silu':
      return map((v) => v * sigmoid(v));
    case 'hardswish':
      return map((v) => (v * Math.min(6, Math.max(0, v + 3))) / 6);
    case 'softmax': {
      const m = Math.max(...x);
      const e = map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    }
    case 'concat': {
      const s = l.outShape;
      const y = new Float32Array(s.h * s.w * s.c);
      let off = 0;
      l.inShapes.forEach((is, k) => {
        for (let p = 0; p < s.h * s.w; p++) for (let c = 0; c < is.c; c++) y[p * s.c + off + c] = xs[k]![p * is.c + c]!;
        off += is.c;
      });
      return y;
    }
  }
}

/** Inputs of a layer (tensor names). */
export function layerInputs(l: Layer): string[] {
  return isMacLayer(l) ? [l.input] : l.inputs;
}

/** Runs the model on one NHWC input and returns every tensor by name ('input' included). */
export function runFloat(model: FloatModel, input: Float32Array): FloatTensors {
  const { net, params } = model;
  const s = net.input.shape;
  if (input.length !== s.h * s.w * s.c)
    throw new MactileError(
      `float executor: expected an input of ${s.h}x${s.w}x${s.c} values, received ${input.length}`,
    );
  const t: FloatTensors = new Map([[net.input.name, input]]);
  for (const l of net.layers) {
    const xs = layerInputs(l).map((n) => t.get(n)!);
    if (isMacLayer(l)) {
      const p = params.get(l.name);
      if (!p)
        throw new MactileError(
          `float executor: layer ${l.name} has no weights (a zoo network has none; use an ONNX model)`,
        );
      t.set(l.output, floatMacWasm(l, xs[0]!, p.weights, p.bias));
    } else t.set(l.output, floatHost(l, xs));
  }
  return t;
}

/** The network's result tensor from a run. */
export function outputOf(model: FloatModel, tensors: FloatTensors): Float32Array {
  const name = model.net.output ?? model.net.layers.at(-1)!.output;
  return tensors.get(name)!;
}
