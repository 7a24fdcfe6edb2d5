/**
 * A WebAssembly SIMD integer GEMM for the golden kernels, assembled here byte by byte (no toolchain):
 * C[m][n] = sum_k A[m][k] * B[n][k] over int16 rows padded to a multiple of 8, four columns at a time with
 * i32x4.dot_i16x8_s, each result stored as a double. `gemm32` sums in 32-bit lanes (exact while every
 * partial sum stays below 2^31: INT8 layers); `gemm64` widens every dot to 64-bit lanes (INT16 layers, exact
 * while no weight is -32768, so that no pair of products reaches 2^31, and the sum stays below 2^53).
 * `dw32`/`dw64` are the depthwise kernel: eight channels per step over a padded input and the window's tap
 * offsets, products widened to 32-bit (INT8) or 64-bit (INT16) lanes. golden-wasm.ts assembles the module.
 */
const I32 = 0x7f;
const V128 = 0x7b;
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
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

// Opcodes.
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const tee = (i: number) => [0x22, i];
/** i32.const of a non-negative value: signed LEB128, so a set bit 6 in the last group needs one more byte. */
const i32c = (v: number) => {
  const u = uleb(v);
  return (u.at(-1)! & 0x40) !== 0 ? [0x41, ...u.slice(0, -1), u.at(-1)! | 0x80, 0] : [0x41, ...u];
};
const ADD = 0x6a;
const MUL = 0x6c;
const LT_U = 0x49;
const GE_U = 0x4f;
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const LOAD = simd(0x00, 4, 0);
const ZERO = simd(0x0c, ...new Array<number>(16).fill(0));
const DOT = simd(0xba);
const I32X4_ADD = simd(0xae);
const I64X2_ADD = simd(0xce);
const EXT_LO = simd(0xc7);
const EXT_HI = simd(0xc8);

// Parameters a, b, c (byte offsets), m, n (a multiple of 4), kp (a multiple of 8); then locals.
const [A, B, C, M, N, KP] = [0, 1, 2, 3, 4, 5];
const [I, J, K, AROW, B0, KB, CPTR] = [6, 7, 8, 9, 10, 14, 15];
const VA = 16;
const VD = 17;
const ACC = 18; // accumulators from here: 4 (gemm32) or 8 (gemm64)

/** The GEMM's function body (gemm32, or gemm64 when `wide`). */
export function gemmBody(wide: boolean): number[] {
  const accs = wide ? 8 : 4;
  const locals = vec([
    [...uleb(10), I32],
    [...uleb(2 + accs), V128],
  ]);
  const bRow = (r: number) => B0 + r; // b0..b3 are locals 10..13
  const code: number[] = [];
  const emit = (...xs: (number | number[])[]) => {
    for (const x of xs) code.push(...(typeof x === 'number' ? [x] : x));
  };
  emit(get(KP), i32c(2), MUL, set(KB), get(C), set(CPTR), i32c(0), set(I));
  emit([0x02, 0x40], [0x03, 0x40]); // block, loop over i
  emit(get(I), get(M), GE_U, [0x0d, 1]);
  emit(get(A), get(I), get(KB), MUL, ADD, set(AROW), get(B), set(B0), i32c(0), set(J));
  emit([0x02, 0x40], [0x03, 0x40]); // block, loop over j (four columns)
  emit(get(J), get(N), GE_U, [0x0d, 1]);
  for (let v = 0; v < accs; v++) emit(ZERO, set(ACC + v));
  for (let r = 1; r < 4; r++) emit(get(bRow(r - 1)), get(KB), ADD, set(bRow(r)));
  emit(i32c(0), set(K));
  emit([0x03, 0x40]); // loop over k, 8 values per step
  emit(get(AROW), get(K), ADD, LOAD, set(VA));
  for (let r = 0; r < 4; r++) {
    const dot = [get(VA), get(bRow(r)), get(K), ADD, LOAD, DOT];
    if (!wide) emit(get(ACC + r), ...dot, I32X4_ADD, set(ACC + r));
    else {
      emit(get(ACC + 2 * r), ...dot, tee(VD), EXT_LO, I64X2_ADD, set(ACC + 2 * r));
      emit(get(ACC + 2 * r + 1), get(VD), EXT_HI, I64X2_ADD, set(ACC + 2 * r + 1));
    }
  }
  emit(get(K), i32c(16), ADD, tee(K), get(KB), LT_U, [0x0d, 0], 0x0b);
  for (let r = 0; r < 4; r++) {
    emit(get(CPTR));
    if (!wide) {
      emit(get(ACC + r), simd(0x1b, 0), get(ACC + r), simd(0x1b, 1), ADD);
      emit(get(ACC + r), simd(0x1b, 2), ADD, get(ACC + r), simd(0x1b, 3), ADD, 0xb7); // f64.convert_i32_s
    } else {
      emit(get(ACC + 2 * r), get(ACC + 2 * r + 1), I64X2_ADD, tee(VD), simd(0x1d, 0), get(VD), simd(0x1d, 1));
      emit(0x7c, 0xb9); // i64.add, f64.convert_i64_s
    }
    emit(0x39, 3, ...uleb(8 * r)); // f64.store offset=8r
  }
  emit(get(CPTR), i32c(32), ADD, set(CPTR), get(bRow(3)), get(KB), ADD, set(B0));
  emit(get(J), i32c(4), ADD, set(J), [0x0c, 0], 0x0b, 0x0b); // br loop j; end loop; end block
  emit(get(I), i32c(1), ADD, set(I), [0x0c, 0], 0x0b, 0x0b, 0x0b); // br loop i; end; end; end function
  const b = [...locals, ...code];
  return [...uleb(b.length), ...b];
}

