/**
 * Requantization in WebAssembly, exactly requant.ts's arithmetic, fused into the kernels' output pass: reads
 * accumulators (doubles, whole numbers below 2^53) row by row and writes the output integers.
 * - `rqRhaz` (mode rhaz): the exact product in signed i64 with an arithmetic shift (floor), the half made
 *   2^(shift-1) - 1 for a negative x so that floor gives round half away from zero; x split in two where
 *   |x| may reach 2^31 (two partial products below 2^62 and 2^53); `rqRhaz31` (every |x| < 2^31, INT8) in one.
 * - `rqOrt` (mode ort): f32.convert_i64_s (round to nearest even, as Math.fround), f32.mul by the float32
 *   factor (the exact product rounded once, as fround of a double product), f32.nearest (half to even).
 * Mode gemmlowp, and stages outside these bounds, stay on the JavaScript path (`stageParams` returns undefined).
 */
import type { ChannelStages } from './requant.js';
import { Fn, op as o } from './wasm-asm.js';

/** Bytes of one channel's parameters: rhaz bias, mult, shift, 2^(shift-1), 2^(shift-1) - 1 (0 at shift 0) as i64; ort bias (i64) and factor (f32). */
export const RHAZ_BYTES = 40;
export const ORT_BYTES = 16;
const CAP = 2 ** 24;

const PARAMS = ['src', 'sstride', 'dst', 'dstride', 'rows', 'cols', 'prm', 'relu', 'zp', 'min', 'max'];

/** The loops of both modes: per row and column, `stage` reads the accumulator at sp and the channel's parameters at pp, and sets t (i32). */
function requantLoops(
  name: string,
  bytes: number,
  locals: { i32?: string[]; i64?: string[]; f64?: string[] },
  stage: (f: Fn) => void,
  opts: { prologue?: (f: Fn) => void; saturated?: boolean } = {},
) {
  const f = new Fn(name, PARAMS, { ...locals, i32: ['r', 'c', 'sp', 'dp', 'pp', 't', ...(locals.i32 ?? [])] });
  opts.prologue?.(f);
  f.loop('r', [o.i32(0)], [f.get('rows')], o.i32(1), () => {
    f.emit(f.get('src'), f.get('r'), f.get('sstride'), o.mul, o.add, f.set('sp'));
    f.emit(f.get('dst'), f.get('r'), f.get('dstride'), o.mul, o.add, f.set('dp'), f.get('prm'), f.set('pp'));
    f.loop('c', [o.i32(0)], [f.get('cols')], o.i32(1), () => {
      stage(f);
      if (!opts.saturated) {
        // ReLU, zero point, saturation.
        f.emit(o.i32(0), f.get('t'), f.get('relu'), f.get('t'), o.i32(0), o.ltS, o.and, o.select, f.set('t'));
        f.emit(f.get('t'), f.get('zp'), o.add, f.set('t'));
        f.emit(f.get('min'), f.get('t'), f.get('t'), f.get('min'), o.ltS, o.select, f.set('t'));
        f.emit(f.get('max'), f.get('t'), f.get('t'), f.get('max'), o.gtS, o.select, f.set('t'));
      }
      f.emit(f.get('dp'), f.get('t'), o.i32Store16());
      f.emit(f.get('sp'), o.i32(8), o.add, f.set('sp'), f.get('dp'), o.i32(2), o.add, f.set('dp'));
      f.emit(f.get('pp'), o.i32(bytes), o.add, f.set('pp'));
    });
  });
  return f;
}

/**
 * Mode rhaz with every |x| < 2^31 (INT8): x * mult + 2^(shift-1) - (x < 0 and shift > 0) < 2^63 in i64, shifted
 * arithmetically (floor), is rhaz(x * mult / 2^shift) for either sign (-floor((|P| + h) / 2^s) = floor((P + h - 1) / 2^s)
 * as 2^s - h = h); then ReLU and saturation as one clamp to [max(ReLU ? 0 : min - zp, min - zp), max - zp], then
 * the zero point (a lower bound above the upper gives max, as ReLU then saturation does).
 */
function rqRhaz31Fn(): Fn {
  const locals = { i64: ['x', 'q', 'lo', 'hi'] };
  const stage = (f: Fn) => {
    f.emit(f.get('sp'), o.f64Load(), o.i64TruncF64S, f.get('pp'), o.i64Load(), o.i64Add, f.tee('x'));
    f.emit(f.get('pp'), o.i64Load(8), o.i64Mul, f.get('pp'), o.i64Load(32), f.get('pp'), o.i64Load(24));
    f.emit(f.get('x'), o.i64(0), o.i64LtS, o.select, o.i64Add, f.get('pp'), o.i64Load(16), o.i64ShrS, f.set('q'));
    clampTo(f);
  };
  return requantLoops('rqRhaz31', RHAZ_BYTES, locals, stage, { prologue: clampBounds, saturated: true });
}

/** lo = max(ReLU ? 0 : min - zp, min - zp), hi = max - zp (i64 locals), once per call. */
function clampBounds(f: Fn): void {
  f.emit(f.get('min'), f.get('zp'), o.sub, o.i64ExtendI32S, f.set('lo'));
  f.emit(o.i64(0), f.get('lo'), f.get('relu'), f.get('lo'), o.i64(0), o.i64LtS, o.and, o.select, f.set('lo'));
  f.emit(f.get('max'), f.get('zp'), o.sub, o.i64ExtendI32S, f.set('hi'));
}

