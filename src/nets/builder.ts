/**
 * A small builder for networks in the IR: it tracks tensors and their shapes, computes output shapes
 * and rejects impossible layers (a kernel larger than its padded input, a stride of 0) with clear errors.
 */
import { MactileError } from '../util/errors.js';
import {
  IR_LIMITS,
  layerSizeProblem,
  networkSizeProblem,
  samePad,
  shapeSizeProblem,
  shapeText,
  windowOutput,
  type HostKind,
  type HostLayer,
  type Layer,
  type MacLayer,
  type Network,
  type Padding,
  type Shape,
} from './ir.js';

export interface ConvOptions {
  out: number;
  k: number | [number, number];
  stride?: number | [number, number];
  pad?: number | Padding;
  dilation?: number | [number, number];
  groups?: number;
  activation?: MacLayer['activation'];
  /** Where the layer comes from, for messages (default: the network and the layer's name). */
  at?: string;
}

/** The largest height, width, channel count, kernel, stride, dilation or padding a layer may have. */
const MAX_DIM = 2 ** 31 - 1;

const pair = (v: number | [number, number]) => (Array.isArray(v) ? { h: v[0], w: v[1] } : { h: v, w: v });
const padOf = (p: number | Padding | undefined) =>
  p === undefined ? samePad(0) : typeof p === 'number' ? samePad(p) : p;

/** Builds a network layer by layer; each method returns the name of the tensor it produced. */
export class NetBuilder {
  private readonly shapes = new Map<string, Shape>();
  private readonly layers: Layer[] = [];
  private readonly names = new Set<string>();
  private last: string;

  constructor(
    private readonly netName: string,
    private readonly inputShape: Shape,
    private readonly source = 'zoo',
    private readonly where = `network ${netName}`,
  ) {
    checkShape(inputShape, `${this.where}: input`);
    this.last = 'input';
    this.shapes.set('input', inputShape);
  }

  /** Shape of a tensor built so far. */
  shape(tensor = this.last): Shape {
    const s = this.shapes.get(tensor);
    if (!s) throw new MactileError(`${this.where}: unknown tensor ${JSON.stringify(tensor)}`);
    return s;
  }

  /** Declares an extra graph input (e.g. each row of a topology CSV reads its own feature map). */
  tensor(name: string, shape: Shape): string {
    checkShape(shape, `${this.where}: tensor ${name}`);
    if (this.shapes.has(name))
      throw new MactileError(`${this.where}: tensor name ${JSON.stringify(name)} is used twice`);
    this.shapes.set(name, shape);
    this.last = name;
    return name;
  }

  /** Name of the most recently produced tensor. */
  get current(): string {
    return this.last;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new MactileError(`${this.where}: layer name ${JSON.stringify(name)} is used twice`);
    this.names.add(name);
    return name;
  }

  private add(layer: Layer, where = `${this.where}, layer ${layer.name}`): string {
    const problem = layerSizeProblem(layer, IR_LIMITS);
    if (problem) throw new MactileError(`${where}: ${problem}`);
    this.layers.push(layer);
    this.shapes.set(layer.output, layer.outShape);
    this.last = layer.output;
    return layer.output;
  }

  /** A convolution (groups = 1), grouped or depthwise (groups = input channels = out) convolution. */
  conv(name: string, o: ConvOptions, from = this.last): string {
    this.claim(name);
    const inShape = this.shape(from);
    const kernel = pair(o.k);
    const stride = pair(o.stride ?? 1);
    const dilation = pair(o.dilation ?? 1);
    const pad = padOf(o.pad);
    const groups = o.groups ?? 1;
    const where = o.at ?? `${this.where}, layer ${name}`;
    checkWindow(inShape, kernel, stride, pad, dilation, where);
    if (!Number.isInteger(o.out) || o.out < 1 || o.out > MAX_DIM)
      throw new MactileError(
        `${where}: expected a positive number of filters up to ${MAX_DIM.toLocaleString('en-US')}, received ${o.out}`,
      );
    if (groups < 1 || inShape.c % groups !== 0 || o.out % groups !== 0) {
      throw new MactileError(
        `${where}: expected groups dividing input channels ${inShape.c} and filters ${o.out}, received ${groups}`,
      );
    }
    const outShape = {
      h: windowOutput(inShape.h, kernel.h, stride.h, pad.top, pad.bottom, dilation.h),
      w: windowOutput(inShape.w, kernel.w, stride.w, pad.left, pad.right, dilation.w),
      c: o.out,
    };
    const depthwise = groups > 1 && groups === inShape.c && o.out === inShape.c;
    const layer: MacLayer = {
      kind: depthwise ? 'dwconv' : 'conv',
      name,
      input: from,
      output: name,
      inShape,
      outShape,
      kernel,
      stride,
      dilation,
      pad,
      groups,
      activation: o.activation ?? 'none',
    };
    return this.add(layer, where);
  }

