/**
 * A quantized INT8 model as an ONNX file onnxruntime runs (opset 17, NCHW, batch dimension `N`): the input
 * through QuantizeLinear; each MAC layer one QLinearConv (int8 weights OIHW, per-channel float32 weight
 * scales, int32 bias with the input zero point unfolded again; an FC is a 1x1 QLinearConv over [N, C, 1, 1]);
 * a fused ReLU as DequantizeLinear -> Relu -> QuantizeLinear at the layer's own scale (max(q, zero point));
 * max pooling and flatten on the int8 tensors; every other host op in float between DequantizeLinear and
 * QuantizeLinear. onnxruntime's QLinearConv requantizes as mode ort does, so a model quantized with
 * `requant: ort` gives the golden executor's integers. Outputs: the quantized result `<output>_q` and its
 * dequantized value `<output>`.
 */
import { createRequire } from 'node:module';
import { isMacLayer, type HostLayer, type MacLayer, type Shape } from '../nets/ir.js';
import { MactileError } from '../util/errors.js';
import type { QuantModel } from './quantize.js';

const require = createRequire(import.meta.url);
/** The onnx-proto message classes the writer uses (plain objects in, bytes out). */
interface ProtoClass {
  create(fields: object): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}
type ProtoName = 'TensorProto' | 'AttributeProto' | 'NodeProto' | 'ValueInfoProto' | 'GraphProto' | 'ModelProto';
const { onnx } = require('onnx-proto') as { onnx: Record<ProtoName, ProtoClass> };

const FLOAT = 1;
const INT8 = 3;
const INT32 = 6;
const INT64 = 7;

interface Value {
  name: string;
  /** 4: NCHW feature map; 2: [N, C] after a Flatten. */
  rank: 4 | 2;
  /** The feature map a Flatten made this value from (its NCHW order differs from mactile's NHWC). */
  flattenedFrom?: Shape;
}

type Attr = number | number[] | string;

class GraphWriter {
  readonly nodes: unknown[] = [];
  readonly inits: unknown[] = [];
  private n = 0;

  init(name: string, type: number, dims: number[], values: ArrayLike<number>): string {
    const t: Record<string, unknown> = { name, dims, dataType: type };
    if (type === FLOAT) t.floatData = Array.from(values, Math.fround);
    else if (type === INT64) t.int64Data = Array.from(values);
    else if (type === INT8) t.rawData = new Uint8Array(Int8Array.from(values).buffer);
    else t.int32Data = Array.from(values);
    this.inits.push(onnx.TensorProto.create(t));
    return name;
  }

  /** Adds a node (named `name`, else after its operator) and returns its output. */
  node(opType: string, inputs: string[], output: string, attrs: Record<string, Attr> = {}, name?: string): string {
    const attribute = Object.entries(attrs).map(([name, v]) =>
      typeof v === 'string'
        ? onnx.AttributeProto.create({ name, type: 3, s: Buffer.from(v) })
        : Array.isArray(v)
          ? onnx.AttributeProto.create({ name, type: 7, ints: v })
          : name === 'alpha' || name === 'min' || name === 'max'
            ? onnx.AttributeProto.create({ name, type: 1, f: v })
            : onnx.AttributeProto.create({ name, type: 2, i: v }),
    );
    this.nodes.push(
      onnx.NodeProto.create({
        name: name ?? `${opType}_${this.n++}`,
        opType,
        input: inputs,
        output: [output],
        attribute,
      }),
    );
    return output;
  }
}

/** ONNX padding order: [top, left, bottom, right]. */
const pads = (p: MacLayer['pad']) => [p.top, p.left, p.bottom, p.right];

