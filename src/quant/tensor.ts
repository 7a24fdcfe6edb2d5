/** Integer feature maps and quantized MAC-layer parameters, shared by the golden model, the planner and the quantizer. */
import type { Shape } from '../nets/ir.js';
import type { RequantMode } from './requant-modes.js';

/** A batch-1 feature map of INT8/INT16 values, NHWC. */
export interface IntTensor {
  shape: Shape;
  data: Int16Array;
}

/** Quantized parameters of one MAC layer. Weights are [cout][kh][kw][cin/groups] (OHWI). */
export interface QuantLayer {
  bits: 8 | 16;
  weights: Int16Array;
  /** Per output channel: bias in accumulator units, multiplier and right shift of the output stage. */
  bias: bigint[];
  mult: number[];
  shift: number[];
  relu: boolean;
  /** Zero point of the input (padding value) and of the output. */
  inZeroPoint: number;
  outZeroPoint: number;
  /**
   * NVDLA-style core only: CACC's right shift before saturating accumulators to 32 bits (default 0).
   * The bias, multiplier and shift then apply to the converted value.
   */
  caccTruncate?: number;
  /** The output stage's rounding (absent: rhaz, the integer multiplier and shift). */
  requant?: RequantMode;
  /** Mode ort: the float32 factor per output channel, fround(fround(x_scale * w_scale) / y_scale). */
  ortFactor?: number[];
  /** The weights' scale per output channel (real weight = scale * integer), as exported to ONNX. */
  weightScale?: number[];
}

/** A zero-filled tensor of a shape. */
export function zeros(shape: Shape): IntTensor {
  return { shape, data: new Int16Array(shape.h * shape.w * shape.c) };
}

/** Index of (h, w, c) in an NHWC tensor. */
export function nhwc(s: Shape, h: number, w: number, c: number): number {
  return (h * s.w + w) * s.c + c;
}
