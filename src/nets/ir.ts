/**
 * The network IR: a topologically ordered list of layers over named tensors (batch 1, NHWC shapes).
 * MAC layers (conv, depthwise conv, fully connected) carry explicit padding, stride, dilation and groups;
 * everything else is a host op that runs outside the accelerator.
 */
import { MactileError } from '../util/errors.js';

/** A feature-map shape, batch 1, channels last. */
export interface Shape {
  h: number;
  w: number;
  c: number;
}

export type MacKind = 'conv' | 'dwconv' | 'fc';
export type HostKind =
  | 'maxpool'
  | 'avgpool'
  | 'globalavgpool'
  | 'add'
  | 'mul'
  | 'scale'
  | 'relu'
  | 'relu6'
  | 'leakyrelu'
  | 'sigmoid'
  | 'silu'
  | 'hardswish'
  | 'flatten'
  | 'concat'
  | 'softmax'
  | 'identity';

export interface Padding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** A layer whose work is multiply-accumulate: it runs on the accelerator. */
export interface MacLayer {
  kind: MacKind;
  name: string;
  input: string;
  output: string;
  inShape: Shape;
  outShape: Shape;
  kernel: { h: number; w: number };
  stride: { h: number; w: number };
  dilation: { h: number; w: number };
  pad: Padding;
  /** Channel groups: 1 for a plain conv or FC, inShape.c for depthwise. */
  groups: number;
  /** Activation fused after the layer (applied in the output stage). */
  activation?: 'relu' | 'relu6' | 'silu' | 'sigmoid' | 'hardswish' | 'none';
  /** Inputs processed at once (absent: 1); see batch.ts. */
  batch?: number;
  /** A GEMM of a SCALE-Sim GEMM file (M, N, K), run as the convolution it equals; shown as kind `gemm`. */
  gemm?: true;
}

/** A non-MAC operator run on the host between accelerator layers. */
export interface HostLayer {
  kind: HostKind;
  name: string;
  inputs: string[];
  output: string;
  inShapes: Shape[];
  outShape: Shape;
  /** Pooling window, stride and padding (pooling ops only). */
  kernel?: { h: number; w: number };
  stride?: { h: number; w: number };
  pad?: Padding;
  /** Average pooling: divide by the whole window (true) or only its part inside the input (false). */
  countIncludePad?: boolean;
  /** LeakyReLU only: the slope for negative inputs (y = x for x > 0, alpha * x otherwise). */
  alpha?: number;
}

export type Layer = MacLayer | HostLayer;

export interface Network {
  name: string;
  input: { name: string; shape: Shape };
  layers: Layer[];
  /** Where the network came from (zoo, file path). */
  source: string;
  /** The tensor holding the network's result (default: the last layer's output). */
  output?: string;
}

const MAC_KINDS: ReadonlySet<string> = new Set(['conv', 'dwconv', 'fc']);

/** True for layers that run on the accelerator. */
export function isMacLayer(layer: Layer): layer is MacLayer {
  return MAC_KINDS.has(layer.kind);
}

/** The MAC layers of a network, in order. */
export function macLayers(net: Network): MacLayer[] {
  return net.layers.filter(isMacLayer);
}

/** The kind a MAC layer is shown as: `gemm` for a GEMM file's row, else its IR kind. */
export function shownKind(l: MacLayer): string {
  return l.gemm ? 'gemm' : l.kind;
}

/** Multiply-accumulates of one MAC layer, over its batch. */
export function layerMacs(l: MacLayer): number {
  const perOutput = l.kernel.h * l.kernel.w * (l.inShape.c / l.groups);
  return (l.batch ?? 1) * l.outShape.h * l.outShape.w * l.outShape.c * perOutput;
}

/** Multiply-accumulates of a whole network. */
export function networkMacs(net: Network): number {
  return macLayers(net).reduce((sum, l) => sum + layerMacs(l), 0);
}

