/**
 * ONNX to the network IR with float parameters: the operators PyTorch exports for LeNet-, AlexNet- and
 * EfficientNet-style CNNs. Layouts change from NCHW to NHWC (weights to OHWI; FC weights behind a Flatten
 * of a feature map are permuted to match), BatchNormalization is folded into the preceding Conv, Dropout
 * and Identity vanish, x*sigmoid(x) becomes SiLU, MatMul+Add becomes a fully connected layer.
 */
import { basename, extname } from 'node:path';
import { MactileError } from '../util/errors.js';
import { NetBuilder } from './builder.js';
import {
  isMacLayer,
  shapeText,
  type FloatModel,
  type HostKind,
  type LayerParams,
  type MacLayer,
  type Shape,
} from './ir.js';
import { readOnnx, type AttrValue, type ConstTensor, type OnnxGraph, type OnnxNode } from './onnx-read.js';

/** ONNX operators the importer understands. */
const SUPPORTED_OPS = [
  'Conv',
  'Gemm',
  'MatMul',
  'Add',
  'Mul',
  'Relu',
  'Clip',
  'Sigmoid',
  'HardSwish',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'ReduceMean',
  'Flatten',
  'Reshape',
  'BatchNormalization',
  'Dropout',
  'Identity',
  'Concat',
  'Softmax',
  'Constant',
];

interface Value {
  /** IR tensor name. */
  tensor: string;
  shape: Shape;
  /** Set when the value is a Flatten of a feature map (NHWC here, NCHW in ONNX). */
  flattenedFrom?: Shape;
}

const safe = (name: string) => name.replace(/^\/+/, '').replace(/[^A-Za-z0-9_.-]+/g, '_') || 'layer';

class Importer {
  readonly b: NetBuilder;
  readonly params = new Map<string, LayerParams>();
  private readonly values = new Map<string, Value>();
  private readonly consts: Map<string, ConstTensor>;
  private readonly uses = new Map<string, number>();
  private readonly names = new Set<string>();

  constructor(
    private readonly g: OnnxGraph,
    inputShape: Shape,
  ) {
    this.consts = new Map(g.consts);
    for (const n of g.nodes) for (const i of n.inputs) this.uses.set(i, (this.uses.get(i) ?? 0) + 1);
    for (const o of g.outputs) this.uses.set(o.name, (this.uses.get(o.name) ?? 0) + 1);
    const name = basename(g.file, extname(g.file));
    this.b = new NetBuilder(name, inputShape, g.file, `ONNX model ${g.file}`);
    this.values.set(g.inputs[0]!.name, { tensor: 'input', shape: inputShape });
  }

  private where(n: OnnxNode): string {
    return `ONNX model ${this.g.file}, node ${n.name} (${n.opType})`;
  }

  private fail(n: OnnxNode, msg: string): never {
    throw new MactileError(`${this.where(n)}: ${msg}`);
  }

  /** A unique IR layer name for a node. */
  private layerName(n: OnnxNode): string {
    let name = safe(n.name);
    for (let i = 2; this.names.has(name); i++) name = `${safe(n.name)}_${i}`;
    this.names.add(name);
    return name;
  }

  private value(n: OnnxNode, name: string): Value {
    const v = this.values.get(name);
    if (!v)
      this.fail(
        n,
        `input ${JSON.stringify(name)} is not a feature map produced earlier${this.consts.has(name) ? ' (a constant where a feature map was expected)' : ''}`,
      );
    return v;
  }

  private constant(n: OnnxNode, name: string | undefined, what: string): ConstTensor {
    const c = name ? this.consts.get(name) : undefined;
    if (!c)
      this.fail(
        n,
        `expected ${what} as a constant (initializer), received ${name ? `the computed tensor ${JSON.stringify(name)}` : 'nothing'}`,
      );
    return c;
  }

