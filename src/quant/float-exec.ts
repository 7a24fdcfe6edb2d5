/**
 * The float reference executor: runs a float model of the network IR on NHWC tensors (batch 1) and
 * returns every tensor it computed, for accuracy, calibration and per-layer SQNR.
 */
import { isMacLayer, type FloatModel, type HostLayer, type Layer, type MacLayer, type Shape } from '../nets/ir.js';
import { MactileError } from '../util/errors.js';

export type FloatTensors = Map<string, Float32Array>;

const at = (s: Shape, h: number, w: number, c: number) => (h * s.w + w) * s.c + c;

/**
 * A convolution, depthwise convolution or fully connected layer in float (zero padding). Every output is
 * its bias plus, tap by tap in window order, the tap's sum over input channels in order (in doubles);
 * output channels are computed four at a time, and depthwise taps without the channel loop, in that same order.
 */
function floatMac(l: MacLayer, x: Float32Array, weights: Float32Array, bias: Float32Array): Float32Array {
  const { inShape: is, outShape: os, kernel, stride, dilation, pad, groups } = l;
  const cinG = is.c / groups;
  const coutG = os.c / groups;
  const taps = kernel.h * kernel.w;
  const acc = new Float64Array(os.h * os.w * os.c);
  for (let p = 0; p < os.h * os.w; p++) acc.set(bias, p * os.c);
  const depthwise = cinG === 1 && coutG === 1;
  for (let oh = 0; oh < os.h; oh++) {
    for (let ow = 0; ow < os.w; ow++) {
      const ob = (oh * os.w + ow) * os.c;
      for (let kh = 0; kh < kernel.h; kh++) {
        const ih = oh * stride.h - pad.top + kh * dilation.h;
        if (ih < 0 || ih >= is.h) continue;
        for (let kw = 0; kw < kernel.w; kw++) {
          const iw = ow * stride.w - pad.left + kw * dilation.w;
          if (iw < 0 || iw >= is.w) continue;
          const xb = (ih * is.w + iw) * is.c;
          const t = kh * kernel.w + kw;
          if (depthwise) {
            for (let co = 0; co < os.c; co++) acc[ob + co]! += x[xb + co]! * weights[co * taps + t]!;
            continue;
          }
          for (let g = 0; g < groups; g++) {
            const xg = xb + g * cinG;
            const end = (g + 1) * coutG;
            let co = g * coutG;
            for (; co + 4 <= end; co += 4) {
              const w0 = (co * taps + t) * cinG;
              const w1 = w0 + taps * cinG;
              const w2 = w1 + taps * cinG;
              const w3 = w2 + taps * cinG;
              let s0 = 0;
              let s1 = 0;
              let s2 = 0;
              let s3 = 0;
              for (let ci = 0; ci < cinG; ci++) {
                const v = x[xg + ci]!;
                s0 += v * weights[w0 + ci]!;
                s1 += v * weights[w1 + ci]!;
                s2 += v * weights[w2 + ci]!;
                s3 += v * weights[w3 + ci]!;
              }
              acc[ob + co]! += s0;
              acc[ob + co + 1]! += s1;
              acc[ob + co + 2]! += s2;
              acc[ob + co + 3]! += s3;
            }
            for (; co < end; co++) {
              const wb = (co * taps + t) * cinG;
              let s = 0;
              for (let ci = 0; ci < cinG; ci++) s += x[xg + ci]! * weights[wb + ci]!;
              acc[ob + co]! += s;
            }
          }
        }
      }
    }
  }
  return Float32Array.from(acc);
}

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
      t.set(l.output, floatMac(l, xs[0]!, p.weights, p.bias));
    } else t.set(l.output, floatHost(l, xs));
  }
  return t;
}

/** The network's result tensor from a run. */
export function outputOf(model: FloatModel, tensors: FloatTensors): Float32Array {
  const name = model.net.output ?? model.net.layers.at(-1)!.output;
  return tensors.get(name)!;
}
