/**
 * The table of layer cases that runs against the golden model, the analytic model and the RTL, and a
 * generator of random layer shapes for property tests.
 */
import { NetBuilder } from '../../src/nets/builder.js';
import { macLayers, type MacLayer } from '../../src/nets/ir.js';
import { rng, randInt } from '../../src/quant/random.js';

export interface LayerCase {
  name: string;
  layer: MacLayer;
}

function conv(name: string, h: number, w: number, c: number, o: Parameters<NetBuilder['conv']>[1]): LayerCase {
  const b = new NetBuilder(`case-${name}`, { h, w, c });
  b.conv(name, o);
  return { name, layer: macLayers(b.build())[0]! };
}

function fc(name: string, k: number, n: number): LayerCase {
  const b = new NetBuilder(`case-${name}`, { h: 1, w: 1, c: k });
  b.fc(name, n);
  return { name, layer: macLayers(b.build())[0]! };
}

/** Named corner cases: odd sizes, strides, padding, depthwise, FC, K below and above the array. */
export const LAYER_CASES: LayerCase[] = [
  conv('conv3x3_pad1', 7, 6, 3, { out: 5, k: 3, pad: 1, activation: 'relu' }),
  conv('conv5x5_stride2', 11, 9, 2, { out: 7, k: 5, stride: 2 }),
  conv('conv_asym_pad_stride3', 10, 8, 4, { out: 3, k: [3, 2], stride: [3, 2], pad: { top: 2, bottom: 0, left: 1, right: 3 } }),
  conv('conv1x1_wide', 4, 4, 19, { out: 13, k: 1 }),
  conv('conv_stride4_k11', 23, 23, 3, { out: 4, k: 11, stride: 4, pad: 2 }),
  conv('conv_dilated', 9, 9, 2, { out: 3, k: 3, dilation: 2, pad: 2 }),
  conv('dwconv3x3', 9, 7, 6, { out: 6, k: 3, pad: 1, groups: 6, activation: 'relu' }),
  conv('dwconv5x5_stride2', 12, 12, 3, { out: 3, k: 5, stride: 2, pad: 2, groups: 3 }),
  conv('grouped_conv', 6, 6, 4, { out: 6, k: 3, groups: 2 }),
  conv('single_pixel', 1, 1, 1, { out: 1, k: 1 }),
  fc('fc_small', 5, 3),
  fc('fc_k_above_array', 37, 11),
  fc('fc_single_output', 64, 1),
];

/** A random conv, depthwise or FC layer with small odd sizes (strides 1-4, padding, K and N around the array size). */
export function randomLayer(seed: number): LayerCase {
  const r = rng(seed);
  const kind = r() < 0.5 ? 'conv' : r() < 0.5 ? 'dwconv' : 'fc';
  if (kind === 'fc') return fc(`fc_${seed}`, randInt(r, 1, 40), randInt(r, 1, 20));
  const k = randInt(r, 1, 5);
  const stride = randInt(r, 1, 4);
  const pad = randInt(r, 0, Math.min(2, k - 1));
  const h = randInt(r, Math.max(1, k - 2 * pad), 12);
  const w = randInt(r, Math.max(1, k - 2 * pad), 12);
  if (kind === 'dwconv') {
    const c = randInt(r, 1, 6);
    return conv(`dw_${seed}`, h, w, c, { out: c, k, stride, pad, groups: c });
  }
  return conv(`conv_${seed}`, h, w, randInt(r, 1, 9), { out: randInt(r, 1, 12), k, stride, pad, activation: r() < 0.5 ? 'relu' : 'none' });
}
