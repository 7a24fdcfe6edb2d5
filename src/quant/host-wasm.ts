/**
 * The float host ops add, mul and per-channel scale in WebAssembly, with host-fast.ts's float steps exactly:
 * each operand dequantized as its table holds it (f32.demote of the double scale * (x - zero point)), the
 * op in doubles stored as float32, divided by the output scale in doubles, then Math.round (floor, plus one
 * when the exact fraction q - floor(q) is at least 1/2), the zero point and saturation in doubles. The
 * division is done only where a product by the reciprocal could round to the other side.
 */
import { Fn, op as o } from './wasm-asm.js';

/** A host op's parameter block: scales (f64) of a, b, y, zero points of a, b, y and min, max (i32), at 48 1 / scale of y (f64). */
export const HOST_PARAM_BYTES = 56;
/** The reciprocal's product decides where it lies at least this far from a rounding boundary. */
const MARGIN = 2 ** -30;

/** add / mul: out[i] = q(op(a[i], b[i])); scale: out[p * c + ch] = q(a[p * c + ch] * bv[ch]), bv the channel's float32 (as f64). */
export function hostBinaryFn(kind: 'add' | 'mul' | 'scale'): Fn {
  const f = new Fn(`host_${kind}`, ['xa', 'xb', 'out', 'n', 'c', 'prm'], {
    i32: ['i', 'ch', 'zpa', 'zpb'],
    f64: ['sa', 'sb', 'sy', 'zpy', 'lo', 'hi', 'q', 'fl', 'v', 't', 'inv'],
  });
  f.emit(f.get('prm'), o.f64Load(0), f.set('sa'), f.get('prm'), o.f64Load(8), f.set('sb'));
  f.emit(f.get('prm'), o.f64Load(16), f.set('sy'), f.get('prm'), o.i32Load(24), f.set('zpa'));
  f.emit(f.get('prm'), o.f64Load(48), f.set('inv'));
  f.emit(f.get('prm'), o.i32Load(28), f.set('zpb'), f.get('prm'), o.i32Load(32), o.f64ConvertI32S, f.set('zpy'));
  f.emit(f.get('prm'), o.i32Load(36), o.f64ConvertI32S, f.set('lo'));
  f.emit(f.get('prm'), o.i32Load(40), o.f64ConvertI32S, f.set('hi'), o.i32(0), f.set('ch'));
  const dequant = (ptr: string, zp: string, scale: string) =>
    f.emit(f.get(ptr), f.get('i'), o.add, o.i32Load16s(), f.get(zp), o.sub, o.f64ConvertI32S, f.get(scale));
  f.loop('i', [o.i32(0)], [f.get('n'), f.get('n'), o.add], o.i32(2), () => {
    dequant('xa', 'zpa', 'sa');
    f.emit(o.f64Mul, o.f32DemoteF64, o.f64PromoteF32);
    if (kind === 'scale') {
      f.emit(f.get('xb'), f.get('ch'), o.i32(8), o.mul, o.add, o.f64Load());
      // ch = (ch + 1) mod c
      f.emit(
        o.i32(0),
        f.get('ch'),
        o.i32(1),
        o.add,
        f.tee('ch'),
        f.get('ch'),
        f.get('c'),
        o.geS,
        o.select,
        f.set('ch'),
      );
    } else {
      dequant('xb', 'zpb', 'sb');
      f.emit(o.f64Mul, o.f32DemoteF64, o.f64PromoteF32);
    }
    f.emit(kind === 'add' ? o.f64Add : o.f64Mul, o.f32DemoteF64, o.f64PromoteF32, f.tee('v'));
    // Math.round(v / sy) = floor(v / sy + 1/2): from v * (1/sy), within 2^-34 of the quotient below 2^17,
    // unless that lands within 2^-30 of a rounding boundary or at 2^17 or beyond: then the division itself.
    f.emit(f.get('inv'), o.f64Mul, f.tee('q'), o.f64(0.5), o.f64Add, f.tee('t'), o.f64Floor, f.tee('fl'));
    f.emit(
      f.get('t'),
      f.get('fl'),
      o.f64Sub,
      f.tee('t'),
      o.f64(MARGIN),
      o.f64Lt,
      f.get('t'),
      o.f64(1 - MARGIN),
      o.f64Gt,
    );
    f.emit(o.or, f.get('q'), o.f64Abs, o.f64(131072), o.f64Ge, o.or);
    f.if([], () => {
      f.emit(f.get('v'), f.get('sy'), o.f64Div, f.tee('q'));
      // Math.round: floor, plus one when q - floor(q) >= 0.5 (exact).
      f.emit(o.f64Floor, f.tee('fl'), o.f64(1), o.f64Add, f.get('fl'), f.get('q'), f.get('fl'), o.f64Sub, o.f64(0.5));
      f.emit(o.f64Ge, o.select, f.set('fl'));
    });
    // The zero point and saturation.
    f.emit(f.get('fl'), f.get('zpy'), o.f64Add, f.set('q'));
    f.emit(f.get('lo'), f.get('q'), f.get('q'), f.get('lo'), o.f64Lt, o.select, f.set('q'));
    f.emit(f.get('hi'), f.get('q'), f.get('q'), f.get('hi'), o.f64Gt, o.select, f.set('q'));
    f.emit(f.get('out'), f.get('i'), o.add, f.get('q'), o.i32TruncSatF64S, o.i32Store16());
  });
  return f;
}

/** lookup: out[i] = t[x[i] - min] (an elementwise op through its table of int16 outputs). */
export function lookupFn(): Fn {
  const f = new Fn('host_lookup', ['x', 't', 'out', 'n', 'min'], { i32: ['i'] });
  f.loop('i', [o.i32(0)], [f.get('n'), f.get('n'), o.add], o.i32(2), () => {
    f.emit(f.get('out'), f.get('i'), o.add, f.get('t'), f.get('x'), f.get('i'), o.add, o.i32Load16s(), f.get('min'));
    f.emit(o.sub, o.i32(1), o.shl, o.add, o.i32Load16s(), o.i32Store16());
  });
  return f;
}

/**
 * sums: per channel, float32 running sums (f32.add, as a Float32Array's +=) of the dequantized input
 * f32.demote(scale * (x - zero point)) over n values, channels innermost; scale (f64) and zero point (i32) at prm.
 */
export function sumsFn(): Fn {
  const f = new Fn('host_sums', ['x', 'sums', 'n', 'c', 'prm'], { i32: ['i', 'ch', 'zp', 'sp'], f64: ['s'] });
  f.emit(f.get('prm'), o.f64Load(0), f.set('s'), f.get('prm'), o.i32Load(8), f.set('zp'));
  f.emit(f.get('sums'), f.set('sp'), f.get('c'), o.i32(2), o.shl, f.get('sums'), o.add, f.set('ch'));
  f.loop('i', [o.i32(0)], [f.get('n'), f.get('n'), o.add], o.i32(2), () => {
    f.emit(f.get('sp'), f.get('sp'), o.f32Load(), f.get('x'), f.get('i'), o.add, o.i32Load16s(), f.get('zp'), o.sub);
    f.emit(o.f64ConvertI32S, f.get('s'), o.f64Mul, o.f32DemoteF64, o.f32Add, o.f32Store());
    // sp = next channel's sum, back to the first after the last (ch holds the end of the sums).
    f.emit(
      f.get('sums'),
      f.get('sp'),
      o.i32(4),
      o.add,
      f.tee('sp'),
      f.get('sp'),
      f.get('ch'),
      o.geU,
      o.select,
      f.set('sp'),
    );
  });
  return f;
}