/** Writes an INT8 quantized model as ONNX bytes. */
export function exportQdqOnnx(qm: QuantModel): Uint8Array {
  if (qm.options.bits !== 8)
    throw new MactileError(
      `--export-onnx: expected an INT8 model (onnxruntime's QLinearConv takes 8-bit operands), received INT${qm.options.bits}`,
    );
  const g = new GraphWriter();
  const values = new Map<string, Value>();
  const qparams = new Map<string, [string, string]>();
  /** The scale and zero point initializers of a mactile tensor. */
  const qp = (t: string): [string, string] => {
    let p = qparams.get(t);
    if (!p) {
      const q = qm.tensors[t]!;
      p = [g.init(`${t}.scale`, FLOAT, [], [q.scale]), g.init(`${t}.zero_point`, INT8, [], [q.zeroPoint])];
      qparams.set(t, p);
    }
    return p;
  };
  const dqs = new Map<string, string>();
  const dq = (t: string): string => {
    let d = dqs.get(t);
    if (!d) dqs.set(t, (d = g.node('DequantizeLinear', [values.get(t)!.name, ...qp(t)], `${t}.dq`)));
    return d;
  };
  const q = (f: string, t: string, out: string): string => g.node('QuantizeLinear', [f, ...qp(t)], out);

  const input = qm.net.input.name;
  values.set(input, { name: q('input.float', input, `${input}.q`), rank: 4 });
  for (const l of qm.net.layers) {
    if (isMacLayer(l)) values.set(l.output, macLayer(g, qm, l, values.get(l.input)!, qp));
    else if (qm.fused.includes(l.name)) values.set(l.output, values.get(l.inputs[0]!)!);
    else values.set(l.output, hostLayer(g, qm, l, values, dq, q));
  }
  const out = qm.net.output ?? qm.net.layers.at(-1)!.output;
  const result = values.get(out)!;
  g.node('Identity', [result.name], `${out}_q`);
  g.node('DequantizeLinear', [result.name, ...qp(out)], out);
  const s = qm.net.input.shape;
  const outShape = qm.net.layers.find((l) => l.output === out)!.outShape;
  const outDims = result.rank === 2 ? ['N', outShape.c] : ['N', outShape.c, outShape.h, outShape.w];
  const vi = (name: string, elemType: number, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType,
          shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        },
      },
    });
  const graph = onnx.GraphProto.create({
    name: qm.net.name,
    node: g.nodes,
    initializer: g.inits,
    input: [vi('input.float', FLOAT, ['N', s.c, s.h, s.w])],
    output: [vi(`${out}_q`, INT8, outDims), vi(out, FLOAT, outDims)],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph,
    producerName: 'mactile',
    docString: `mactile quantized model (requant ${qm.options.requant ?? 'rhaz'}) of ${qm.net.source}`,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** One MAC layer as QLinearConv (an FC over [N, C, 1, 1]), with a fused ReLU after it. */
function macLayer(g: GraphWriter, qm: QuantModel, l: MacLayer, x: Value, qp: (t: string) => [string, string]): Value {
  const ql = qm.layers[l.name]!;
  const cout = l.outShape.c;
  const cinG = l.inShape.c / l.groups;
  const taps = l.kernel.h * l.kernel.w;
  const k = taps * cinG;
  // mactile OHWI -> ONNX OIHW; an FC behind a Flatten of a feature map reads ONNX's NCHW order.
  const w = new Int8Array(cout * k);
  const f = l.kind === 'fc' ? x.flattenedFrom : undefined;
  for (let co = 0; co < cout; co++)
    for (let t = 0; t < taps; t++)
      for (let ci = 0; ci < cinG; ci++) {
        const src = ql.weights[co * k + t * cinG + ci]!;
        if (f && f.h * f.w > 1) {
          // mactile column (hw * C + c) is ONNX column (c * H * W + hw).
          const j = t * cinG + ci;
          w[co * k + (j % f.c) * f.h * f.w + Math.floor(j / f.c)] = src;
        } else w[co * k + ci * taps + t] = src;
      }
  // QLinearConv subtracts the input zero point itself: the bias without the folded -zp * sum(w).
  const bias = ql.bias.map((b, co) => {
    let sum = 0;
    for (let i = 0; i < k; i++) sum += ql.weights[co * k + i]!;
    const v = b + BigInt(ql.inZeroPoint) * BigInt(sum);
    if (v < -(2n ** 31n) || v >= 2n ** 31n)
      throw new MactileError(
        `--export-onnx: layer ${l.name}'s bias of channel ${co} is ${v}, beyond QLinearConv's int32 bias`,
      );
    return Number(v);
  });
  const ws = ql.weightScale;
  if (!ws) throw new MactileError(`--export-onnx: layer ${l.name} has no weight scales (quantize the model again)`);
  let input = x.name;
  // An FC reads [N, C, 1, 1] through a Reshape (which also tells an importer it is one).
  if (l.kind === 'fc')
    input = g.node('Reshape', [x.name, g.init(`${l.name}.in_shape`, INT64, [4], [0, -1, 1, 1])], `${l.name}.in4`);
  const conv = g.node(
    'QLinearConv',
    [
      input,
      ...qp(l.input),
      g.init(`${l.name}.weight`, INT8, [cout, cinG, l.kernel.h, l.kernel.w], w),
      g.init(`${l.name}.weight_scale`, FLOAT, [cout], ws),
      g.init(`${l.name}.weight_zero_point`, INT8, [cout], new Int8Array(cout)),
      ...qp(l.output),
      g.init(`${l.name}.bias`, INT32, [cout], bias),
    ],
    `${l.name}.conv`,
    {
      kernel_shape: [l.kernel.h, l.kernel.w],
      strides: [l.stride.h, l.stride.w],
      dilations: [l.dilation.h, l.dilation.w],
      pads: pads(l.pad),
      group: l.groups,
    },
    l.name,
  );
  let out = conv;
  if (ql.relu) {
    const [s, z] = qp(l.output);
    // Named after the fused ReLU layer, so that an import gives the same network.
    const fusedRelu = qm.net.layers.find(
      (r) => qm.fused.includes(r.name) && !isMacLayer(r) && r.inputs[0] === l.output,
    );
    const dqc = g.node('DequantizeLinear', [conv, s, z], `${l.name}.conv.dq`);
    const r = g.node('Relu', [dqc], `${l.name}.relu`, {}, fusedRelu?.name);
    out = g.node('QuantizeLinear', [r, s, z], `${l.name}.q`);
  }
  if (x.rank === 2) return { name: g.node('Flatten', [out], `${l.name}.flat`, { axis: 1 }), rank: 2 };
  return { name: out, rank: 4 };
}

/** A host op: on the int8 tensor (max pooling, flatten, identity, ReLU) or in float between DQ and Q. */
function hostLayer(
  g: GraphWriter,
  qm: QuantModel,
  l: HostLayer,
  values: Map<string, Value>,
  dq: (t: string) => string,
  q: (f: string, t: string, out: string) => string,
): Value {
  const x = values.get(l.inputs[0]!)!;
  const o = l.output;
  const window = () => ({
    kernel_shape: [l.kernel!.h, l.kernel!.w],
    strides: [l.stride!.h, l.stride!.w],
    pads: pads(l.pad!),
  });
  if (l.kind === 'maxpool' && qm.hostModes[l.name] === 'integer')
    return { name: g.node('MaxPool', [x.name], o, window(), l.name), rank: 4 };
  if (l.kind === 'flatten')
    return x.rank === 2
      ? x
      : { name: g.node('Flatten', [x.name], o, { axis: 1 }, l.name), rank: 2, flattenedFrom: l.inShapes[0] };
  if (l.kind === 'identity') return x;
  const ins = l.inputs.map(dq);
  let f: string;
  switch (l.kind) {
    case 'relu':
      f = g.node('Relu', ins, `${o}.f`, {}, o);
      break;
    case 'relu6':
      f = g.node(
        'Clip',
        [ins[0]!, g.init(`${o}.lo`, FLOAT, [], [0]), g.init(`${o}.hi`, FLOAT, [], [6])],
        `${o}.f`,
        {},
        o,
      );
      break;
    case 'leakyrelu':
      f = g.node('LeakyRelu', ins, `${o}.f`, { alpha: l.alpha ?? 0.01 }, o);
      break;
    case 'sigmoid':
      f = g.node('Sigmoid', ins, `${o}.f`, {}, o);
      break;
    case 'silu':
      f = g.node('Mul', [ins[0]!, g.node('Sigmoid', ins, `${o}.sig`, {}, `${o}.sigmoid`)], `${o}.f`, {}, o);
      break;
    case 'hardswish':
      f = g.node('HardSwish', ins, `${o}.f`, {}, o);
      break;
    case 'add':
      f = g.node('Add', ins, `${o}.f`, {}, o);
      break;
    case 'mul':
    case 'scale':
      f = g.node('Mul', ins, `${o}.f`, {}, o);
      break;
    case 'maxpool':
      f = g.node('MaxPool', ins, `${o}.f`, window(), o);
      break;
    case 'avgpool':
      f = g.node('AveragePool', ins, `${o}.f`, { ...window(), count_include_pad: l.countIncludePad ? 1 : 0 }, o);
      break;
    case 'globalavgpool':
      f = g.node('GlobalAveragePool', ins, `${o}.f`, {}, o);
      break;
    case 'concat':
      f = g.node('Concat', ins, `${o}.f`, { axis: 1 }, o);
      break;
    case 'softmax':
      f = g.node('Softmax', ins, `${o}.f`, { axis: 1 }, o);
      break;
    default:
      throw new MactileError(`--export-onnx: host op ${l.name} (${l.kind}) has no ONNX form in the exporter`);
  }
  return { name: q(f, o, `${o}.q`), rank: x.rank, flattenedFrom: x.flattenedFrom };
}
