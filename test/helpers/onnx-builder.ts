/** Builds small ONNX models in tests with the onnx-proto package (no Python needed). */
import { createRequire } from 'node:module';
import { rng } from '../../src/quant/random.js';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as { onnx: any };

type Attr = number | number[] | string;

export class OnnxGraphBuilder {
  private nodes: any[] = [];
  private inits: any[] = [];
  private n = 0;
  private readonly r: () => number;

  constructor(seed = 1) {
    this.r = rng(seed);
  }

  /** A float initializer with random values (or the given ones). */
  tensor(dims: number[], values?: number[], scale = 0.5): string {
    const name = `w${this.n++}`;
    const count = dims.reduce((a, b) => a * b, 1);
    const data = values ?? Array.from({ length: count }, () => (this.r() * 2 - 1) * scale);
    this.inits.push(onnx.TensorProto.create({ name, dims, dataType: 1, floatData: data }));
    return name;
  }

  /** An int64 initializer (shapes, axes). */
  ints(values: number[]): string {
    const name = `i${this.n++}`;
    this.inits.push(onnx.TensorProto.create({ name, dims: [values.length], dataType: 7, int64Data: values }));
    return name;
  }

  /** An initializer of an ONNX data type (2 uint8, 3 int8, 6 int32 in int32Data; 1 float) with the given values. */
  typed(dims: number[], dataType: number, values: number[]): string {
    const name = `c${this.n++}`;
    const field = dataType === 1 ? 'floatData' : 'int32Data';
    this.inits.push(onnx.TensorProto.create({ name, dims, dataType, [field]: values }));
    return name;
  }

  /** Adds a node and returns its (first) output name. */
  node(opType: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    const out = `t${this.n++}`;
    const attribute = Object.entries(attrs).map(([name, v]) => {
      if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: 3, s: Buffer.from(v) });
      if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: 7, ints: v });
      return Number.isInteger(v) &&
        name !== 'epsilon' &&
        name !== 'alpha' &&
        name !== 'beta' &&
        name !== 'min' &&
        name !== 'max'
        ? onnx.AttributeProto.create({ name, type: 2, i: v })
        : onnx.AttributeProto.create({ name, type: 1, f: v });
    });
    this.nodes.push(
      onnx.NodeProto.create({
        name: `${opType.toLowerCase()}_${this.n}`,
        opType,
        input: inputs,
        output: [out],
        attribute,
      }),
    );
    return out;
  }

  /** Serialises the model with input `input` of the given dims (numbers or symbolic names) and output `out`. */
  build(inputDims: (number | string)[], out: string, outDims: number[] = [1, 10]): Uint8Array {
    const vi = (name: string, dims: (number | string)[]) =>
      onnx.ValueInfoProto.create({
        name,
        type: {
          tensorType: {
            elemType: 1,
            shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
          },
        },
      });
    const graph = onnx.GraphProto.create({
      name: 'test',
      node: this.nodes,
      initializer: this.inits,
      input: [vi('input', inputDims)],
      output: [vi(out, outDims)],
    });
    const model = onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 14 }],
      graph,
      producerName: 'mactile-test',
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/**
 * Rewrites the first initializer of an encoded model: its dims and its data (float values, or that many raw
 * bytes), for models no exporter would write (dims of 2^40 or -1, data that does not match the dims).
 */
export function patchFirstInitializer(
  bytes: Uint8Array,
  patch: { dims: number[]; floatData?: number[]; rawBytes?: number },
): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const t = model.graph.initializer[0];
  t.dims = patch.dims;
  t.floatData = patch.floatData ?? [];
  t.rawData = new Uint8Array(patch.floatData ? 0 : (patch.rawBytes ?? 8));
  return onnx.ModelProto.encode(model).finish();
}
