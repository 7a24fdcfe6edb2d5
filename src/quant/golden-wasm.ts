/**
 * The golden executor's WebAssembly module (the kernels of gemm-wasm.ts, requant-wasm.ts and host-wasm.ts,
 * one memory) and the working memory of each call: regions laid out from the start of the memory, the
 * views refreshed on every call, so growing the memory never leaves a stale view behind.
 */
import { depthwiseBody, gatherBody, gemmBody } from './gemm-wasm.js';
import { hostBinaryFn, HOST_PARAM_BYTES, lookupFn, sumsFn } from './host-wasm.js';
import type { ChannelStages } from './requant.js';
import { ORT_BYTES, RHAZ_BYTES, rqOrtFn, rqRhazFn, stageParams } from './requant-wasm.js';
import { fnEntry, wasmModule } from './wasm-asm.js';

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return wasmModule([
    { name: 'gemm32', params: 6, body: gemmBody(false) },
    { name: 'gemm64', params: 6, body: gemmBody(true) },
    { name: 'dw32', params: 10, body: depthwiseBody(false) },
    { name: 'dw64', params: 10, body: depthwiseBody(true) },
    { name: 'gather', params: 10, body: gatherBody() },
    ...[
      rqRhazFn(false),
      rqRhazFn(true),
      rqOrtFn(),
      hostBinaryFn('add'),
      hostBinaryFn('mul'),
      hostBinaryFn('scale'),
      lookupFn(),
      sumsFn(),
    ].map(fnEntry),
  ]);
}

interface GemmExports {
  mem: WebAssembly.Memory;
  gemm32: (a: number, b: number, c: number, m: number, n: number, kp: number) => void;
  gemm64: (a: number, b: number, c: number, m: number, n: number, kp: number) => void;
  dw32: (...args: number[]) => void;
  dw64: (...args: number[]) => void;
  gather: (...args: number[]) => void;
  rqRhaz: (...args: number[]) => void;
  rqRhaz31: (...args: number[]) => void;
  rqOrt: (...args: number[]) => void;
  host_add: (...args: number[]) => void;
  host_mul: (...args: number[]) => void;
  host_scale: (...args: number[]) => void;
  host_lookup: (...args: number[]) => void;
  host_sums: (...args: number[]) => void;
}

let instance: GemmExports | undefined;

/** The assembled module's exports (compiled on first use). */
function exportsOf(): GemmExports {
  instance ??= new WebAssembly.Instance(new WebAssembly.Module(moduleBytes())).exports as unknown as GemmExports;
  return instance;
}

/** Byte offsets of consecutive 16-byte aligned regions of the given sizes, the memory grown to hold them. */
function layout(sizes: number[]): { offsets: number[]; buf: ArrayBuffer; e: GemmExports } {
  const e = exportsOf();
  const offsets: number[] = [];
  let at = 0;
  for (const s of sizes) {
    offsets.push(at);
    at += Math.ceil(s / 16) * 16;
  }
  const have = e.mem.buffer.byteLength;
  if (at > have) e.mem.grow(Math.ceil((at - have) / 65536));
  return { offsets, buf: e.mem.buffer, e };
}

/** A fused output stage: mode ort or rhaz, its packed per-channel parameters, ReLU, output zero point, range. */
export interface RequantPass {
  ort: boolean;
  /** Every |accumulator + bias| below 2^31 (rhaz in one i64 product). */
  narrow: boolean;
  params: Uint8Array;
  relu: boolean;
  zeroPoint: number;
  min: number;
  max: number;
}

/**
 * rows x cols accumulators (doubles, `srcStride` between rows, from byte `src`) requantized into int16 at byte
 * `dst` (`dstStride` values between rows), with the parameters at byte `prm`.
 */
function requantRun(
  e: GemmExports,
  r: RequantPass,
  src: number,
  srcStride: number,
  dst: number,
  dstStride: number,
  rows: number,
  cols: number,
  prm: number,
): void {
  (r.ort ? e.rqOrt : r.narrow ? e.rqRhaz31 : e.rqRhaz)(
    src,
    srcStride * 8,
    dst,
    dstStride * 2,
    rows,
    cols,
    prm,
    r.relu ? 1 : 0,
    r.zeroPoint,
    r.min,
    r.max,
  );
}