  /** A constant that becomes a layer's parameters (weights, bias, batch-norm statistics): every value finite. */
  private parameter(n: OnnxNode, name: string | undefined, what: string): ConstTensor {
    const c = this.constant(n, name, what);
    const i = c.data.findIndex((v) => !Number.isFinite(v));
    if (i >= 0)
      this.fail(
        n,
        `${what} ${JSON.stringify(name)}: expected finite values, received ${c.data[i]} at index ${i} of ${c.data.length}`,
      );
    return c;
  }

  /** Parameters computed from finite ones (a folded batch norm) can still overflow: refuse them by name. */
  private checkFinite(n: OnnxNode, layer: string, p: LayerParams, how: string): void {
    for (const [what, data] of [
      ['weights', p.weights],
      ['bias', p.bias],
    ] as const) {
      const i = data.findIndex((v) => !Number.isFinite(v));
      if (i >= 0)
        this.fail(
          n,
          `${how} gives layer ${layer} ${what} that are not finite (${data[i]} at index ${i}); mactile needs finite parameters`,
        );
    }
  }

  private ints(n: OnnxNode, key: string, fallback: number[]): number[] {
    const v: AttrValue = n.attrs.get(key);
    return Array.isArray(v) ? v : fallback;
  }

  private int(n: OnnxNode, key: string, fallback: number): number {
    const v = n.attrs.get(key);
    return typeof v === 'number' ? v : fallback;
  }

  private set(n: OnnxNode, out: Value): void {
    this.values.set(n.outputs[0]!, out);
  }

  private host(n: OnnxNode, kind: HostKind, inputs: Value[], shape?: Shape): void {
    const t = this.b.host(
      this.layerName(n),
      kind,
      inputs.map((v) => v.tensor),
      shape,
    );
    this.set(n, { tensor: t, shape: this.b.shape(t) });
  }

  private autoPad(n: OnnxNode): void {
    const ap = n.attrs.get('auto_pad');
    if (ap !== undefined && ap !== 'NOTSET' && ap !== 'VALID')
      this.fail(n, `expected explicit pads (auto_pad NOTSET or VALID), received auto_pad ${String(ap)}`);
  }

  conv(n: OnnxNode): void {
    this.autoPad(n);
    const x = this.value(n, n.inputs[0]!);
    const w = this.parameter(n, n.inputs[1], 'the weights');
    const [m, cg, kh, kw] = w.dims as [number, number, number, number];
    if (w.dims.length !== 4)
      this.fail(n, `expected 2-D convolution weights [M, C/group, kH, kW], received dims [${w.dims.join(', ')}]`);
    const groups = this.int(n, 'group', 1);
    if (cg * groups !== x.shape.c)
      this.fail(n, `weights expect ${cg * groups} input channels (group ${groups}), the input has ${x.shape.c}`);
    const [pt, pl, pb, pr] = this.ints(n, 'pads', [0, 0, 0, 0]);
    const [sh, sw] = this.ints(n, 'strides', [1, 1]);
    const [dh, dw] = this.ints(n, 'dilations', [1, 1]);
    const name = this.layerName(n);
    const t = this.b.conv(
      name,
      {
        out: m,
        k: [kh, kw],
        stride: [sh!, sw!],
        dilation: [dh!, dw!],
        pad: { top: pt!, left: pl!, bottom: pb!, right: pr! },
        groups,
      },
      x.tensor,
    );
    // OIHW -> OHWI
    const weights = new Float32Array(m * kh * kw * cg);
    for (let o = 0; o < m; o++)
      for (let c = 0; c < cg; c++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            weights[((o * kh + i) * kw + j) * cg + c] = w.data[((o * cg + c) * kh + i) * kw + j]!;
          }
    const bias = new Float32Array(m);
    if (n.inputs[2]) {
      const b = this.parameter(n, n.inputs[2], 'the bias');
      if (b.data.length !== m)
        this.fail(
          n,
          `the bias ${JSON.stringify(n.inputs[2])}: expected ${m} values (one per filter), received ${b.data.length}`,
        );
      bias.set(b.data);
    }
    this.checkFinite(n, name, { weights, bias }, 'converting the weights to float32');
    this.params.set(name, { weights, bias });
    this.set(n, { tensor: t, shape: this.b.shape(t) });
  }