// Depthwise parameters: xp, w, offs, out (byte offsets), oh, ow (output size), cp (channels, a multiple of 8),
// taps, rsb and csb (input bytes between output rows and columns); then locals.
const [XP, W, OFFS, OUT, OHN, OWN, CP, TAPS, RSB, CSB] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [OH, OW, CB, T, ROWB, BASE, DPTR, CPB, WT] = [10, 11, 12, 13, 14, 15, 16, 17, 18];
const [DX, DW] = [19, 20];
const DACC = 21;

/** The depthwise kernel's function body (dw32, or dw64 when `wide`). */
export function depthwiseBody(wide: boolean): number[] {
  const accs = wide ? 4 : 2;
  const locals = vec([
    [...uleb(9), I32],
    [...uleb(2 + (wide ? 4 : 0) + accs), V128],
  ]);
  const code: number[] = [];
  const emit = (...xs: (number | number[])[]) => {
    for (const x of xs) code.push(...(typeof x === 'number' ? [x] : x));
  };
  const loopStart = (counter: number, limit: number) =>
    emit([0x02, 0x40], [0x03, 0x40], get(counter), get(limit), GE_U, [0x0d, 1]);
  const loopEnd = (counter: number, step: number) =>
    emit(get(counter), i32c(step), ADD, set(counter), [0x0c, 0], 0x0b, 0x0b);
  emit(get(CP), i32c(2), MUL, set(CPB), get(OUT), set(DPTR), i32c(0), set(OH));
  loopStart(OH, OHN);
  emit(get(XP), get(OH), get(RSB), MUL, ADD, set(ROWB), i32c(0), set(OW));
  loopStart(OW, OWN);
  emit(get(ROWB), get(OW), get(CSB), MUL, ADD, set(BASE), i32c(0), set(CB));
  loopStart(CB, CPB);
  for (let v = 0; v < accs; v++) emit(ZERO, set(DACC + v));
  emit(i32c(0), set(T), get(W), get(CB), ADD, set(WT));
  emit([0x03, 0x40]); // loop over taps
  emit(get(BASE), get(OFFS), get(T), i32c(4), MUL, ADD, [0x28, 2, 0], ADD, get(CB), ADD, LOAD, set(DX));
  emit(get(WT), LOAD, set(DW));
  if (!wide) {
    emit(get(DACC), get(DX), get(DW), simd(0xbc), I32X4_ADD, set(DACC));
    emit(get(DACC + 1), get(DX), get(DW), simd(0xbd), I32X4_ADD, set(DACC + 1));
  } else {
    const [XL, WL] = [DACC + 4, DACC + 5];
    const [XH, WH] = [DACC + 6, DACC + 7];
    emit(
      get(DX),
      simd(0xa7),
      set(XL),
      get(DW),
      simd(0xa7),
      set(WL),
      get(DX),
      simd(0xa8),
      set(XH),
      get(DW),
      simd(0xa8),
      set(WH),
    );
    emit(get(DACC), get(XL), get(WL), simd(0xdc), I64X2_ADD, set(DACC));
    emit(get(DACC + 1), get(XL), get(WL), simd(0xdd), I64X2_ADD, set(DACC + 1));
    emit(get(DACC + 2), get(XH), get(WH), simd(0xdc), I64X2_ADD, set(DACC + 2));
    emit(get(DACC + 3), get(XH), get(WH), simd(0xdd), I64X2_ADD, set(DACC + 3));
  }
  emit(get(WT), get(CPB), ADD, set(WT), get(T), i32c(1), ADD, tee(T), get(TAPS), LT_U, [0x0d, 0], 0x0b);
  for (let ch = 0; ch < 8; ch++) {
    emit(get(DPTR));
    if (!wide) emit(get(DACC + (ch >> 2)), simd(0x1b, ch & 3), 0xb7);
    else emit(get(DACC + (ch >> 1)), simd(0x1d, ch & 1), 0xb9);
    emit(0x39, 3, ...uleb(8 * ch));
  }
  emit(get(DPTR), i32c(64), ADD, set(DPTR));
  loopEnd(CB, 16);
  loopEnd(OW, 1);
  loopEnd(OH, 1);
  emit(0x0b);
  const b = [...locals, ...code];
  return [...uleb(b.length), ...b];
}