/** Output size of a sliding window along one axis (floor rule, as PyTorch and ONNX compute it). */
export function windowOutput(
  size: number,
  kernel: number,
  stride: number,
  padBefore: number,
  padAfter: number,
  dilation = 1,
): number {
  const span = dilation * (kernel - 1) + 1;
  return Math.floor((size + padBefore + padAfter - span) / stride) + 1;
}

/** A symmetric padding of p on every side. */
export function samePad(p: number): Padding {
  return { top: p, bottom: p, left: p, right: p };
}

/** Human-readable "HxWxC". */
export function shapeText(s: Shape): string {
  return `${s.h}x${s.w}x${s.c}`;
}

/** Float parameters of a MAC layer: weights as [cout][kh][kw][cin/groups] (OHWI), one bias per output channel. */
export interface LayerParams {
  weights: Float32Array;
  bias: Float32Array;
}

/** A network with trained float parameters (from ONNX). */
export interface FloatModel {
  net: Network;
  params: Map<string, LayerParams>;
}

/**
 * What a model can hold of a layer: the largest MAC count, the largest number of values in any one of its
 * tensors (input, output, weights) and in its im2col window matrix (output pixels x kernel window x input
 * channels, all groups), and the largest sums over a network; with what a size past them is past, for messages.
 */
export interface SizeLimits {
  /** What a size past `max` is past, for messages ("past the 67,108,864 (2^26) that ... hold (...)"). */
  beyond: (max: number) => string;
  macs: number;
  values: number;
  /** Sums over the network's MAC layers (the totals), where the model adds layers up. */
  networkMacs?: number;
  networkValues?: number;
}

/**
 * The network IR: MAC counts and tensor sizes are integers that must be exact, below 2^53 (a layer, a tensor,
 * and the sums over a network). SCALE-Sim's own llama3b.csv has 4.3 x 10^14 MACs. What the analytic models
 * compute from them on a given config (cycles, traffic) is checked where they compute it (`checkExactFigures`).
 */
export const IR_LIMITS: SizeLimits = {
  beyond: () =>
    `past ${Number.MAX_SAFE_INTEGER.toLocaleString('en-US')} (2^53 - 1), the largest integer numbers hold exactly`,
  macs: Number.MAX_SAFE_INTEGER,
  values: Number.MAX_SAFE_INTEGER,
  networkMacs: Number.MAX_SAFE_INTEGER,
  networkValues: Number.MAX_SAFE_INTEGER,
};

/**
 * The RTL simulation and the golden integer model hold a layer's operands in memory at once (input, weights,
 * the im2col window matrix laid out for the array, the output and its 64-bit accumulators): at most 2^26
 * values each. AlexNet's fc6 (37.7 M weights) peaks at 784 MB (`sim --layers fc6`, 16x16 os); VGG-16's largest
 * window matrix (224 x 224 x 576) fits, its fc6 (103 M weights) does not. The MACs need
 * no limit of their own: with window (M x K), weights (K x N) and output (M x N) bounded, M x K x N < 2^38.
 */
export const SIM_LIMITS: SizeLimits = {
  beyond: (max) =>
    `past the ${max.toLocaleString('en-US')} (2^${Math.log2(max)}) that the RTL simulation and golden model hold (they keep every operand of a layer in memory at once)`,
  macs: Number.MAX_SAFE_INTEGER,
  values: 2 ** 26,
};

/** The sizes of one MAC layer that the limits bound. */
export function layerSizes(l: MacLayer): {
  macs: number;
  input: number;
  output: number;
  weights: number;
  window: number;
} {
  const taps = l.kernel.h * l.kernel.w;
  const n = l.batch ?? 1;
  return {
    macs: layerMacs(l),
    input: n * l.inShape.h * l.inShape.w * l.inShape.c,
    output: n * l.outShape.h * l.outShape.w * l.outShape.c,
    weights: l.outShape.c * taps * (l.inShape.c / l.groups),
    window: n * l.outShape.h * l.outShape.w * taps * l.inShape.c,
  };
}