  /** A fully connected layer from weights W[n][k] in ONNX's input order. */
  private fc(
    n: OnnxNode,
    x: Value,
    wnk: (o: number, k: number) => number,
    outputs: number,
    bias: Float64Array | undefined,
  ): string {
    if (x.shape.h !== 1 || x.shape.w !== 1)
      this.fail(n, `expected a flattened input, received a ${x.shape.h}x${x.shape.w}x${x.shape.c} feature map`);
    const k = x.shape.c;
    const name = this.layerName(n);
    const t = this.b.fc(name, outputs, 'none', x.tensor);
    const weights = new Float32Array(outputs * k);
    const f = x.flattenedFrom;
    for (let o = 0; o < outputs; o++) {
      for (let kk = 0; kk < k; kk++) {
        // ONNX flattens NCHW (c*H*W + h*W + w); mactile flattens NHWC ((h*W + w)*C + c).
        let src = kk;
        if (f && f.h * f.w > 1) {
          const c = kk % f.c;
          const hw = Math.floor(kk / f.c);
          src = c * f.h * f.w + hw;
        }
        weights[o * k + kk] = wnk(o, src);
      }
    }
    const params = { weights, bias: new Float32Array(bias ?? new Float64Array(outputs)) };
    this.checkFinite(n, name, params, 'converting the weights to float32');
    this.params.set(name, params);
    return t;
  }

  gemm(n: OnnxNode): void {
    const x = this.value(n, n.inputs[0]!);
    if (this.int(n, 'transA', 0) !== 0) this.fail(n, 'expected transA = 0');
    const alpha = n.attrs.get('alpha');
    const beta = n.attrs.get('beta');
    if ((alpha !== undefined && alpha !== 1) || (beta !== undefined && beta !== 1))
      this.fail(n, `expected alpha = beta = 1, received ${alpha}, ${beta}`);
    const w = this.parameter(n, n.inputs[1], 'the weights');
    if (w.dims.length !== 2) this.fail(n, `expected 2-D weights, received dims [${w.dims.join(', ')}]`);
    const transB = this.int(n, 'transB', 0) === 1;
    const [d0, d1] = w.dims as [number, number];
    const outputs = transB ? d0 : d1;
    const k = transB ? d1 : d0;
    if (k !== x.shape.c) this.fail(n, `weights expect ${k} inputs, the input has ${x.shape.c}`);
    const bias = n.inputs[2] ? this.parameter(n, n.inputs[2], 'the bias').data : undefined;
    if (bias && bias.length !== outputs && bias.length !== 1)
      this.fail(
        n,
        `the bias ${JSON.stringify(n.inputs[2])}: expected ${outputs} values (one per output), received ${bias.length}`,
      );
    const t = this.fc(
      n,
      x,
      (o, kk) => (transB ? w.data[o * k + kk]! : w.data[kk * outputs + o]!),
      outputs,
      bias && bias.length === 1 && outputs > 1 ? new Float64Array(outputs).fill(bias[0]!) : bias,
    );
    this.set(n, { tensor: t, shape: this.b.shape(t) });
  }

  matmul(n: OnnxNode): void {
    const x = this.value(n, n.inputs[0]!);
    const w = this.parameter(n, n.inputs[1], 'the weights');
    if (w.dims.length !== 2) this.fail(n, `expected 2-D weights [K, N], received dims [${w.dims.join(', ')}]`);
    const [k, outputs] = w.dims as [number, number];
    if (k !== x.shape.c) this.fail(n, `weights expect ${k} inputs, the input has ${x.shape.c}`);
    const t = this.fc(n, x, (o, kk) => w.data[kk * outputs + o]!, outputs, undefined);
    this.set(n, { tensor: t, shape: this.b.shape(t) });
  }

