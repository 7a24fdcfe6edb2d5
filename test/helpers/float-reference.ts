/**
 * The float reference the float executor's WebAssembly kernels must equal exactly: its MAC layers as the
 * JavaScript loops computed them before (bias, then tap by tap the sum over input channels in doubles), and
 * a whole-model run with them and the executor's own host ops.
 */
import { isMacLayer, type FloatModel, type MacLayer } from '../../src/nets/ir.js';
import { floatHost, layerInputs, type FloatTensors } from '../../src/quant/float-exec.js';

/**
 * A convolution, depthwise convolution or fully connected layer in float (zero padding). Every output is
 * its bias plus, tap by tap in window order, the tap's sum over input channels in order (in doubles);
 * output channels are computed four at a time, and depthwise taps without the channel loop, in that same order.
 */
export function referenceFloatMac(
  l: MacLayer,
  x: Float32Array,
  weights: Float32Array,
  bias: Float32Array,
): Float32Array {
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

/** Every tensor of a float run with the reference MAC layers. */
export function referenceRunFloat(model: FloatModel, input: Float32Array): FloatTensors {
  const t: FloatTensors = new Map([[model.net.input.name, input]]);
  for (const l of model.net.layers) {
    const xs = layerInputs(l).map((n) => t.get(n)!);
    if (isMacLayer(l)) {
      const p = model.params.get(l.name)!;
      t.set(l.output, referenceFloatMac(l, xs[0]!, p.weights, p.bias));
    } else t.set(l.output, floatHost(l, xs));
  }
  return t;
}