/** t = min(max(q, lo), hi) + zp. */
function clampTo(f: Fn): void {
  f.emit(f.get('lo'), f.get('q'), f.get('q'), f.get('lo'), o.i64LtS, o.select, f.set('q'));
  f.emit(f.get('hi'), f.get('q'), f.get('q'), f.get('hi'), o.i64GtS, o.select, o.i32WrapI64, f.get('zp'), o.add);
  f.emit(f.set('t'));
}

/**
 * Mode rhaz (every |x| < 2^53): x = xh * 2^22 + xl (xl < 2^22), so A = xh * mult < 2^62 and B = xl * mult < 2^53;
 * with h = 2^(shift-1) - (x < 0 and shift > 0) (as rqRhaz31Fn), floor((A * 2^22 + B + h) / 2^shift) is
 * (A + ((B + h) >> 22)) >> (shift - 22) for shift >= 22, else (A << (22 - shift)) + ((B + h) >> shift), A clamped
 * to +-2^40 first (beyond, the result saturates either way); arithmetic shifts, then ReLU and saturation as one clamp.
 * `narrow` (every |x| < 2^31): rqRhaz31Fn, one product.
 */
export function rqRhazFn(narrow: boolean): Fn {
  if (narrow) return rqRhaz31Fn();
  const locals = { i64: ['x', 'q', 'lo', 'hi', 'a', 'b', 's'] };
  const stage = (f: Fn) => {
    f.emit(f.get('sp'), o.f64Load(), o.i64TruncF64S, f.get('pp'), o.i64Load(), o.i64Add, f.tee('x'));
    f.emit(o.i64(22), o.i64ShrS, f.get('pp'), o.i64Load(8), o.i64Mul, f.set('a'));
    // b = xl * mult + h (h by the sign of x)
    f.emit(f.get('x'), o.i64(0x3fffff), o.i64And, f.get('pp'), o.i64Load(8), o.i64Mul);
    f.emit(f.get('pp'), o.i64Load(32), f.get('pp'), o.i64Load(24), f.get('x'), o.i64(0), o.i64LtS, o.select, o.i64Add);
    f.emit(f.set('b'), f.get('pp'), o.i64Load(16), f.set('s'));
    // shift >= 22
    f.emit(f.get('a'), f.get('b'), o.i64(22), o.i64ShrS, o.i64Add, f.get('s'), o.i64(22), o.i64Sub, o.i64ShrS);
    // shift < 22
    f.emit(o.i64(-(2 ** 40)), f.get('a'), f.get('a'), o.i64(-(2 ** 40)), o.i64LtS, o.select, f.set('a'));
    f.emit(o.i64(2 ** 40), f.get('a'), f.get('a'), o.i64(2 ** 40), o.i64GtS, o.select, o.i64(22), f.get('s'), o.i64Sub);
    f.emit(o.i64Shl, f.get('b'), f.get('s'), o.i64ShrS, o.i64Add);
    f.emit(f.get('s'), o.i64(22), o.i64GeU, o.select, f.set('q'));
    clampTo(f);
  };
  return requantLoops('rqRhaz', RHAZ_BYTES, locals, stage, { prologue: clampBounds, saturated: true });
}

/** Mode ort: t = clamp(RNE(fround(fround(x) * factor)), -2^24, 2^24). */
export function rqOrtFn(): Fn {
  return requantLoops('rqOrt', ORT_BYTES, { i64: ['x'] }, (f) => {
    f.emit(f.get('sp'), o.f64Load(), o.i64TruncF64S, f.get('pp'), o.i64Load(), o.i64Add, f.set('x'));
    f.emit(f.get('x'), o.f32ConvertI64S, f.get('pp'), o.f32Load(8), o.f32Mul, o.f32Nearest, o.i32TruncSatF32S);
    f.emit(f.set('t'), o.i32(CAP), f.get('t'), f.get('t'), o.i32(CAP), o.gtS, o.select, f.set('t'));
    f.emit(o.i32(-CAP), f.get('t'), f.get('t'), o.i32(-CAP), o.ltS, o.select, f.set('t'));
  });
}

/** A layer's output stages packed for rqRhaz or rqOrt, or undefined where only the JavaScript path is exact. */
export function stageParams(s: ChannelStages): { ort: boolean; bytes: Uint8Array } | undefined {
  const c = s.bias.length;
  if (s.mode === 'gemmlowp') return undefined;
  if (!s.bias.every((b) => Number.isSafeInteger(b))) return undefined;
  const ort = s.mode === 'ort';
  const size = ort ? ORT_BYTES : RHAZ_BYTES;
  const buf = new ArrayBuffer(c * size);
  const i64 = new BigInt64Array(buf);
  const f32 = new Float32Array(buf);
  for (let ch = 0; ch < c; ch++) {
    i64[(ch * size) / 8] = BigInt(s.bias[ch]!);
    if (ort) {
      const factor = s.ortFactor[ch]!;
      if (!Number.isFinite(factor) || Math.fround(factor) !== factor) return undefined;
      f32[(ch * size) / 4 + 2] = factor;
      continue;
    }
    const [mult, shift] = [s.mult[ch]!, s.shift[ch]!];
    if (!Number.isInteger(mult) || mult < 0 || mult >= 2 ** 31 || !(shift >= 0 && shift <= 63)) return undefined;
    i64[(ch * size) / 8 + 1] = BigInt(mult);
    i64[(ch * size) / 8 + 2] = BigInt(shift);
    i64[(ch * size) / 8 + 3] = shift === 0 ? 0n : 1n << BigInt(shift - 1);
    i64[(ch * size) / 8 + 4] = shift === 0 ? 0n : (1n << BigInt(shift - 1)) - 1n;
  }
  return { ort, bytes: new Uint8Array(buf) };
}
