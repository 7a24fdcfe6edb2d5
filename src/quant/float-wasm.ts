/**
 * The float executor's MAC layers in WebAssembly SIMD, with exactly the float reference's operations: every
 * output is its bias plus, tap by tap in window order (padded taps skipped), the tap's sum over the input
 * channels in order, in doubles (a depthwise tap's single product added straight to the output); two output
 * channels per f64x2 lane pair, so the order of every output's additions is unchanged and the tensors are
 * identical (IEEE-754 doubles; wasm never contracts a multiply and an add). Weights live in the module's
 * memory as doubles, laid out once per layer.
 */
import type { MacLayer } from '../nets/ir.js';
import { fnEntry, Fn, op, wasmModule } from './wasm-asm.js';

const o = op;

/** conv: a convolution, grouped convolution or FC; weights [g][tap][ci][cpg] and accumulators [pixel][g][cpg] in doubles. */
function convFn(): Fn {
  const f = new Fn(
    'conv',
    ['x', 'w', 'acc', 'bias', 'ih', 'iw', 'ic', 'cing', 'groups', 'cpg', 'c8', 'oh', 'ow'].concat([
      'kh',
      'kw',
      'sh',
      'sw',
      'dh',
      'dw',
      'pt',
      'pl',
    ]),
    {
      i32: ['y', 'xo', 'ky', 'kx', 'ihh', 'iww', 'xb', 'g', 'xg', 'wg', 'ag', 'cb', 'ci', 'xi', 'wi', 'accp', 'rowb'],
      v128: ['v', 's0', 's1', 's2', 's3'],
    },
  );
  f.emit(f.get('groups'), f.get('cpg'), o.mul, o.i32(8), o.mul, f.set('rowb'), f.get('acc'), f.set('accp'));
  const one = o.i32(1);
  /** s_k += splat(x[ci]) * w[ci][cb + 2k .. +1] for k < n, over ci; then acc[cb..] += s_k. */
  const block = (n: number) => {
    for (let k = 0; k < n; k++) f.emit(o.v128Zero, f.set(`s${k}`));
    f.emit(f.get('xg'), f.set('xi'), f.get('wg'), f.get('cb'), o.i32(8), o.mul, o.add, f.set('wi'));
    f.loop('ci', [o.i32(0)], [f.get('cing')], one, () => {
      f.emit(f.get('xi'), o.f32Load(), o.f64PromoteF32, o.f64x2Splat, f.set('v'));
      for (let k = 0; k < n; k++)
        f.emit(f.get(`s${k}`), f.get('v'), f.get('wi'), o.v128Load(16 * k), o.f64x2Mul, o.f64x2Add, f.set(`s${k}`));
      f.emit(f.get('xi'), o.i32(4), o.add, f.set('xi'), f.get('wi'), f.get('cpg'), o.i32(8), o.mul, o.add, f.set('wi'));
    });
    // wi now: the accumulator address of block cb.
    f.emit(f.get('ag'), f.get('cb'), o.i32(8), o.mul, o.add, f.set('wi'));
    for (let k = 0; k < n; k++)
      f.emit(f.get('wi'), f.get('wi'), o.v128Load(16 * k), f.get(`s${k}`), o.f64x2Add, o.v128Store(16 * k));
  };
  f.loop('y', [o.i32(0)], [f.get('oh')], one, () => {
    f.loop('xo', [o.i32(0)], [f.get('ow')], one, () => {
      f.emit(f.get('accp'), f.get('bias'), f.get('rowb'), o.memoryCopy);
      f.loop('ky', [o.i32(0)], [f.get('kh')], one, () => {
        f.emit(f.get('y'), f.get('sh'), o.mul, f.get('pt'), o.sub, f.get('ky'), f.get('dh'), o.mul, o.add);
        f.if([f.tee('ihh'), f.get('ih'), o.ltU], () => {
          f.loop('kx', [o.i32(0)], [f.get('kw')], one, () => {
            f.emit(f.get('xo'), f.get('sw'), o.mul, f.get('pl'), o.sub, f.get('kx'), f.get('dw'), o.mul, o.add);
            f.if([f.tee('iww'), f.get('iw'), o.ltU], () => {
              f.emit(f.get('x'), f.get('ihh'), f.get('iw'), o.mul, f.get('iww'), o.add, f.get('ic'), o.mul);
              f.emit(o.i32(4), o.mul, o.add, f.set('xb'));
              f.loop('g', [o.i32(0)], [f.get('groups')], one, () => {
                f.emit(f.get('xb'), f.get('g'), f.get('cing'), o.mul, o.i32(4), o.mul, o.add, f.set('xg'));
                // wg = w + ((g * taps + t) * cing) * cpg * 8, t = ky * kw + kx
                f.emit(f.get('w'), f.get('g'), f.get('kh'), f.get('kw'), o.mul, o.mul, f.get('ky'), f.get('kw'), o.mul);
                f.emit(f.get('kx'), o.add, o.add, f.get('cing'), o.mul, f.get('cpg'), o.mul, o.i32(8), o.mul, o.add);
                f.emit(
                  f.set('wg'),
                  f.get('accp'),
                  f.get('g'),
                  f.get('cpg'),
                  o.mul,
                  o.i32(8),
                  o.mul,
                  o.add,
                  f.set('ag'),
                );
                f.loop('cb', [o.i32(0)], [f.get('c8')], o.i32(8), () => block(4));
                f.loop('cb', [f.get('c8')], [f.get('cpg')], o.i32(2), () => block(1));
              });
            });
          });
        });
      });
      f.emit(f.get('accp'), f.get('rowb'), o.add, f.set('accp'));
    });
  });
  return f;
}