/** A size for a message: digits with separators while exact, else 1.23e24. */
export function sizeText(v: number): string {
  return Number.isSafeInteger(v) ? v.toLocaleString('en-US') : v.toExponential(2).replace('e+', 'e');
}

/** What of a tensor shape is past the limits ("the tensor 1x1x10000000000000 holds ..."), or undefined when it fits. */
export function shapeSizeProblem(s: Shape, limits: SizeLimits): string | undefined {
  const v = s.h * s.w * s.c;
  return v > limits.values
    ? `the tensor ${shapeText(s)} holds ${sizeText(v)} values, ${limits.beyond(limits.values)}`
    : undefined;
}

/** What of a layer is past the limits ("1.00e24 MACs, past the ..."), or undefined when it fits. */
export function layerSizeProblem(layer: Layer, limits: SizeLimits): string | undefined {
  const max = limits.values;
  if (!isMacLayer(layer)) {
    const v = layer.outShape.h * layer.outShape.w * layer.outShape.c;
    return v > max
      ? `its output ${shapeText(layer.outShape)} holds ${sizeText(v)} values, ${limits.beyond(max)}`
      : undefined;
  }
  const s = layerSizes(layer);
  if (s.macs > limits.macs) return `${sizeText(s.macs)} MACs, ${limits.beyond(limits.macs)}`;
  const { outShape: o, inShape: i, kernel: k } = layer;
  const n = layer.batch ?? 1;
  const times = n > 1 ? ` x batch ${n}` : '';
  if (s.input > max)
    return `its input ${shapeText(i)}${times} holds ${sizeText(s.input)} values, ${limits.beyond(max)}`;
  if (s.output > max)
    return `its output ${shapeText(o)}${times} holds ${sizeText(s.output)} values, ${limits.beyond(max)}`;
  if (s.weights > max)
    return `its weights (${o.c} x ${k.h} x ${k.w} x ${i.c / layer.groups}) are ${sizeText(s.weights)} values, ${limits.beyond(max)}`;
  if (s.window > max) {
    return `its im2col window matrix (${sizeText(n * o.h * o.w)} output pixels x ${sizeText(k.h * k.w * i.c)} taps) holds ${sizeText(s.window)} values, ${limits.beyond(max)}`;
  }
  return undefined;
}

/** What of a network is past the limits (a layer, or the totals), or undefined when it fits. */
export function networkSizeProblem(net: Network, limits: SizeLimits): string | undefined {
  let macs = 0;
  let values = 0;
  for (const l of net.layers) {
    const problem = layerSizeProblem(l, limits);
    if (problem) return `layer ${l.name}: ${problem}`;
    if (!isMacLayer(l)) continue;
    const s = layerSizes(l);
    macs += s.macs;
    values += s.input + s.output + s.weights;
  }
  if (limits.networkMacs !== undefined && macs > limits.networkMacs) {
    return `its MAC layers have ${sizeText(macs)} MACs in all, ${limits.beyond(limits.networkMacs)}`;
  }
  if (limits.networkValues !== undefined && values > limits.networkValues) {
    return `its MAC layers have ${sizeText(values)} input, output and weight values in all, ${limits.beyond(limits.networkValues)}`;
  }
  return undefined;
}

/**
 * Refuses figures of an analytic model past 2^53 - 1 (cycles, traffic): integers there are not exact, and a
 * printed figure would look exact when it is not. `where` names the layer (or the totals) and the config.
 */
export function checkExactFigures(where: string, figures: object): void {
  for (const [key, v] of Object.entries(figures)) {
    if (typeof v === 'number' && Math.abs(v) > Number.MAX_SAFE_INTEGER) {
      throw new MactileError(
        `${where}: its ${key} would be ${sizeText(v)}, ${IR_LIMITS.beyond(v)}; use a larger array, or fewer or smaller layers`,
      );
    }
  }
}
