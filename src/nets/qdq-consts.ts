/**
 * The constant nodes of a quantized ONNX model as PyTorch's exporter (torch.onnx, 1.13) writes them: scales,
 * zero points, weights and int32 biases as Constant nodes, and a bias's zero point as ConstantOfShape followed
 * by a Cast. They are folded into the graph's constants before the QDQ importer reads the model.
 */
import { MactileError } from '../util/errors.js';
import type { ConstTensor, OnnxNode } from './onnx-read.js';

/** The ONNX data types a Cast of a constant can produce here, with the conversion of one value. */
const CASTS: Record<number, (v: number) => number> = {
  1: Math.fround,
  2: (v) => Math.trunc(v) & 0xff,
  3: (v) => (Math.trunc(v) << 24) >> 24,
  6: (v) => Math.trunc(v) | 0,
  7: Math.trunc,
  11: (v) => v,
};

/** Folds a Constant, a ConstantOfShape of a constant shape or a Cast of a constant; false for any other node. */
export function foldConstant(n: OnnxNode, consts: Map<string, ConstTensor>, where: string): boolean {
  const out = n.outputs[0]!;
  if (n.opType === 'Constant') {
    const v = n.attrs.get('value');
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new MactileError(`${where}: expected a tensor value`);
    consts.set(out, v);
    return true;
  }
  const x = consts.get(n.inputs[0] ?? '');
  if (!x) return false;
  if (n.opType === 'ConstantOfShape') {
    const v = n.attrs.get('value') as ConstTensor | undefined;
    const dims = Array.from(x.data);
    const count = dims.reduce((a, b) => a * b, 1);
    consts.set(out, { dims, data: new Float64Array(count).fill(v?.data[0] ?? 0), type: v?.type ?? 1 });
    return true;
  }
  if (n.opType === 'Cast') {
    const to = Number(n.attrs.get('to'));
    const f = CASTS[to];
    if (!f)
      throw new MactileError(`${where}: a Cast of a constant to ONNX data type ${to}, which mactile does not read`);
    consts.set(out, { dims: x.dims, data: x.data.map(f), type: to });
    return true;
  }
  return false;
}