  batchNorm(n: OnnxNode): void {
    const x = this.value(n, n.inputs[0]!);
    const layer = this.b.build().layers.find((l) => l.output === x.tensor);
    const p = layer ? this.params.get(layer.name) : undefined;
    if (!layer || !isMacLayer(layer) || !p || (this.uses.get(n.inputs[0]!) ?? 0) !== 1) {
      this.fail(n, 'expected to follow a Conv or Gemm whose output only it reads (it is folded into that layer)');
    }
    const cout = (layer as MacLayer).outShape.c;
    const [scale, shift, mean, variance] = [1, 2, 3, 4].map((i) => {
      const what = `the ${['scale', 'B', 'mean', 'var'][i - 1]!}`;
      const data = this.parameter(n, n.inputs[i], what).data;
      if (data.length !== cout)
        this.fail(
          n,
          `${what} ${JSON.stringify(n.inputs[i])}: expected ${cout} values (one per channel), received ${data.length}`,
        );
      return data;
    });
    const eps = (n.attrs.get('epsilon') as number | undefined) ?? 1e-5;
    const per = p.weights.length / cout;
    for (let c = 0; c < cout; c++) {
      if (!(variance![c]! + eps > 0))
        this.fail(
          n,
          `the var ${JSON.stringify(n.inputs[4])}: expected var + epsilon > 0, received ${variance![c]} + ${eps} for channel ${c}`,
        );
      const g = scale![c]! / Math.sqrt(variance![c]! + eps);
      for (let i = 0; i < per; i++) p.weights[c * per + i] = p.weights[c * per + i]! * g;
      p.bias[c] = (p.bias[c]! - mean![c]!) * g + shift![c]!;
    }
    this.checkFinite(n, layer.name, p, 'folding the batch norm');
    this.set(n, x);
  }

  add(n: OnnxNode): void {
    const [a, c] = n.inputs;
    const constIdx = this.consts.has(a!) ? 0 : this.consts.has(c!) ? 1 : -1;
    if (constIdx >= 0) {
      // A bias after MatMul: fold it into the fully connected layer.
      const x = this.value(n, n.inputs[1 - constIdx]!);
      const layer = this.b.build().layers.find((l) => l.output === x.tensor);
      const p = layer ? this.params.get(layer.name) : undefined;
      const bias = this.parameter(n, n.inputs[constIdx], 'the bias').data;
      if (
        !layer ||
        !p ||
        !isMacLayer(layer) ||
        bias.length !== layer.outShape.c ||
        (this.uses.get(n.inputs[1 - constIdx]!) ?? 0) !== 1
      ) {
        this.fail(n, 'expected a constant to be a bias right after a Conv, Gemm or MatMul');
      }
      for (let i = 0; i < bias.length; i++) p.bias[i] = p.bias[i]! + bias[i]!;
      this.checkFinite(n, layer.name, p, 'adding the bias');
      this.set(n, x);
      return;
    }
    const x = this.value(n, a!);
    const y = this.value(n, c!);
    const t = this.b.addTensors(this.layerName(n), x.tensor, y.tensor);
    this.set(n, { tensor: t, shape: this.b.shape(t) });
  }

  mul(n: OnnxNode, sigmoidOf: Map<string, string>): void {
    const [a, c] = [this.value(n, n.inputs[0]!), this.value(n, n.inputs[1]!)];
    // x * sigmoid(x) is SiLU.
    for (const [x, s] of [
      [n.inputs[0]!, n.inputs[1]!],
      [n.inputs[1]!, n.inputs[0]!],
    ] as const) {
      if (sigmoidOf.get(s) === x) {
        this.host(n, 'silu', [this.value(n, x)]);
        return;
      }
    }
    const sa = a.shape;
    const sc = c.shape;
    if (sa.h === sc.h && sa.w === sc.w && sa.c === sc.c) this.host(n, 'mul', [a, c]);
    else if (sc.h === 1 && sc.w === 1 && sc.c === sa.c) this.set(n, this.scaleOf(n, a, c));
    else if (sa.h === 1 && sa.w === 1 && sa.c === sc.c) this.set(n, this.scaleOf(n, c, a));
    else
      this.fail(
        n,
        `expected equal shapes or a per-channel scale, received ${sa.h}x${sa.w}x${sa.c} and ${sc.h}x${sc.w}x${sc.c}`,
      );
  }