/** Working memory of a depthwise layer: padded input (int16), weights [tap][cp] (int16), tap offsets, output [pixel][cp]. */
export interface DepthwiseArena {
  x: Int16Array;
  w: Int16Array;
  offsets: Int32Array;
  out: Float64Array;
  run(wide: boolean, oh: number, ow: number, rowStride: number, colStride: number): void;
  /** Requantizes the c channels of every output into `y` (pixels x c). */
  requant(r: RequantPass, c: number, y: Int16Array): void;
}

/** Lays out a depthwise layer of `xLen` padded input values, `taps` taps, cp channels and `pixels` outputs. */
export function depthwiseArena(xLen: number, taps: number, cp: number, pixels: number, prmBytes = 0): DepthwiseArena {
  const sizes = [xLen * 2, taps * cp * 2, taps * 4, pixels * cp * 8, pixels * cp * 2, prmBytes];
  const { offsets: o, buf, e } = layout(sizes);
  return {
    x: new Int16Array(buf, o[0], xLen),
    w: new Int16Array(buf, o[1], taps * cp),
    offsets: new Int32Array(buf, o[2], taps),
    out: new Float64Array(buf, o[3], pixels * cp),
    run: (wide, oh, ow, rowStride, colStride) =>
      (wide ? e.dw64 : e.dw32)(o[0]!, o[1]!, o[2]!, o[3]!, oh, ow, cp, taps, rowStride * 2, colStride * 2),
    requant: (r, c, y) => {
      new Uint8Array(buf, o[5], r.params.length).set(r.params);
      requantRun(e, r, o[3]!, cp, o[4]!, c, pixels, c, o[5]!);
      y.set(new Int16Array(buf, o[4], pixels * c));
    },
  };
}

/**
 * Working memory of one GEMM: A (m x kp int16), B (n x kp int16), C (m x n doubles), and for im2col a
 * padded input (int16) with the byte offsets of its window segments; views are refreshed on growth.
 */
export interface GemmArena {
  a: Int16Array;
  b: Int16Array;
  c: Float64Array;
  x: Int16Array;
  offsets: Int32Array;
  /** Fills A: per output pixel, offsets.length segments of segValues values from x (from value xStart on). */
  gather(xStart: number, segValues: number, oh: number, ow: number, rowStride: number, colStride: number): void;
  run(wide: boolean): void;
  /** Requantizes C's first `cols` columns into the output (m x outC values) from column `first` on, with channels first.. of the parameters. */
  requant(r: RequantPass, cols: number, first: number, outC: number): void;
  /** Copies the requantized output (m x outC values) into `y`. */
  output(y: Int16Array, outC: number): void;
}

/** Lays out a GEMM of m rows, n columns (a multiple of 4) and kp (a multiple of 8), with xLen padded input values and nseg segments. */
export function gemmArena(
  m: number,
  n: number,
  kp: number,
  xLen = 0,
  nseg = 0,
  outLen = 0,
  prm?: RequantPass,
): GemmArena {
  const prmBytes = prm?.params.length ?? 0;
  const { offsets: o, buf, e } = layout([m * kp * 2, n * kp * 2, m * n * 8, xLen * 2, nseg * 4, outLen * 2, prmBytes]);
  const [aOff, bOff, cOff, xOff, sOff, yOff, pOff] = o as [number, number, number, number, number, number, number];
  if (prm) new Uint8Array(buf, pOff, prmBytes).set(prm.params);
  const bytesPer = prm?.ort ? ORT_BYTES : RHAZ_BYTES;
  return {
    a: new Int16Array(buf, aOff, m * kp),
    b: new Int16Array(buf, bOff, n * kp),
    c: new Float64Array(buf, cOff, m * n),
    x: new Int16Array(buf, xOff, xLen),
    offsets: new Int32Array(buf, sOff, nseg),
    gather: (xStart, segValues, oh, ow, rowStride, colStride) =>
      e.gather(xOff + 2 * xStart, sOff, aOff, oh, ow, nseg, segValues * 2, kp * 2, rowStride * 2, colStride * 2),
    run: (wide) => (wide ? e.gemm64 : e.gemm32)(aOff, bOff, cOff, m, n, kp),
    requant: (r, cols, first, outC) =>
      requantRun(e, r, cOff, n, yOff + 2 * first, outC, m, cols, pOff + first * bytesPer),
    output: (y, outC) => y.set(new Int16Array(buf, yOff, m * outC)),
  };
}

