/**
 * Quantized ONNX models (QDQ: QuantizeLinear / DequantizeLinear around float Conv, Gemm, MatMul and host ops,
 * as PyTorch's exporter and onnxruntime's quantizer write them; or QLinearConv, QLinearMatMul, QLinearAdd)
 * imported as mactile quantized INT8 models with their scales and zero points as given, requantization mode
 * ort (what onnxruntime computes). Per-tensor activations, per-tensor or per-channel weights, int8 or uint8
 * (uint8 tensors shifted by -128 into int8: same real values, same sums). A MAC layer's ReLU between it and
 * its QuantizeLinear, or as DequantizeLinear -> Relu -> QuantizeLinear at the same scale, is fused.
 */
import { MactileError } from '../util/errors.js';
import type { QuantModel } from '../quant/quantize.js';
import type { QuantLayer } from '../quant/tensor.js';
import { NetBuilder } from './builder.js';
import { isMacLayer, type HostKind, type Shape } from './ir.js';
import { inputShape } from './onnx-import.js';
import { readOnnx, type ConstTensor, type OnnxGraph, type OnnxNode } from './onnx-read.js';
import { foldConstant } from './qdq-consts.js';
import { ortQuantLayer } from './qdq-layers.js';
import { readQParams, tensorQParams, weightInts } from './qdq-params.js';

/** Operators that make an ONNX model a quantized one. */
const QUANT_OPS = new Set(['QuantizeLinear', 'DequantizeLinear', 'QLinearConv', 'QLinearMatMul', 'QLinearAdd']);

/** True when the graph holds quantization operators (import it with importQdqOnnx). */
export function isQuantizedOnnx(g: OnnxGraph): boolean {
  return g.nodes.some((n) => QUANT_OPS.has(n.opType));
}

/** A quantized value: a mactile tensor with its (int8-domain) scale and zero point. */
interface QVal {
  kind: 'q';
  tensor: string;
  scale: number;
  zeroPoint: number;
  /** 2 after a Flatten ([N, C]); 4 for NCHW (`flat`: a Reshape of a flat value to [N, C, 1, 1]). */
  rank: 2 | 4;
  flat?: boolean;
  flattenedFrom?: Shape;
}
/** A float value waiting for its QuantizeLinear. */
type FVal =
  | { kind: 'input' }
  | { kind: 'dq'; of: QVal }
  | { kind: 'wconst'; t: ConstTensor; name: string; scale: number[]; zeroPoint: number[]; offset: number }
  | { kind: 'mac'; node: OnnxNode; x: QVal; w: FVal & { kind: 'wconst' }; bias?: ConstTensor; relu?: OnnxNode }
  | { kind: 'op'; op: HostKind; node: OnnxNode; inputs: QVal[]; alpha?: number };
type Val = QVal | FVal;

const safe = (name: string) => name.replace(/^\/+/, '').replace(/[^A-Za-z0-9_.-]+/g, '_') || 'layer';

/** What mactile holds of a QDQ model while it is read. */
class QdqImporter {
  readonly b: NetBuilder;
  private readonly vals = new Map<string, Val>();
  private readonly names = new Set<string>(['input']);
  readonly tensors: QuantModel['tensors'] = {};
  readonly layers: Record<string, QuantLayer> = {};
  readonly fused: string[] = [];
  readonly hostModes: QuantModel['hostModes'] = {};
  /** The ONNX data type (uint8 2, int8 3) of each quantized value in the file, for the Casts PyTorch writes. */
  private readonly qTypes = new Map<string, number>();
  perChannel = false;