  private scaleOf(n: OnnxNode, x: Value, s: Value): Value {
    const t = this.b.scale(this.layerName(n), x.tensor, s.tensor);
    return { tensor: t, shape: this.b.shape(t) };
  }

  pool(n: OnnxNode, kind: 'maxpool' | 'avgpool'): void {
    this.autoPad(n);
    if (this.int(n, 'ceil_mode', 0) !== 0) this.fail(n, 'expected ceil_mode = 0');
    const x = this.value(n, n.inputs[0]!);
    const [kh, kw] = this.ints(n, 'kernel_shape', []);
    if (kh === undefined || kw === undefined) this.fail(n, 'expected kernel_shape');
    const [sh, sw] = this.ints(n, 'strides', [1, 1]);
    const [pt, pl, pb, pr] = this.ints(n, 'pads', [0, 0, 0, 0]);
    const t = this.b.pool(
      this.layerName(n),
      kind,
      [kh, kw],
      [sh!, sw!],
      { top: pt!, left: pl!, bottom: pb!, right: pr! },
      x.tensor,
      this.int(n, 'count_include_pad', 0) === 1,
    );
    this.set(n, { tensor: t, shape: this.b.shape(t) });
  }

  flatten(n: OnnxNode): void {
    const x = this.value(n, n.inputs[0]!);
    if (n.opType === 'Flatten' && this.int(n, 'axis', 1) !== 1)
      this.fail(n, `expected axis = 1, received ${this.int(n, 'axis', 1)}`);
    if (n.opType === 'Reshape') {
      const target = this.constant(n, n.inputs[1], 'the target shape').data;
      const total = x.shape.h * x.shape.w * x.shape.c;
      const ok =
        target.length === 2 &&
        (target[0] === 1 || target[0] === -1 || target[0] === 0) &&
        (target[1] === -1 || target[1] === total);
      if (!ok) this.fail(n, `expected a reshape to [1, ${total}] (a flatten), received [${[...target].join(', ')}]`);
    }
    if (x.shape.h === 1 && x.shape.w === 1) {
      this.set(n, x);
      return;
    }
    const t = this.b.flatten(this.layerName(n), x.tensor);
    this.set(n, { tensor: t, shape: this.b.shape(t), flattenedFrom: x.shape });
  }

  clip(n: OnnxNode): void {
    const bound = (i: number, key: string, fallback: number) => {
      const name = n.inputs[i];
      if (name) return this.constant(n, name, key).data[0]!;
      const v = n.attrs.get(key);
      return typeof v === 'number' ? v : fallback;
    };
    const lo = bound(1, 'min', -Infinity);
    const hi = bound(2, 'max', Infinity);
    const x = this.value(n, n.inputs[0]!);
    if (lo === 0 && hi === 6) this.host(n, 'relu6', [x]);
    else if (lo === 0 && hi === Infinity) this.host(n, 'relu', [x]);
    else this.fail(n, `expected Clip(0, 6) or Clip(0, inf), received Clip(${lo}, ${hi})`);
  }