/** Runs add, mul or per-channel scale (host-wasm.ts) on n values: a and b int16 (scale: b the c channels' float32 values). */
export function hostBinary(
  kind: 'add' | 'mul' | 'scale',
  a: Int16Array,
  b: Int16Array | Float64Array,
  c: number,
  params: ArrayBuffer,
  y: Int16Array,
): void {
  const n = a.length;
  const bBytes = kind === 'scale' ? c * 8 : n * 2;
  const { offsets: o, buf, e } = layout([n * 2, bBytes, n * 2, HOST_PARAM_BYTES]);
  new Int16Array(buf, o[0], n).set(a);
  if (kind === 'scale') new Float64Array(buf, o[1], c).set(b);
  else new Int16Array(buf, o[1], n).set(b);
  new Uint8Array(buf, o[3], HOST_PARAM_BYTES).set(new Uint8Array(params));
  e[`host_${kind}`](o[0]!, o[1]!, o[2]!, n, c, o[3]!);
  y.set(new Int16Array(buf, o[2], n));
}

/** Requantizes accumulators (channels innermost) by the WebAssembly output stage (`narrow`: all below 2^31), or undefined where only requant.ts is exact. */
export function requantizeWasm(acc: Float64Array, s: ChannelStages, narrow = false): Int16Array | undefined {
  const packed = stageParams(s);
  if (!packed) return undefined;
  const c = s.bias.length;
  const n = acc.length;
  const { offsets: o, buf, e } = layout([n * 8, n * 2, packed.bytes.length]);
  new Float64Array(buf, o[0], n).set(acc);
  new Uint8Array(buf, o[2], packed.bytes.length).set(packed.bytes);
  const pass = {
    ort: packed.ort,
    narrow,
    params: packed.bytes,
    relu: s.relu,
    zeroPoint: s.zeroPoint,
    min: s.min,
    max: s.max,
  };
  requantRun(e, pass, o[0]!, c, o[1]!, c, n / c, c, o[2]!);
  return new Int16Array(buf, o[1], n).slice();
}

/** out[i] = t[x[i] - min]: an elementwise op through its table, in WebAssembly. */
export function hostLookup(x: Int16Array, t: Int16Array, min: number, out: Int16Array): void {
  const n = out.length;
  const { offsets: o, buf, e } = layout([n * 2, t.length * 2, n * 2]);
  new Int16Array(buf, o[0], n).set(x.subarray(0, n));
  new Int16Array(buf, o[1], t.length).set(t);
  e.host_lookup(o[0]!, o[1]!, o[2]!, n, min);
  out.set(new Int16Array(buf, o[2], n));
}

/** Per channel (c, innermost), the float32 running sum of scale * (x - zeroPoint) as float32, in WebAssembly. */
export function hostSums(x: Int16Array, c: number, scale: number, zeroPoint: number): Float32Array {
  const n = x.length;
  const { offsets: o, buf, e } = layout([n * 2, c * 4, 16]);
  new Int16Array(buf, o[0], n).set(x);
  new Float32Array(buf, o[1], c).fill(0);
  new Float64Array(buf, o[2], 1)[0] = scale;
  new Int32Array(buf, o[2]! + 8, 1)[0] = zeroPoint;
  e.host_sums(o[0]!, o[1]!, n, c, o[2]!);
  return new Float32Array(buf, o[1], c).slice();
}