  constructor(
    private readonly g: OnnxGraph,
    shape: Shape,
  ) {
    this.b = new NetBuilder(
      safe(g.file.replace(/^.*\//, '').replace(/\.onnx$/i, '')),
      shape,
      g.file,
      `ONNX model ${g.file}`,
    );
    this.vals.set(g.inputs[0]!.name, { kind: 'input' });
  }

  where(n: OnnxNode): string {
    return `ONNX model ${this.g.file}, node ${n.name} (${n.opType})`;
  }

  private fail(n: OnnxNode, msg: string): never {
    throw new MactileError(`${this.where(n)}: ${msg}`);
  }

  private name(n: OnnxNode): string {
    let s = safe(n.name);
    for (let i = 2; this.names.has(s); i++) s = `${safe(n.name)}_${i}`;
    this.names.add(s);
    return s;
  }

  private val(n: OnnxNode, i: number): Val {
    const v = this.vals.get(n.inputs[i] ?? '');
    if (!v) {
      if (this.g.consts.has(n.inputs[i] ?? ''))
        this.fail(n, `input ${i} (${n.inputs[i]}) is a float constant; mactile reads weights through DequantizeLinear`);
      this.fail(n, `input ${i} (${n.inputs[i] ?? 'missing'}) is not a value mactile computes`);
    }
    return v;
  }

  private q(n: OnnxNode, i: number): QVal {
    const v = this.val(n, i);
    if (v.kind === 'q') return v;
    if (v.kind === 'dq') return v.of;
    return this.fail(n, `expected input ${i} (${n.inputs[i]}) to be a quantized tensor, received a float value`);
  }

  private params(n: OnnxNode, s: number, z: number, tensor: string) {
    const p = readQParams(this.g.consts, n.inputs[s]!, n.inputs[z] || undefined, this.where(n));
    return tensorQParams(p, tensor, this.where(n));
  }

  private set(n: OnnxNode, v: Val): void {
    this.vals.set(n.outputs[0]!, v);
  }

  run(): QuantModel {
    for (const n of this.g.nodes) this.node(n);
    const out = this.vals.get(this.g.outputs[0]?.name ?? '');
    const result = out?.kind === 'q' ? out : out?.kind === 'dq' ? out.of : undefined;
    if (!result)
      throw new MactileError(
        `ONNX model ${this.g.file}: expected output ${this.g.outputs[0]?.name} to be a quantized tensor or its DequantizeLinear`,
      );
    const net = { ...this.b.build(), output: result.tensor };
    if (!net.layers.some(isMacLayer))
      throw new MactileError(`ONNX model ${this.g.file}: expected at least one quantized Conv, Gemm or MatMul`);
    const symmetric = Object.values(this.tensors).every((t) => t.zeroPoint === 0);
    return {
      net,
      options: {
        bits: 8,
        calibration: 'given',
        granularity: this.perChannel ? 'channel' : 'tensor',
        symmetric,
        requant: 'ort',
      },
      tensors: this.tensors,
      layers: this.layers,
      fused: this.fused,
      hostModes: this.hostModes,
    };
  }

  private node(n: OnnxNode): void {
    const op = n.opType;
    if (foldConstant(n, this.g.consts, this.where(n))) return;
    switch (op) {
      case 'QuantizeLinear':
        this.qTypes.set(n.outputs[0]!, this.g.consts.get(n.inputs[2] ?? '')?.type ?? 2);
        return this.quantize(n);
      case 'Cast': {
        // PyTorch casts every QuantizeLinear output to its own type: the identity.
        const [from, to] = [this.qTypes.get(n.inputs[0]!), Number(n.attrs.get('to'))];
        if (from !== to)
          this.fail(
            n,
            `expected a Cast of a quantized tensor to its own type${from ? ` (ONNX data type ${from})` : ''}, received a Cast to ONNX data type ${to}`,
          );
        this.qTypes.set(n.outputs[0]!, to);
        return this.set(n, this.val(n, 0));
      }
      case 'DequantizeLinear': {
        const c = this.g.consts.get(n.inputs[0]!);
        if (c) {
          const p = readQParams(this.g.consts, n.inputs[1]!, n.inputs[2] || undefined, this.where(n), c.type);
          if (p.scale.length > 1) this.perChannel = true;
          return this.set(n, { kind: 'wconst', t: c, name: n.inputs[0]!, ...p });
        }
        return this.set(n, { kind: 'dq', of: this.q(n, 0) });
      }
      case 'QLinearConv':
      case 'QLinearMatMul':
        this.qTypes.set(n.outputs[0]!, this.g.consts.get(n.inputs[7] ?? '')?.type ?? 2);
        return this.qlinearMac(n);
      case 'QLinearAdd': {
        this.qTypes.set(n.outputs[0]!, this.g.consts.get(n.inputs[7] ?? '')?.type ?? 2);
        const [a, b] = [this.q(n, 0), this.q(n, 3)];
        const t = this.b.addTensors(this.name(n), a.tensor, b.tensor);
        return this.set(n, this.hostOut(t, a, this.params(n, 6, 7, t)));
      }
      case 'Conv':
      case 'Gemm':
      case 'MatMul': {
        const w = this.val(n, 1);
        if (w.kind !== 'wconst') this.fail(n, 'expected the weights to be a DequantizeLinear of a constant');
        const bias = n.inputs[2] ? this.biasConst(n, 2) : undefined;
        return this.set(n, { kind: 'mac', node: n, x: this.q(n, 0), w, bias });
      }
      case 'Add': {
        const x = this.val(n, 0);
        if (x.kind === 'mac' && !x.bias && x.node.opType === 'MatMul')
          return this.set(n, { ...x, bias: this.biasConst(n, 1) });
        return this.floatOp(n, 'add');
      }
      case 'Relu': {
        const x = this.val(n, 0);
        if (x.kind === 'mac') return this.set(n, { ...x, relu: n });
        return this.floatOp(n, 'relu');
      }
      case 'Mul': {
        const [x, s] = [this.val(n, 0), this.val(n, 1)];
        if (s.kind === 'op' && s.op === 'sigmoid' && x.kind === 'dq' && s.inputs[0] === x.of)
          return this.set(n, { kind: 'op', op: 'silu', node: n, inputs: [x.of] });
        const [a, b] = [this.q(n, 0), this.q(n, 1)];
        const sb = this.b.shape(b.tensor);
        const sa = this.b.shape(a.tensor);
        return this.floatOp(n, sb.h === 1 && sb.w === 1 && (sa.h > 1 || sa.w > 1) ? 'scale' : 'mul');
      }
      case 'Sigmoid':
        return this.floatOp(n, 'sigmoid');
      case 'Concat':
        if (Number(n.attrs.get('axis')) !== 1) this.fail(n, 'expected axis 1 (channels)');
        return this.floatOp(n, 'concat');
      case 'HardSwish':
        return this.floatOp(n, 'hardswish');
      case 'Softmax':
        return this.floatOp(n, 'softmax');
      case 'GlobalAveragePool':
        return this.floatOp(n, 'globalavgpool');
      case 'Clip':
        return this.floatOp(n, 'relu6');
      case 'LeakyRelu':
        return this.set(n, {
          kind: 'op',
          op: 'leakyrelu',
          node: n,
          inputs: [this.q(n, 0)],
          alpha: Number(n.attrs.get('alpha') ?? 0.01),
        });
      case 'MaxPool':
      case 'AveragePool': {
        const x = this.val(n, 0);
        if (op === 'MaxPool' && x.kind === 'q') {
          const t = this.pool(n, 'maxpool', x);
          this.hostModes[t] = 'integer';
          this.tensors[t] = this.tensors[x.tensor]!;
          return this.set(n, { ...x, tensor: t });
        }
        return this.floatOp(n, op === 'MaxPool' ? 'maxpool' : 'avgpool');
      }
      case 'Flatten':
      case 'Reshape':
        return this.reshape(n);
      case 'Identity':
      case 'Dropout':
        return this.set(n, this.val(n, 0));
      default:
        this.fail(
          n,
          `unsupported operator ${op} in a quantized model (mactile imports QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul, QLinearAdd and Conv, Gemm, MatMul, pooling and activations between them)`,
        );
    }
  }

  private biasConst(n: OnnxNode, i: number): ConstTensor {
    const v = this.vals.get(n.inputs[i]!);
    // An int32 bias through DequantizeLinear: its integers minus its zero point, in accumulator units.
    if (v?.kind === 'wconst')
      return { ...v.t, type: 6, data: v.t.data.map((b, j) => b - v.zeroPoint[v.zeroPoint.length === 1 ? 0 : j]!) };
    const c = this.g.consts.get(n.inputs[i]!);
    if (!c) this.fail(n, `expected bias ${n.inputs[i]} to be a constant or a DequantizeLinear of one`);
    // A float bias: in accumulator units below (rounded with the layer's scales).
    return { ...c, type: 1 };
  }

  private quantize(n: OnnxNode): void {
    const x = this.val(n, 0);
    const at = this.where(n);
    if (x.kind === 'input') {
      const p = this.params(n, 1, 2, 'input');
      this.tensors.input = p;
      return this.set(n, { kind: 'q', tensor: 'input', ...p, rank: this.g.inputs[0]!.dims.length === 2 ? 2 : 4 });
    }
    if (x.kind === 'mac') {
      const t = this.name(x.node);
      const y = this.params(n, 1, 2, t);
      const out = this.mac(x.node, t, x.x, x.w, x.bias, y, !!x.relu);
      if (!x.relu) return this.set(n, out);
      // The ReLU stays a layer of the network (the float model runs it), fused into the MAC layer's output stage.
      const r = this.b.host(this.name(x.relu), 'relu', [t]);
      this.fused.push(r);
      this.tensors[r] = y;
      return this.set(n, { ...out, tensor: r });
    }
    if (x.kind === 'q') {
      // A QuantizeLinear of a reshaped DequantizeLinear (PyTorch's Flatten) at the same scale: the identity.
      const p = this.params(n, 1, 2, x.tensor);
      if (p.scale === x.scale && p.zeroPoint === x.zeroPoint) return this.set(n, x);
      this.fail(n, `expected the scale and zero point of tensor ${x.tensor}, received others (a requantization)`);
    }
    if (x.kind === 'op') {
      const t = this.hostLayer(x);
      const p = this.params(n, 1, 2, t);
      // DequantizeLinear -> Relu -> QuantizeLinear at the scale of a MAC layer's output: its fused ReLU.
      const src = x.inputs[0]!;
      const mac = this.layers[src.tensor];
      const same = p.scale === src.scale && p.zeroPoint === src.zeroPoint;
      if (x.op === 'relu' && mac && !mac.relu && same) {
        mac.relu = true;
        this.fused.push(t);
        delete this.hostModes[t];
      }
      // DequantizeLinear -> MaxPool -> QuantizeLinear at the same scale (PyTorch's): max pooling on integers.
      if (x.op === 'maxpool' && same) this.hostModes[t] = 'integer';
      this.tensors[t] = p;
      return this.set(n, {
        kind: 'q',
        tensor: t,
        ...p,
        rank: src.rank,
        flat: src.flat,
        flattenedFrom: src.flattenedFrom,
      });
    }
    throw new MactileError(
      `${at}: expected a Conv, Gemm, MatMul or a host op before QuantizeLinear, received ${x.kind === 'dq' ? 'a DequantizeLinear (requantization between scales)' : 'a constant'}`,
    );
  }

  private floatOp(n: OnnxNode, op: HostKind): void {
    const inputs = n.inputs.flatMap((name, i) => (this.vals.has(name) ? [this.q(n, i)] : []));
    this.set(n, { kind: 'op', op, node: n, inputs });
  }

  private hostOut(t: string, x: QVal, p: { scale: number; zeroPoint: number }): QVal {
    this.tensors[t] = p;
    this.hostModes[t] = 'float';
    return { kind: 'q', tensor: t, ...p, rank: x.rank, flat: x.flat, flattenedFrom: x.flattenedFrom };
  }

  private pool(n: OnnxNode, kind: 'maxpool' | 'avgpool', x: QVal): string {
    const k = n.attrs.get('kernel_shape') as number[];
    const s = (n.attrs.get('strides') as number[] | undefined) ?? [1, 1];
    const p = (n.attrs.get('pads') as number[] | undefined) ?? [0, 0, 0, 0];
    if (Number(n.attrs.get('ceil_mode') ?? 0) !== 0) this.fail(n, 'expected ceil_mode 0');
    const pad = { top: p[0]!, left: p[1]!, bottom: p[2]!, right: p[3]! };
    return this.b.pool(
      this.name(n),
      kind,
      [k[0]!, k[1]!],
      [s[0]!, s[1]!],
      pad,
      x.tensor,
      Number(n.attrs.get('count_include_pad') ?? 0) === 1,
    );
  }

  private hostLayer(x: FVal & { kind: 'op' }): string {
    const [a, c] = [x.inputs[0]!, x.inputs[1]];
    const name = this.name(x.node);
    let t: string;
    if (x.op === 'maxpool' || x.op === 'avgpool') t = this.pool({ ...x.node, name }, x.op, a);
    else if (x.op === 'globalavgpool') t = this.b.globalAvgPool(name, a.tensor);
    else if (x.op === 'add') t = this.b.addTensors(name, a.tensor, c!.tensor);
    else if (x.op === 'scale') t = this.b.scale(name, a.tensor, c!.tensor);
    else if (x.op === 'concat')
      t = this.b.concat(
        name,
        x.inputs.map((i) => i.tensor),
      );
    else if (x.op === 'leakyrelu') t = this.b.leakyRelu(name, x.alpha ?? 0.01, a.tensor);
    else
      t = this.b.host(
        name,
        x.op,
        x.inputs.map((i) => i.tensor),
      );
    this.hostModes[t] = 'float';
    return t;
  }

  private reshape(n: OnnxNode): void {
    const x = this.q(n, 0);
    const target = n.opType === 'Reshape' ? this.g.consts.get(n.inputs[1]!)?.data : undefined;
    // [0 or N, -1 or C, 1, 1]: a flat value as a 1x1 feature map (an FC as a 1x1 QLinearConv).
    const s = this.b.shape(x.tensor);
    if (
      target &&
      target.length === 4 &&
      target[2] === 1 &&
      target[3] === 1 &&
      (x.rank === 2 || (s.h === 1 && s.w === 1))
    )
      return this.set(n, { ...x, rank: 4, flat: true });
    if (x.rank === 2 && (!target || target.length === 2)) return this.set(n, x);
    if (target && !(target.length === 2 && (target[1] === -1 || target[1] === this.size(x))))
      this.fail(n, `expected a reshape to [N, ${this.size(x)}] (a flatten), received [${[...target].join(', ')}]`);
    if (n.opType === 'Flatten' && Number(n.attrs.get('axis') ?? 1) !== 1) this.fail(n, 'expected axis 1');
    const from = this.b.shape(x.tensor);
    if (x.flat) return this.set(n, { ...x, rank: 2, flat: false });
    const t = this.b.flatten(this.name(n), x.tensor);
    this.hostModes[t] = 'integer';
    this.tensors[t] = this.tensors[x.tensor]!;
    this.set(n, { ...x, tensor: t, rank: 2, flattenedFrom: from });
  }

  private size(x: QVal): number {
    const s = this.b.shape(x.tensor);
    return s.h * s.w * s.c;
  }

  private qlinearMac(n: OnnxNode): void {
    const x = this.q(n, 0);
    const xp = this.params(n, 1, 2, x.tensor);
    if (xp.scale !== x.scale || xp.zeroPoint !== x.zeroPoint)
      this.fail(n, `expected the input's scale and zero point of tensor ${n.inputs[0]}, received others`);
    const wt = this.g.consts.get(n.inputs[3]!);
    if (!wt) this.fail(n, `expected the weights ${n.inputs[3]} to be a constant`);
    const wp = readQParams(this.g.consts, n.inputs[4]!, n.inputs[5] || undefined, this.where(n));
    if (wp.scale.length > 1) this.perChannel = true;
    const t = this.name(n);
    const y = this.params(n, 6, 7, t);
    const bias = n.inputs[8] ? this.g.consts.get(n.inputs[8]) : undefined;
    this.set(n, this.mac(n, t, x, { kind: 'wconst', t: wt, name: n.inputs[3]!, ...wp }, bias, y, false));
  }

  /** One MAC layer: weights to OHWI int8, bias to accumulator units with -zx * sum(w) folded in, ort factors. */
  private mac(
    n: OnnxNode,
    t: string,
    x: QVal,
    w: FVal & { kind: 'wconst' },
    biasT: ConstTensor | undefined,
    y: { scale: number; zeroPoint: number },
    relu: boolean,
  ): QVal {
    const at = this.where(n);
    const d = w.t.dims;
    const matmul = n.opType === 'MatMul' || n.opType === 'QLinearMatMul';
    const gemm = n.opType === 'Gemm';
    const fc = matmul || gemm || x.flat === true;
    let cout: number;
    let channelOf: (i: number) => number;
    if (matmul || gemm) {
      const transB = gemm && Number(n.attrs.get('transB') ?? 0) === 1;
      if (gemm && (Number(n.attrs.get('alpha') ?? 1) !== 1 || Number(n.attrs.get('transA') ?? 0) !== 0))
        this.fail(n, 'expected alpha 1 and transA 0');
      cout = transB ? d[0]! : d[1]!;
      channelOf = transB ? (i) => Math.floor(i / d[1]!) : (i) => i % d[1]!;
      this.b.fc(t, cout, 'none', x.tensor);
    } else {
      const p = (n.attrs.get('pads') as number[] | undefined) ?? [0, 0, 0, 0];
      const ap = n.attrs.get('auto_pad');
      if (ap !== undefined && ap !== 'NOTSET')
        this.fail(n, `expected auto_pad NOTSET (explicit pads), received ${String(ap)}`);
      cout = d[0]!;
      const per = d.slice(1).reduce((a, b2) => a * b2, 1);
      channelOf = (i) => Math.floor(i / per);
      if (fc) this.b.fc(t, cout, 'none', x.tensor);
      else
        this.b.conv(
          t,
          {
            out: cout,
            k: [d[2]!, d[3]!],
            stride: ((n.attrs.get('strides') as number[] | undefined) ?? [1, 1]) as [number, number],
            dilation: ((n.attrs.get('dilations') as number[] | undefined) ?? [1, 1]) as [number, number],
            pad: { top: p[0]!, left: p[1]!, bottom: p[2]!, right: p[3]! },
            groups: Number(n.attrs.get('group') ?? 1),
            at,
          },
          x.tensor,
        );
    }
    const { ints, scale } = weightInts(w.t, w, cout, channelOf, w.name, at);
    const k = ints.length / cout;
    const taps = fc ? 1 : d[2]! * d[3]!;
    const expected = fc ? this.size(x) : taps * (this.b.shape(x.tensor).c / Number(n.attrs.get('group') ?? 1));
    if (k !== expected) this.fail(n, `expected ${expected} weights per output channel, received ${k}`);
    // ONNX's index of mactile's OHWI weight (co, j) (an FC: [out][in] in mactile's flatten order).
    const f = x.flattenedFrom;
    // MatMul's and a Gemm's (transB 0) weights are [K, N]; QLinearConv's and Gemm's with transB 1 [N, K].
    const kn = matmul || (gemm && Number(n.attrs.get('transB') ?? 0) === 0);
    const onnxIndex = (co: number, j: number): number => {
      if (!fc) return co * k + (j % (k / taps)) * taps + Math.floor(j / (k / taps));
      const col = f && f.h * f.w > 1 ? (j % f.c) * f.h * f.w + Math.floor(j / f.c) : j;
      return kn ? col * cout + co : co * k + col;
    };
    this.tensors[t] = y;
    this.layers[t] = ortQuantLayer({ ints, cout, onnxIndex, bias: biasT, x, y, weightScale: scale, relu });
    // An FC on [N, C] gives [N, C]; one as a 1x1 QLinearConv on a flat value stays [N, C, 1, 1] until its Flatten.
    return { kind: 'q', tensor: t, ...y, rank: x.rank, flat: x.flat };
  }
}

/** Reads a quantized ONNX model as a mactile INT8 quantized model in requantization mode ort. */
export function importQdqOnnx(file: string, opts: { inputShape?: Shape } = {}): QuantModel {
  const g = readOnnx(file);
  return new QdqImporter(g, inputShape(g, opts.inputShape)).run();
}