  /** A fully connected layer over a flattened 1x1xC input. */
  fc(name: string, out: number, activation: MacLayer['activation'] = 'none', from = this.last): string {
    this.claim(name);
    const inShape = this.shape(from);
    const where = `${this.where}, layer ${name}`;
    if (inShape.h !== 1 || inShape.w !== 1)
      throw new MactileError(`${where}: expected a flattened 1x1xC input, received ${shapeText(inShape)}`);
    if (!Number.isInteger(out) || out < 1 || out > MAX_DIM)
      throw new MactileError(
        `${where}: expected a positive number of outputs up to ${MAX_DIM.toLocaleString('en-US')}, received ${out}`,
      );
    return this.add({
      kind: 'fc',
      name,
      input: from,
      output: name,
      inShape,
      outShape: { h: 1, w: 1, c: out },
      kernel: { h: 1, w: 1 },
      stride: { h: 1, w: 1 },
      dilation: { h: 1, w: 1 },
      pad: samePad(0),
      groups: 1,
      activation,
    });
  }

  /** Max or average pooling (square window and stride, or [h, w] pairs; padding per side). */
  pool(
    name: string,
    kind: 'maxpool' | 'avgpool',
    k: number | [number, number],
    stride: number | [number, number],
    pad: number | Padding = 0,
    from = this.last,
    countIncludePad = false,
  ): string {
    this.claim(name);
    const inShape = this.shape(from);
    const p = padOf(pad);
    const kk = pair(k);
    const st = pair(stride);
    checkWindow(inShape, kk, st, p, { h: 1, w: 1 }, `${this.where}, layer ${name}`);
    const outShape = {
      h: windowOutput(inShape.h, kk.h, st.h, p.top, p.bottom),
      w: windowOutput(inShape.w, kk.w, st.w, p.left, p.right),
      c: inShape.c,
    };
    return this.add({
      kind,
      name,
      inputs: [from],
      output: name,
      inShapes: [inShape],
      outShape,
      kernel: kk,
      stride: st,
      pad: p,
      ...(kind === 'avgpool' ? { countIncludePad } : {}),
    });
  }

  /** Concatenation along channels of tensors with equal height and width. */
  concat(name: string, inputs: string[]): string {
    const shapes = inputs.map((t) => this.shape(t));
    const first = shapes[0]!;
    if (shapes.some((s) => s.h !== first.h || s.w !== first.w)) {
      throw new MactileError(
        `${this.where}, layer ${name}: expected inputs of equal height and width, received ${shapes.map(shapeText).join(', ')}`,
      );
    }
    return this.host(name, 'concat', inputs, { h: first.h, w: first.w, c: shapes.reduce((s, x) => s + x.c, 0) });
  }

  /** A host op whose output has the given shape (defaults to its first input's shape). */
  host(name: string, kind: HostKind, inputs: string[] = [this.last], outShape?: Shape): string {
    this.claim(name);
    const inShapes = inputs.map((t) => this.shape(t));
    return this.add({
      kind,
      name,
      inputs,
      output: name,
      inShapes,
      outShape: outShape ?? inShapes[0]!,
    } satisfies HostLayer);
  }