// Gather parameters: xp, offs, a (byte offsets), oh, ow, nseg, segb, rowb, rsb, csb; then locals.
const [GXP, GOFFS, GA, GOHN, GOWN, NSEG, SEGB, ROWBYTES, GRSB, GCSB] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [GOH, GOW, GS, GROW, GBASE, GD, GDST] = [10, 11, 12, 13, 14, 15, 16];

/** im2col: per output pixel, nseg segments of segb bytes from the padded input at base + offs[s], then zeros to rowb. */
export function gatherBody(): number[] {
  const code: number[] = [];
  const emit = (...xs: (number | number[])[]) => {
    for (const x of xs) code.push(...(typeof x === 'number' ? [x] : x));
  };
  emit(get(GA), set(GDST), i32c(0), set(GOH));
  emit([0x02, 0x40], [0x03, 0x40], get(GOH), get(GOHN), GE_U, [0x0d, 1]);
  emit(get(GXP), get(GOH), get(GRSB), MUL, ADD, set(GROW), i32c(0), set(GOW));
  emit([0x02, 0x40], [0x03, 0x40], get(GOW), get(GOWN), GE_U, [0x0d, 1]);
  emit(get(GROW), get(GOW), get(GCSB), MUL, ADD, set(GBASE), i32c(0), set(GS), get(GDST), set(GD));
  emit([0x03, 0x40]);
  emit(get(GD), get(GBASE), get(GOFFS), get(GS), i32c(4), MUL, ADD, [0x28, 2, 0], ADD, get(SEGB), [0xfc, 0x0a, 0, 0]);
  emit(get(GD), get(SEGB), ADD, set(GD), get(GS), i32c(1), ADD, tee(GS), get(NSEG), LT_U, [0x0d, 0], 0x0b);
  emit(get(GD), i32c(0), get(GDST), get(ROWBYTES), ADD, get(GD), 0x6b, [0xfc, 0x0b, 0]); // i32.sub; memory.fill
  emit(get(GDST), get(ROWBYTES), ADD, set(GDST));
  emit(get(GOW), i32c(1), ADD, set(GOW), [0x0c, 0], 0x0b, 0x0b);
  emit(get(GOH), i32c(1), ADD, set(GOH), [0x0c, 0], 0x0b, 0x0b, 0x0b);
  const b = [...vec([[...uleb(7), I32]]), ...code];
  return [...uleb(b.length), ...b];
}
