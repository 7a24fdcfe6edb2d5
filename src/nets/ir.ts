/**
 * The network IR: a topologically ordered list of layers over named tensors (batch 1, NHWC shapes).
 * MAC layers (conv, depthwise conv, fully connected) carry explicit padding, stride, dilation and groups;
 * everything else is a host op that runs outside the accelerator.
 */

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

/** Multiply-accumulates of one MAC layer (batch 1). */
export function layerMacs(l: MacLayer): number {
  const perOutput = l.kernel.h * l.kernel.w * (l.inShape.c / l.groups);
  return l.outShape.h * l.outShape.w * l.outShape.c * perOutput;
}

/** Multiply-accumulates of a whole network. */
export function networkMacs(net: Network): number {
  return macLayers(net).reduce((sum, l) => sum + layerMacs(l), 0);
}

/** Output size of a sliding window along one axis (floor rule, as PyTorch and ONNX compute it). */
export function windowOutput(size: number, kernel: number, stride: number, padBefore: number, padAfter: number, dilation = 1): number {
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
