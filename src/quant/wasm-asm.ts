/**
 * A small WebAssembly assembler for the golden and float kernels (no toolchain): LEB128, sections, opcodes,
 * and a function builder with named locals, loops and conditionals. Every function takes i32 parameters
 * and returns nothing; a module has one exported memory, `mem`.
 */

const I32 = 0x7f;
const I64 = 0x7e;
const F64 = 0x7c;
const V128 = 0x7b;

/** Unsigned LEB128. */
const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};

/** Signed LEB128 of a safe integer (i32.const and i64.const immediates). */
const sleb = (v: number | bigint): number[] => {
  let n = BigInt(v);
  const out: number[] = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s)];

/** A SIMD instruction: prefix 0xfd, opcode, immediates. */
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];

/** Opcodes used by the kernels (memory immediates: align as log2, offset 0 unless given). */
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  f64: (v: number) => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)],
  i64: (v: number | bigint) => [0x42, ...sleb(v)],
  i32Load: (off = 0) => [0x28, 2, ...uleb(off)],
  i64Load: (off = 0) => [0x29, 3, ...uleb(off)],
  f32Load: (off = 0) => [0x2a, 2, ...uleb(off)],
  f64Load: (off = 0) => [0x2b, 3, ...uleb(off)],
  i32Load16s: (off = 0) => [0x2e, 1, ...uleb(off)],
  f32Store: (off = 0) => [0x38, 2, ...uleb(off)],
  f64Store: (off = 0) => [0x39, 3, ...uleb(off)],
  i32Store16: (off = 0) => [0x3b, 1, ...uleb(off)],
  v128Load: (off = 0) => simd(0x00, 4, ...uleb(off)),
  v128Store: (off = 0) => simd(0x0b, 4, ...uleb(off)),
  v128Load64Zero: (off = 0) => simd(0x5d, 3, ...uleb(off)),
  memoryCopy: [0xfc, 0x0a, 0, 0],
  memoryFill: [0xfc, 0x0b, 0],
  select: [0x1b],
  drop: [0x1a],
  // i32
  eqz: [0x45],
  eq: [0x46],
  ltS: [0x48],
  ltU: [0x49],
  gtS: [0x4a],
  geS: [0x4e],
  geU: [0x4f],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  and: [0x71],
  or: [0x72],
  shl: [0x74],
  // i64
  i64Eqz: [0x50],
  i64LtS: [0x53],
  i64GtS: [0x55],
  i64GeU: [0x5a],
  i64Add: [0x7c],
  i64Sub: [0x7d],
  i64Mul: [0x7e],
  i64And: [0x83],
  i64Or: [0x84],
  i64Shl: [0x86],
  i64ShrS: [0x87],
  i64ShrU: [0x88],
  i64LtU: [0x54],
  i64LeU: [0x58],
  i32WrapI64: [0xa7],
  i64ExtendI32S: [0xac],
  i64TruncF64S: [0xb0],
  // f32 / f64
  f64Add: [0xa0],
  f64Sub: [0xa1],
  f64Mul: [0xa2],
  f64Div: [0xa3],
  f64Floor: [0x9c],
  f64Abs: [0x99],
  f64Min: [0xa4],
  f64Copysign: [0xa6],
  f64Lt: [0x63],
  f64Gt: [0x64],
  f32Mul: [0x94],
  f32Add: [0x92],
  f32Nearest: [0x90],
  f32ConvertI64S: [0xb4],
  i32TruncSatF32S: [0xfc, 0x00],
  i32TruncSatF64S: [0xfc, 0x02],
  f64Ge: [0x66],
  f32DemoteF64: [0xb6],
  f64ConvertI32S: [0xb7],
  f64ConvertI64S: [0xb9],
  f64PromoteF32: [0xbb],
  // v128
  f64x2Splat: simd(0x14),
  f64x2Add: simd(0xf0),
  f64x2Mul: simd(0xf2),
  f64x2PromoteLow: simd(0x5f),
  v128Zero: simd(0x0c, ...new Array<number>(16).fill(0)),
};

type Code = number | number[];

/** One function: i32 parameters and typed locals by name, and structured control flow. */
export class Fn {
  readonly code: number[] = [];
  private readonly index = new Map<string, number>();
  private readonly groups: [number, number][] = [];

  constructor(
    readonly name: string,
    readonly params: string[],
    locals: { i32?: string[]; i64?: string[]; f64?: string[]; v128?: string[] },
  ) {
    let i = 0;
    for (const p of params) this.index.set(p, i++);
    for (const [type, names] of [
      [I32, locals.i32],
      [I64, locals.i64],
      [F64, locals.f64],
      [V128, locals.v128],
    ] as const) {
      if (!names?.length) continue;
      this.groups.push([names.length, type]);
      for (const n of names) this.index.set(n, i++);
    }
  }

  /** Index of a parameter or local. */
  l(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`wasm-asm: ${this.name} has no local ${name}`);
    return i;
  }

  emit(...xs: Code[]): this {
    for (const x of xs)
      if (typeof x === 'number') this.code.push(x);
      else this.code.push(...x);
    return this;
  }

  get = (n: string) => op.get(this.l(n));
  set = (n: string) => op.set(this.l(n));
  tee = (n: string) => op.tee(this.l(n));

  /** for (counter = from; counter < limit (unsigned); counter += step) body; `from`, `limit` and `step` are code. */
  loop(counter: string, from: Code[], limit: Code[], step: Code[], body: () => void): this {
    this.emit(...from, this.set(counter), [0x02, 0x40], [0x03, 0x40]);
    this.emit(this.get(counter), ...limit, op.geU, [0x0d, 1]);
    body();
    this.emit(this.get(counter), ...step, op.add, this.set(counter), [0x0c, 0], 0x0b, 0x0b);
    return this;
  }

  /** if (condition) then [else otherwise]: the condition (i32) is on the stack first. */
  if(cond: Code[], then: () => void, otherwise?: () => void): this {
    this.emit(...cond, [0x04, 0x40]);
    then();
    if (otherwise) {
      this.emit(0x05);
      otherwise();
    }
    return this.emit(0x0b);
  }

  /** The function body as the code section holds it. */
  bytes(): number[] {
    const b = [...vec(this.groups.map(([n, t]) => [...uleb(n), t])), ...this.code, 0x0b];
    return [...uleb(b.length), ...b];
  }
}

/** A module of functions (raw bodies or Fn), each exported by name, and one exported memory. */
export function wasmModule(funcs: { name: string; params: number; body: number[] }[]): Uint8Array<ArrayBuffer> {
  const arities = [...new Set(funcs.map((f) => f.params))];
  const types = arities.map((n) => [0x60, ...vec(Array.from({ length: n }, () => [I32])), 0]);
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((f) => uleb(arities.indexOf(f.params))))),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...str('mem'), 2, 0], ...funcs.map((f, i) => [...str(f.name), 0, ...uleb(i)])])),
    ...section(10, vec(funcs.map((f) => f.body))),
  ]);
}

/** A function of a module from an Fn. */
export const fnEntry = (f: Fn) => ({ name: f.name, params: f.params.length, body: f.bytes() });
