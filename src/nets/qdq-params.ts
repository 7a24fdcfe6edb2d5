/**
 * The quantization parameters of a QDQ / QLinear ONNX model, checked as read: scales (positive, finite, one
 * or one per channel) and zero points (whole, in their type's range), each problem naming the tensor. Uint8
 * tensors become int8 by subtracting 128 from values and zero point alike (same real values, same sums).
 */
import { MactileError } from '../util/errors.js';
import type { ConstTensor } from './onnx-read.js';

const UINT8 = 2;
const INT8 = 3;
const INT32 = 6;

/** Scales and zero points as mactile holds them (int8 domain), per tensor (length 1) or per channel. */
export interface QParams {
  scale: number[];
  zeroPoint: number[];
  /** 128 for a uint8 tensor (its values are shifted into int8), else 0. */
  offset: number;
}

/** Reads a scale and zero-point pair of a QuantizeLinear, DequantizeLinear or QLinear* operator. */
export function readQParams(
  consts: Map<string, ConstTensor>,
  scaleName: string,
  zpName: string | undefined,
  where: string,
  /** The data type of the values they apply to (int32: a bias, whose zero point is int32 too). */
  values?: number,
): QParams {
  const s = consts.get(scaleName);
  if (!s) throw new MactileError(`${where}: scale ${scaleName}: expected a constant tensor, received a computed value`);
  const bad = [...s.data].findIndex((v) => !(v > 0) || !Number.isFinite(v));
  if (bad >= 0 || s.data.length === 0)
    throw new MactileError(
      `${where}: scale ${scaleName}: expected positive finite values, received ${s.data.length === 0 ? 'none' : String(s.data[bad])}${s.data.length > 1 ? ` at index ${bad}` : ''}`,
    );
  const scale = Array.from(s.data, Math.fround);
  if (!zpName) return { scale, zeroPoint: scale.map(() => 0), offset: 0 };
  const z = consts.get(zpName);
  if (!z)
    throw new MactileError(`${where}: zero point ${zpName}: expected a constant tensor, received a computed value`);
  // int32 zero points belong to int32 values (biases).
  if (z.type !== INT8 && z.type !== UINT8 && !(z.type === INT32 && values === INT32))
    throw new MactileError(
      `${where}: zero point ${zpName}: expected an int8 or uint8 tensor, received ONNX data type ${z.type ?? '?'}`,
    );
  const [lo, hi] = z.type === INT8 ? [-128, 127] : z.type === UINT8 ? [0, 255] : [-(2 ** 31), 2 ** 31 - 1];
  const out = [...z.data].findIndex((v) => !Number.isInteger(v) || v < lo || v > hi);
  if (out >= 0)
    throw new MactileError(
      `${where}: zero point ${zpName}: expected whole ${z.type === INT8 ? 'int8' : z.type === UINT8 ? 'uint8' : 'int32'} values from ${lo} to ${hi}, received ${z.data[out]}`,
    );
  if (z.data.length !== s.data.length)
    throw new MactileError(
      `${where}: zero point ${zpName}: expected ${s.data.length} values (one per scale), received ${z.data.length}`,
    );
  const offset = z.type === UINT8 ? 128 : 0;
  return { scale, zeroPoint: Array.from(z.data, (v) => v - offset), offset };
}

/** A per-tensor pair (activations): refuses per-channel activation scales. */
export function tensorQParams(p: QParams, name: string, where: string): { scale: number; zeroPoint: number } {
  if (p.scale.length !== 1)
    throw new MactileError(
      `${where}: tensor ${name}: expected one scale and zero point (per tensor), received ${p.scale.length}`,
    );
  return { scale: p.scale[0]!, zeroPoint: p.zeroPoint[0]! };
}

/** Quantized weights as mactile's integers w - zero point (int8 range), with one scale per output channel. */
export function weightInts(
  w: ConstTensor,
  p: QParams,
  outChannels: number,
  channelOf: (i: number) => number,
  name: string,
  where: string,
): { ints: Int16Array; scale: number[] } {
  if (p.scale.length !== 1 && p.scale.length !== outChannels)
    throw new MactileError(
      `${where}: weight ${name}: expected 1 or ${outChannels} scales (per tensor or per output channel), received ${p.scale.length}`,
    );
  const ints = new Int16Array(w.data.length);
  for (let i = 0; i < ints.length; i++) {
    const c = channelOf(i);
    const v = w.data[i]! - p.offset - p.zeroPoint[p.zeroPoint.length === 1 ? 0 : c]!;
    if (v < -128 || v > 127)
      throw new MactileError(
        `${where}: weight ${name}: value minus zero point is ${v} at index ${i}, beyond the INT8 range mactile's MAC arrays take`,
      );
    ints[i] = v;
  }
  const scale = Array.from({ length: outChannels }, (_, c) => p.scale[p.scale.length === 1 ? 0 : c]!);
  return { ints, scale };
}