  /** LeakyReLU with slope alpha for negative inputs (Darknet's `leaky` is alpha = 0.1). */
  leakyRelu(name: string, alpha: number, from = this.last): string {
    if (!Number.isFinite(alpha) || alpha < 0 || alpha >= 1) {
      throw new MactileError(
        `${this.where}, layer ${name}: expected a LeakyReLU slope alpha in [0, 1), received ${alpha}`,
      );
    }
    this.claim(name);
    const s = this.shape(from);
    return this.add({
      kind: 'leakyrelu',
      name,
      inputs: [from],
      output: name,
      inShapes: [s],
      outShape: s,
      alpha,
    } satisfies HostLayer);
  }

  /** Global average pooling to 1x1xC. */
  globalAvgPool(name: string, from = this.last): string {
    const s = this.shape(from);
    return this.host(name, 'globalavgpool', [from], { h: 1, w: 1, c: s.c });
  }

  /** Flattening to 1x1x(H*W*C). */
  flatten(name: string, from = this.last): string {
    const s = this.shape(from);
    return this.host(name, 'flatten', [from], { h: 1, w: 1, c: s.h * s.w * s.c });
  }

  /** Element-wise residual add of two tensors of one shape. */
  addTensors(name: string, a: string, b: string): string {
    const sa = this.shape(a);
    const sb = this.shape(b);
    if (shapeText(sa) !== shapeText(sb))
      throw new MactileError(
        `${this.where}, layer ${name}: expected equal shapes, received ${shapeText(sa)} and ${shapeText(sb)}`,
      );
    return this.host(name, 'add', [a, b], sa);
  }

  /** Channel-wise scaling of x (HxWxC) by s (1x1xC), as in squeeze-and-excite. */
  scale(name: string, x: string, s: string): string {
    const sx = this.shape(x);
    const ss = this.shape(s);
    if (ss.c !== sx.c || ss.h !== 1 || ss.w !== 1)
      throw new MactileError(`${this.where}, layer ${name}: expected a 1x1x${sx.c} scale, received ${shapeText(ss)}`);
    return this.host(name, 'scale', [x, s], sx);
  }

  /** The finished network (refused when its totals are past what the analytic models hold exactly). */
  build(): Network {
    const net: Network = {
      name: this.netName,
      input: { name: 'input', shape: this.inputShape },
      layers: [...this.layers],
      source: this.source,
    };
    const problem = networkSizeProblem(net, IR_LIMITS);
    if (problem) throw new MactileError(`${this.where}: ${problem}`);
    return net;
  }
}

function checkShape(s: Shape, where: string): void {
  for (const [k, v] of Object.entries(s)) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_DIM) {
      throw new MactileError(
        `${where}: expected a positive integer ${k === 'c' ? 'channel count' : k === 'h' ? 'height' : 'width'} up to ${MAX_DIM.toLocaleString('en-US')}, received ${v}`,
      );
    }
  }
  const problem = shapeSizeProblem(s, IR_LIMITS);
  if (problem) throw new MactileError(`${where}: ${problem}`);
}

function checkWindow(
  s: Shape,
  k: { h: number; w: number },
  st: { h: number; w: number },
  p: Padding,
  d: { h: number; w: number },
  where: string,
): void {
  checkShape(s, `${where}: input`);
  for (const [label, v] of [
    ['kernel height', k.h],
    ['kernel width', k.w],
    ['stride', st.h],
    ['stride', st.w],
    ['dilation', d.h],
    ['dilation', d.w],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_DIM)
      throw new MactileError(
        `${where}: expected a positive integer ${label} up to ${MAX_DIM.toLocaleString('en-US')}, received ${v}`,
      );
  }
  for (const v of [p.top, p.bottom, p.left, p.right]) {
    if (!Number.isInteger(v) || v < 0 || v > MAX_DIM)
      throw new MactileError(
        `${where}: expected a padding from 0 to ${MAX_DIM.toLocaleString('en-US')}, received ${v}`,
      );
  }
  const spanH = d.h * (k.h - 1) + 1;
  const spanW = d.w * (k.w - 1) + 1;
  if (spanH > s.h + p.top + p.bottom || spanW > s.w + p.left + p.right) {
    throw new MactileError(
      `${where}: filter ${k.h}x${k.w} is larger than its padded input ${s.h + p.top + p.bottom}x${s.w + p.left + p.right}`,
    );
  }
}
