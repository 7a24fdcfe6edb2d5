/**
 * Requantization in WebAssembly, exactly requant.ts's arithmetic, fused into the kernels' output pass: reads
 * accumulators (doubles, whole numbers below 2^53) row by row and writes the output integers.
 * - `rqRhaz` (mode rhaz): requant.ts's double estimate where it decides; elsewhere in i64, |x| = ah * 2^32 + al,
 *   so al * mult < 2^63 and ah * mult < 2^52 (mult < 2^31); floor((|x| * mult + 2^(shift-1)) / 2^shift) from
 *   the two partial products, exact for shift 0..63, every magnitude at or past 2^24 (which saturates every
 *   precision) clamped to 2^24; `rqRhaz31`, for layers whose |x| stays below 2^31 (INT8), forms
 *   |x| * mult + 2^(shift-1) < 2^63 in one product.
 * - `rqOrt` (mode ort): f32.convert_i64_s (round to nearest even, as Math.fround), f32.mul by the float32
 *   factor (the exact product rounded once, as fround of a double product), f32.nearest (half to even).
 * Mode gemmlowp, and stages outside these bounds, stay on the JavaScript path (`stageParams` returns undefined).
 */
import type { ChannelStages } from './requant.js';
import { Fn, op as o } from './wasm-asm.js';

/** Bytes of one channel's parameters: rhaz bias, mult, shift, 2^(shift-1) as i64, bias and factor as f64, 2^(shift-1) - 1 (0 at shift 0) as i64; ort bias (i64) and factor (f32). */
export const RHAZ_BYTES = 56;
export const ORT_BYTES = 16;
const CAP = 2 ** 24;
/** Below this distance from a rounding boundary, the double estimate could be on the wrong side (requant.ts). */
const MARGIN = 2 ** -30;

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
  const prologue = (f: Fn) => {
    f.emit(f.get('min'), f.get('zp'), o.sub, o.i64ExtendI32S, f.set('lo'));
    f.emit(o.i64(0), f.get('lo'), f.get('relu'), f.get('lo'), o.i64(0), o.i64LtS, o.and, o.select, f.set('lo'));
    f.emit(f.get('max'), f.get('zp'), o.sub, o.i64ExtendI32S, f.set('hi'));
  };
  const stage = (f: Fn) => {
    f.emit(f.get('sp'), o.f64Load(), o.i64TruncF64S, f.get('pp'), o.i64Load(), o.i64Add, f.tee('x'));
    f.emit(f.get('pp'), o.i64Load(8), o.i64Mul, f.get('pp'), o.i64Load(48), f.get('pp'), o.i64Load(24));
    f.emit(f.get('x'), o.i64(0), o.i64LtS, o.select, o.i64Add, f.get('pp'), o.i64Load(16), o.i64ShrS, f.set('q'));
    f.emit(f.get('lo'), f.get('q'), f.get('q'), f.get('lo'), o.i64LtS, o.select, f.set('q'));
    f.emit(f.get('hi'), f.get('q'), f.get('q'), f.get('hi'), o.i64GtS, o.select, o.i32WrapI64, f.get('zp'), o.add);
    f.emit(f.set('t'));
  };
  return requantLoops('rqRhaz31', RHAZ_BYTES, locals, stage, { prologue, saturated: true });
}

/** (|x| * mult + 2^(shift-1)) >> shift in i64 from the channel's parameters, into q (|x| in a), by two partial products. */
function exactMagnitude(f: Fn): void {
  f.emit(f.get('pp'), o.i64Load(16), f.set('s'));
  // lo = al * mult + 2^(shift-1) (below 2^64 unsigned), hi = ah * mult.
  f.emit(f.get('a'), o.i64(0xffffffff), o.i64And, f.get('pp'), o.i64Load(8), o.i64Mul, f.get('pp'), o.i64Load(24));
  f.emit(o.i64Add, f.set('lo'), f.get('a'), o.i64(32), o.i64ShrU, f.get('pp'), o.i64Load(8), o.i64Mul, f.set('hi'));
  // shift <= 32: (min(hi, 2^24) << (32 - shift)) + (lo >> shift); else (hi + (lo >> 32)) >> (shift - 32).
  f.emit(f.get('hi'), o.i64(CAP), f.get('hi'), o.i64(CAP), o.i64LtU, o.select);
  f.emit(o.i64(32), f.get('s'), o.i64Sub, o.i64Shl, f.get('lo'), f.get('s'), o.i64ShrU, o.i64Add);
  f.emit(f.get('hi'), f.get('lo'), o.i64(32), o.i64ShrU, o.i64Add, f.get('s'), o.i64(32), o.i64Sub, o.i64ShrU);
  f.emit(f.get('s'), o.i64(32), o.i64LeU, o.select, f.set('q'));
}

/**
 * Mode rhaz: t = sign(x) * min(2^24, rhaz(|x| * mult / 2^shift)). `narrow` (every |x| < 2^31, so
 * |x| * mult + 2^(shift-1) < 2^63): always the exact product in i64. Otherwise as requant.ts's `magnitude`:
 * the double estimate |x| * factor + 1/2 (factor = mult * 2^-shift, exact) decides unless its fraction lies
 * within 2^-30 of a rounding boundary below 2^17, where the exact product in two halves does.
 */
export function rqRhazFn(narrow: boolean): Fn {
  if (narrow) return rqRhaz31Fn();
  const locals = { i64: ['a', 'lo', 'hi', 's', 'q'], f64: ['xf', 'ff', 'rr'] };
  return requantLoops('rqRhaz', RHAZ_BYTES, locals, (f) => {
    f.emit(f.get('sp'), o.f64Load(), f.get('pp'), o.f64Load(32), o.f64Add, f.tee('xf'), o.f64Abs);
    f.emit(f.get('pp'), o.f64Load(40), o.f64Mul, o.f64(0.5), o.f64Add, f.tee('ff'), o.f64Floor, f.tee('rr'));
    f.emit(f.get('ff'), f.get('rr'), o.f64Sub, f.tee('ff'), o.f64(MARGIN), o.f64Lt, f.get('ff'), o.f64(1 - MARGIN));
    f.emit(o.f64Gt, o.or, f.get('rr'), o.f64(2 ** 17), o.f64Lt, o.and);
    f.if([], () => {
      f.emit(f.get('xf'), o.f64Abs, o.i64TruncF64S, f.set('a'));
      exactMagnitude(f);
      f.emit(f.get('q'), o.i64(CAP), f.get('q'), o.i64(CAP), o.i64LtU, o.select, o.f64ConvertI64S, f.set('rr'));
    });
    f.emit(f.get('rr'), o.f64(CAP), o.f64Min, f.get('xf'), o.f64Copysign, o.i32TruncSatF64S, f.set('t'));
  });
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
  const f64 = new Float64Array(buf);
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
    f64[(ch * size) / 8 + 4] = s.bias[ch]!;
    f64[(ch * size) / 8 + 5] = s.factor[ch]!;
    i64[(ch * size) / 8 + 6] = shift === 0 ? 0n : (1n << BigInt(shift - 1)) - 1n;
  }
  return { ort, bytes: new Uint8Array(buf) };
}