/** dw: a depthwise convolution; weights [tap][cp] and accumulators [pixel][cp] in doubles, cp = channels rounded up to 2. */
function depthwiseFn(): Fn {
  const f = new Fn(
    'dw',
    ['x', 'w', 'acc', 'bias', 'ih', 'iw', 'c', 'cp', 'oh', 'ow', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw', 'pt', 'pl'],
    { i32: ['y', 'xo', 'ky', 'kx', 'ihh', 'iww', 'xb', 'wt', 'cb', 'a', 'accp', 'rowb'] },
  );
  const one = o.i32(1);
  f.emit(f.get('cp'), o.i32(8), o.mul, f.set('rowb'), f.get('acc'), f.set('accp'));
  f.loop('y', [o.i32(0)], [f.get('oh')], one, () => {
    f.loop('xo', [o.i32(0)], [f.get('ow')], one, () => {
      f.emit(f.get('accp'), f.get('bias'), f.get('rowb'), o.memoryCopy);
      f.loop('ky', [o.i32(0)], [f.get('kh')], one, () => {
        f.emit(f.get('y'), f.get('sh'), o.mul, f.get('pt'), o.sub, f.get('ky'), f.get('dh'), o.mul, o.add);
        f.if([f.tee('ihh'), f.get('ih'), o.ltU], () => {
          f.loop('kx', [o.i32(0)], [f.get('kw')], one, () => {
            f.emit(f.get('xo'), f.get('sw'), o.mul, f.get('pl'), o.sub, f.get('kx'), f.get('dw'), o.mul, o.add);
            f.if([f.tee('iww'), f.get('iw'), o.ltU], () => {
              f.emit(f.get('x'), f.get('ihh'), f.get('iw'), o.mul, f.get('iww'), o.add, f.get('c'), o.mul);
              f.emit(o.i32(4), o.mul, o.add, f.set('xb'));
              f.emit(f.get('w'), f.get('ky'), f.get('kw'), o.mul, f.get('kx'), o.add, f.get('rowb'), o.mul, o.add);
              f.emit(f.set('wt'));
              f.loop('cb', [o.i32(0)], [f.get('cp')], o.i32(2), () => {
                f.emit(f.get('accp'), f.get('cb'), o.i32(8), o.mul, o.add, f.tee('a'), f.get('a'), o.v128Load());
                f.emit(f.get('xb'), f.get('cb'), o.i32(4), o.mul, o.add, o.v128Load64Zero(), o.f64x2PromoteLow);
                f.emit(f.get('wt'), f.get('cb'), o.i32(8), o.mul, o.add, o.v128Load(), o.f64x2Mul, o.f64x2Add);
                f.emit(o.v128Store());
              });
            });
          });
        });
      });
      f.emit(f.get('accp'), f.get('rowb'), o.add, f.set('accp'));
    });
  });
  return f;
}

/** pack: out[r][j] = float32(acc[r][j]) for rows r < rows and j < n, rows of acc `stride` doubles apart. */
function packFn(): Fn {
  const f = new Fn('pack', ['acc', 'out', 'rows', 'stride', 'n'], { i32: ['r', 'j', 's', 'd'] });
  f.emit(f.get('acc'), f.set('s'), f.get('out'), f.set('d'));
  f.loop('r', [o.i32(0)], [f.get('rows')], o.i32(1), () => {
    f.loop('j', [o.i32(0)], [f.get('n')], o.i32(1), () => {
      f.emit(f.get('d'), f.get('j'), o.i32(4), o.mul, o.add, f.get('s'), f.get('j'), o.i32(8), o.mul, o.add);
      f.emit(o.f64Load(), o.f32DemoteF64, o.f32Store());
    });
    f.emit(f.get('s'), f.get('stride'), o.i32(8), o.mul, o.add, f.set('s'));
    f.emit(f.get('d'), f.get('n'), o.i32(4), o.mul, o.add, f.set('d'));
  });
  return f;
}

interface FloatExports {
  mem: WebAssembly.Memory;
  conv: (...args: number[]) => void;
  dw: (...args: number[]) => void;
  pack: (...args: number[]) => void;
}

let instance: FloatExports | undefined;
/** The end of the weights laid out so far (bytes); scratch space starts here. */
let top = 0;

function exportsOf(): FloatExports {
  instance ??= new WebAssembly.Instance(
    new WebAssembly.Module(wasmModule([convFn(), depthwiseFn(), packFn()].map(fnEntry))),
  ).exports as unknown as FloatExports;
  return instance;
}

const align = (n: number) => Math.ceil(n / 16) * 16;

/** Grows the memory to hold `end` bytes. */
function reserve(e: FloatExports, end: number): void {
  const have = e.mem.buffer.byteLength;
  if (end > have) e.mem.grow(Math.ceil((end - have) / 65536));
}

/** A layer's weights and bias in the module's memory (byte offsets) and its padded channel counts. */
interface Laid {
  w: number;
  bias: number;
  cpg: number;
  dw: boolean;
}

const laid = new WeakMap<Float32Array, Laid>();

function layOut(l: MacLayer, weights: Float32Array, bias: Float32Array): Laid {
  const known = laid.get(weights);
  if (known) return known;
  const e = exportsOf();
  const { groups } = l;
  const cinG = l.inShape.c / groups;
  const coutG = l.outShape.c / groups;
  const taps = l.kernel.h * l.kernel.w;
  const dw = cinG === 1 && coutG === 1;
  // Depthwise: one group of every channel; else per group, channels rounded up to 2.
  const cpg = dw ? Math.ceil(l.outShape.c / 2) * 2 : Math.ceil(coutG / 2) * 2;
  const nw = dw ? taps * cpg : groups * taps * cinG * cpg;
  const nb = dw ? cpg : groups * cpg;
  const w = top;
  const b = align(w + nw * 8);
  top = align(b + nb * 8);
  reserve(e, top);
  const W = new Float64Array(e.mem.buffer, w, nw);
  const B = new Float64Array(e.mem.buffer, b, nb);
  if (dw)
    for (let co = 0; co < l.outShape.c; co++) {
      B[co] = bias[co]!;
      for (let t = 0; t < taps; t++) W[t * cpg + co] = weights[co * taps + t]!;
    }
  else
    for (let g = 0; g < groups; g++)
      for (let j = 0; j < coutG; j++) {
        const co = g * coutG + j;
        B[g * cpg + j] = bias[co]!;
        for (let t = 0; t < taps; t++)
          for (let ci = 0; ci < cinG; ci++)
            W[((g * taps + t) * cinG + ci) * cpg + j] = weights[(co * taps + t) * cinG + ci]!;
      }
  const r = { w, bias: b, cpg, dw };
  laid.set(weights, r);
  return r;
}

/** A MAC layer in float (zero padding), as the float reference computes it: the float32 output tensor. */
export function floatMacWasm(l: MacLayer, x: Float32Array, weights: Float32Array, bias: Float32Array): Float32Array {
  const p = layOut(l, weights, bias);
  const e = exportsOf();
  const { inShape: is, outShape: os, kernel: k, stride: s, dilation: d, pad, groups } = l;
  const pixels = os.h * os.w;
  const rowDoubles = p.dw ? p.cpg : groups * p.cpg;
  const xOff = top;
  const accOff = align(xOff + x.length * 4 + 16);
  const outOff = align(accOff + pixels * rowDoubles * 8);
  reserve(e, outOff + pixels * os.c * 4);
  new Float32Array(e.mem.buffer, xOff, x.length).set(x);
  const tail = [k.h, k.w, s.h, s.w, d.h, d.w, pad.top, pad.left];
  if (p.dw) e.dw(xOff, p.w, accOff, p.bias, is.h, is.w, is.c, p.cpg, os.h, os.w, ...tail);
  else {
    const coutG = os.c / groups;
    const c8 = Math.floor(coutG / 8) * 8;
    e.conv(xOff, p.w, accOff, p.bias, is.h, is.w, is.c, is.c / groups, groups, p.cpg, c8, os.h, os.w, ...tail);
  }
  // Rows of the accumulators: one per pixel (depthwise) or per pixel and group.
  const rows = p.dw ? pixels : pixels * groups;
  e.pack(accOff, outOff, rows, p.cpg, p.dw ? os.c : os.c / groups);
  return new Float32Array(e.mem.buffer, outOff, pixels * os.c).slice();
}