  /** Imports every node in order. */
  run(): FloatModel {
    const sigmoidOf = new Map<string, string>();
    for (const n of this.g.nodes) {
      switch (n.opType) {
        case 'Conv':
          this.conv(n);
          break;
        case 'Gemm':
          this.gemm(n);
          break;
        case 'MatMul':
          this.matmul(n);
          break;
        case 'BatchNormalization':
          this.batchNorm(n);
          break;
        case 'Add':
          this.add(n);
          break;
        case 'Mul':
          this.mul(n, sigmoidOf);
          break;
        case 'Relu':
          this.host(n, 'relu', [this.value(n, n.inputs[0]!)]);
          break;
        case 'Clip':
          this.clip(n);
          break;
        case 'Sigmoid': {
          this.host(n, 'sigmoid', [this.value(n, n.inputs[0]!)]);
          sigmoidOf.set(n.outputs[0]!, n.inputs[0]!);
          break;
        }
        case 'HardSwish':
          this.host(n, 'hardswish', [this.value(n, n.inputs[0]!)]);
          break;
        case 'MaxPool':
          this.pool(n, 'maxpool');
          break;
        case 'AveragePool':
          this.pool(n, 'avgpool');
          break;
        case 'GlobalAveragePool': {
          const x = this.value(n, n.inputs[0]!);
          const t = this.b.globalAvgPool(this.layerName(n), x.tensor);
          this.set(n, { tensor: t, shape: this.b.shape(t) });
          break;
        }
        case 'ReduceMean': {
          // A mean over height and width (keepdims) is a global average pooling.
          const axes = this.ints(n, 'axes', n.inputs[1] ? [...this.constant(n, n.inputs[1], 'the axes').data] : [])
            .map((a) => (a < 0 ? a + 4 : a))
            .sort();
          if (axes.join(',') !== '2,3' || this.int(n, 'keepdims', 1) !== 1)
            this.fail(n, `expected a mean over axes [2, 3] with keepdims, received axes [${axes.join(', ')}]`);
          const x = this.value(n, n.inputs[0]!);
          const t = this.b.globalAvgPool(this.layerName(n), x.tensor);
          this.set(n, { tensor: t, shape: this.b.shape(t) });
          break;
        }
        case 'Flatten':
        case 'Reshape':
          this.flatten(n);
          break;
        case 'Dropout':
        case 'Identity':
          // torch.onnx writes an Identity of a constant for each initializer equal to an earlier one.
          if (this.consts.has(n.inputs[0]!)) this.consts.set(n.outputs[0]!, this.consts.get(n.inputs[0]!)!);
          else this.set(n, this.value(n, n.inputs[0]!));
          break;
        case 'Concat': {
          if (this.int(n, 'axis', 1) !== 1) this.fail(n, 'expected axis = 1 (channels)');
          const t = this.b.concat(
            this.layerName(n),
            n.inputs.map((i) => this.value(n, i).tensor),
          );
          this.set(n, { tensor: t, shape: this.b.shape(t) });
          break;
        }
        case 'Softmax':
          this.host(n, 'softmax', [this.value(n, n.inputs[0]!)]);
          break;
        case 'Constant': {
          const v = n.attrs.get('value');
          if (!v || typeof v !== 'object' || Array.isArray(v)) this.fail(n, 'expected a tensor value');
          this.consts.set(n.outputs[0]!, v);
          break;
        }
        default:
          this.fail(n, `operator ${n.opType} is not supported; mactile reads ${SUPPORTED_OPS.join(', ')}`);
      }
    }
    const out = this.g.outputs[0];
    if (!out || !this.values.has(out.name))
      throw new MactileError(`ONNX model ${this.g.file}: its output ${out?.name ?? '(none)'} was not computed`);
    const net = this.b.build();
    // The sigmoid layers folded into SiLU are dropped when nothing else reads them.
    const read = new Set(net.layers.flatMap((l) => (isMacLayer(l) ? [l.input] : l.inputs)));
    read.add(this.values.get(out.name)!.tensor);
    net.layers = net.layers.filter((l) => l.kind !== 'sigmoid' || read.has(l.output));
    net.output = this.values.get(out.name)!.tensor;
    return { net, params: this.params };
  }
}

