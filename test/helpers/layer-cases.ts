/**
 * The table of layer cases that runs against the golden model, the analytic model and the RTL, and a
 * fast-check arbitrary of random layer shapes for property tests.
 */
import * as fc from 'fast-check';
import { NetBuilder } from '../../src/nets/builder.js';
import { macLayers, type MacLayer } from '../../src/nets/ir.js';

export interface LayerCase {
  name: string;
  layer: MacLayer;
}

function conv(name: string, h: number, w: number, c: number, o: Parameters<NetBuilder['conv']>[1]): LayerCase {
  const b = new NetBuilder(`case-${name}`, { h, w, c });
  b.conv(name, o);
  return { name, layer: macLayers(b.build())[0]! };
}

function fullyConnected(name: string, k: number, n: number): LayerCase {
  const b = new NetBuilder(`case-${name}`, { h: 1, w: 1, c: k });
  b.fc(name, n);
  return { name, layer: macLayers(b.build())[0]! };
}

/** Named corner cases: odd sizes, strides, padding, depthwise, FC, K below and above the array. */
export const LAYER_CASES: LayerCase[] = [
  conv('conv3x3_pad1', 7, 6, 3, { out: 5, k: 3, pad: 1, activation: 'relu' }),
  conv('conv5x5_stride2', 11, 9, 2, { out: 7, k: 5, stride: 2 }),
  conv('conv_asym_pad_stride3', 10, 8, 4, {
    out: 3,
    k: [3, 2],
    stride: [3, 2],
    pad: { top: 2, bottom: 0, left: 1, right: 3 },
  }),
  conv('conv1x1_wide', 4, 4, 19, { out: 13, k: 1 }),
  conv('conv_stride4_k11', 23, 23, 3, { out: 4, k: 11, stride: 4, pad: 2 }),
  conv('conv_dilated', 9, 9, 2, { out: 3, k: 3, dilation: 2, pad: 2 }),
  conv('dwconv3x3', 9, 7, 6, { out: 6, k: 3, pad: 1, groups: 6, activation: 'relu' }),
  conv('dwconv5x5_stride2', 12, 12, 3, { out: 3, k: 5, stride: 2, pad: 2, groups: 3 }),
  conv('grouped_conv', 6, 6, 4, { out: 6, k: 3, groups: 2 }),
  conv('single_pixel', 1, 1, 1, { out: 1, k: 1 }),
  fullyConnected('fc_small', 5, 3),
  fullyConnected('fc_k_above_array', 37, 11),
  fullyConnected('fc_single_output', 64, 1),
];

/** A random layer's shape as fast-check generates, shrinks and prints it (the counterexample of a failing run). */
export type LayerSpec =
  | {
      kind: 'conv';
      h: number;
      w: number;
      c: number;
      out: number;
      k: number;
      stride: number;
      pad: number;
      dilation: number;
      relu: boolean;
    }
  | { kind: 'dwconv'; h: number; w: number; c: number; k: number; stride: number; pad: number; dilation: number }
  | { kind: 'fc'; k: number; n: number };

/** The layer a spec describes, named after its shape. */
export function layerOf(s: LayerSpec): LayerCase {
  if (s.kind === 'fc') return fullyConnected(`fc_k${s.k}_n${s.n}`, s.k, s.n);
  const shape = `${s.h}x${s.w}x${s.c}_k${s.k}_s${s.stride}_p${s.pad}_d${s.dilation}`;
  if (s.kind === 'dwconv')
    return conv(`dw_${shape}`, s.h, s.w, s.c, {
      out: s.c,
      k: s.k,
      stride: s.stride,
      pad: s.pad,
      dilation: s.dilation,
      groups: s.c,
    });
  return conv(`conv_${shape}_o${s.out}`, s.h, s.w, s.c, {
    out: s.out,
    k: s.k,
    stride: s.stride,
    pad: s.pad,
    dilation: s.dilation,
    activation: s.relu ? 'relu' : 'none',
  });
}

/**
 * Kernel 1-5, stride 1-4, padding 0-2 (below the kernel), dilation 1 or 2, an input of up to 12x12 that
 * holds the dilated kernel: every field is drawn independently and then clamped, so each one shrinks alone.
 */
const kernelWindow = fc
  .record({
    k: fc.integer({ min: 1, max: 5 }),
    stride: fc.integer({ min: 1, max: 4 }),
    pad: fc.integer({ min: 0, max: 2 }),
    dilation: fc.oneof({ arbitrary: fc.constant(1), weight: 2 }, { arbitrary: fc.constant(2), weight: 1 }),
    h: fc.integer({ min: 1, max: 12 }),
    w: fc.integer({ min: 1, max: 12 }),
  })
  .map((g) => {
    const pad = Math.min(g.pad, g.k - 1);
    const span = g.dilation * (g.k - 1) + 1 - 2 * pad;
    return { ...g, pad, h: Math.max(g.h, span), w: Math.max(g.w, span) };
  });

/** Random conv (half), depthwise and FC (a quarter each) layers with small odd sizes: K and N around the array size. */
export function layerSpec(): fc.Arbitrary<LayerSpec> {
  return fc.oneof(
    {
      weight: 2,
      arbitrary: fc
        .record({
          win: kernelWindow,
          c: fc.integer({ min: 1, max: 9 }),
          out: fc.integer({ min: 1, max: 12 }),
          relu: fc.boolean(),
        })
        .map(({ win, ...r }): LayerSpec => ({ kind: 'conv', ...win, ...r })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ win: kernelWindow, c: fc.integer({ min: 1, max: 6 }) })
        .map(({ win, c }): LayerSpec => ({ kind: 'dwconv', ...win, c })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ k: fc.integer({ min: 1, max: 40 }), n: fc.integer({ min: 1, max: 20 }) })
        .map((r): LayerSpec => ({ kind: 'fc', ...r })),
    },
  );
}

/** The seed of the random tensors and quantization parameters of a property run. */
export const dataSeed = () => fc.integer({ min: 0, max: 0x7fffffff });

/** The fast-check seed of property run `i` (fixed: the same layers every time, a failure replays). */
export const propertySeed = (i: number) => 0x6d6163 + i;

/** What the layers checked by property runs covered: the count, distinct shapes, kinds and features. */
export function coverage(specs: LayerSpec[]) {
  const convs = specs.filter((s) => s.kind !== 'fc');
  return {
    layers: specs.length,
    distinct: new Set(specs.map((s) => JSON.stringify(s))).size,
    kinds: [...new Set(specs.map((s) => s.kind))].sort(),
    strided: convs.filter((s) => s.stride > 1).length,
    padded: convs.filter((s) => s.pad > 0).length,
    dilated: convs.filter((s) => s.dilation > 1 && s.k > 1).length,
  };
}