/**
 * `--input-shape` as the user meant it: HxWxC, or CxHxW where read as HxWxC it contradicts the model's fixed
 * channel count and read as CxHxW it agrees with every fixed size (said on stderr).
 */
function channelsFirst(g: OnnxGraph, given: Shape): Shape {
  const dims = g.inputs[0]!.dims;
  if (dims.length !== 4 || typeof dims[1] !== 'number' || dims[1] === given.c) return given;
  const swapped = { c: given.h, h: given.w, w: given.c };
  const agrees = [swapped.c, swapped.h, swapped.w].every((v, i) => {
    const fixed = dims[i + 1];
    return typeof fixed !== 'number' || fixed === v;
  });
  if (!agrees) return given;
  process.stderr.write(
    `mactile: note: --input-shape ${given.h}x${given.w}x${given.c} read as CxHxW (the model fixes C = ${dims[1]}): ${shapeText(swapped)} (HxWxC)\n`,
  );
  return swapped;
}

/** The input shape of a graph (NCHW, batch 1), or the one given where the model leaves it dynamic. */
export function inputShape(g: OnnxGraph, given?: Shape): Shape {
  if (g.inputs.length !== 1)
    throw new MactileError(`ONNX model ${g.file}: expected one input, found ${g.inputs.length}`);
  const { name, dims } = g.inputs[0]!;
  if (given) given = channelsFirst(g, given);
  if (given) {
    // --input-shape gives the dynamic sizes; the model's fixed ones must agree with it.
    const axes: [string, number | string | undefined, number][] =
      dims.length === 2
        ? [['C', dims[1], given.c]]
        : [
            ['C', dims[1], given.c],
            ['H', dims[2], given.h],
            ['W', dims[3], given.w],
          ];
    if (dims.length === 2 && (given.h !== 1 || given.w !== 1)) {
      throw new MactileError(
        `ONNX model ${g.file}: --input-shape ${shapeText(given)}: input ${name} is [N, K], a flat vector: expected 1x1xK`,
      );
    }
    for (const [axis, fixed, wanted] of axes) {
      if (typeof fixed === 'number' && fixed !== wanted) {
        throw new MactileError(
          `ONNX model ${g.file}: --input-shape ${shapeText(given)}: input ${name} has a fixed ${axis} = ${fixed} ([${dims.map((d) => d ?? '?').join(', ')}]); --input-shape is HxWxC (height x width x channels, e.g. ${typeof dims[2] === 'number' ? dims[2] : 224}x${typeof dims[3] === 'number' ? dims[3] : 224}x${typeof dims[1] === 'number' ? dims[1] : 3}), gives only the dynamic sizes and must agree with the fixed ones`,
        );
      }
    }
    return given;
  }
  const dyn = dims
    .map((d, i) => (typeof d === 'number' ? undefined : `${['N', 'C', 'H', 'W'][i] ?? i}=${d ?? '?'}`))
    .filter(Boolean);
  if (dyn.length > 0 && !(dyn.length === 1 && dims.length === 4 && typeof dims[0] !== 'number')) {
    throw new MactileError(
      `ONNX model ${g.file}: input ${name} has a dynamic shape (${dyn.join(', ')}); give its size with --input-shape HxWxC`,
    );
  }
  if (dims.length === 4) return { c: dims[1] as number, h: dims[2] as number, w: dims[3] as number };
  if (dims.length === 2) return { h: 1, w: 1, c: dims[1] as number };
  throw new MactileError(
    `ONNX model ${g.file}: expected an input of shape [N, C, H, W] or [N, K], received [${dims.join(', ')}]`,
  );
}

/** Loads an ONNX file as a float model in the network IR. */
export function loadOnnxModel(file: string, opts: { inputShape?: Shape } = {}): FloatModel {
  const g = readOnnx(file);
  return new Importer(g, inputShape(g, opts.inputShape)).run();
}
