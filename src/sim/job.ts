/**
 * Writer of job files and reader of result files for the C++ drivers (layout in sim/mt_job.h).
 * A job holds whole GEMMs: operand matrices as the array's ports read them, requantization
 * parameters, and the shapes of the output and partial-sum memories.
 */
import { readFileSync } from 'node:fs';
import { MactileError } from '../util/errors.js';

/** A row-major matrix of small signed integers. */
export interface IntMatrix {
  rows: number;
  cols: number;
  data: Int16Array;
}

/** Per-output-channel requantization parameters (bias in accumulator units). */
export interface RequantParams {
  bias: bigint[];
  mult: number[];
  shift: number[];
}

export interface JobGemm {
  m: number;
  k: number;
  n: number;
  relu: boolean;
  zeroPoint: number;
  maxCycles: number;
  p1: IntMatrix;
  p2: IntMatrix;
  q: RequantParams;
  out: { rows: number; cols: number };
  acc: { rows: number; cols: number };
}

export interface JobHeader {
  kind: 1;
  rows: number;
  cols: number;
  dw: 8 | 16;
  accW: number;
  dataflow: number;
}

export interface GemmResult {
  cycles: number;
  macs: number;
  outputs: number;
  folds: number;
  laneWrites: number;
  repeatedWrites: number;
  outsideWrites: number;
  /** The driver's steady-clock time for the item's clocked loop (job reading and result writing excluded). */
  simSeconds: number;
  foldStarts: number[];
  out: IntMatrix;
}

export interface JobResult {
  status: 'ok' | 'watchdog';
  gemms: GemmResult[];
}

class ByteWriter {
  private chunks: Buffer[] = [];
  private cur = Buffer.alloc(1 << 16);
  private pos = 0;
  private room(n: number): void {
    if (this.pos + n <= this.cur.length) return;
    this.chunks.push(this.cur.subarray(0, this.pos));
    this.cur = Buffer.alloc(Math.max(1 << 16, n));
    this.pos = 0;
  }
  u32(v: number): void { this.room(4); this.cur.writeUInt32LE(v, this.pos); this.pos += 4; }
  i32(v: number): void { this.room(4); this.cur.writeInt32LE(v, this.pos); this.pos += 4; }
  u64(v: number): void { this.room(8); this.cur.writeBigUInt64LE(BigInt(v), this.pos); this.pos += 8; }
  i64(v: bigint): void { this.room(8); this.cur.writeBigInt64LE(v, this.pos); this.pos += 8; }
  raw(b: Buffer): void { this.room(b.length); b.copy(this.cur, this.pos); this.pos += b.length; }
  done(): Buffer { return Buffer.concat([...this.chunks, this.cur.subarray(0, this.pos)]); }
}

function matrixBytes(m: IntMatrix, dw: 8 | 16): Buffer {
  if (dw === 16) return Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  const b = Buffer.alloc(m.data.length);
  for (let i = 0; i < m.data.length; i++) b.writeInt8(m.data[i]!, i);
  return b;
}

/** One convolution of an NVDLA-style job: the layer geometry, buffers in NVDLA's orders, SDP parameters. */
export interface NvJobConv {
  /** h, w, c, k, r, s, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW. */
  dims: number[];
  relu: boolean;
  zeroPoint: number;
  padValue: number;
  truncate: number;
  maxCycles: number;
  feature: IntMatrix;
  weight: IntMatrix;
  q: RequantParams;
  out: { rows: number; cols: number };
}

export interface NvJobHeader {
  atomicC: number;
  atomicK: number;
  dw: 8 | 16;
  weightKernels: number;
}

/** Serialises an NVDLA-style job to bytes. */
export function encodeNvJob(h: NvJobHeader, convs: NvJobConv[]): Buffer {
  const w = new ByteWriter();
  w.raw(Buffer.from('MTJOB01\0', 'latin1'));
  for (const v of [2, h.atomicC, h.atomicK, h.dw, h.weightKernels, convs.length]) w.u32(v);
  for (const c of convs) {
    if (c.dims.length !== 14) throw new Error('nvdla job: 14 dimensions expected');
    for (const d of c.dims) w.u32(d);
    w.u32(c.relu ? 1 : 0); w.i32(c.zeroPoint); w.i32(c.padValue); w.u32(c.truncate); w.u64(c.maxCycles);
    for (const m of [c.feature, c.weight]) {
      w.u32(m.rows); w.u32(m.cols);
      w.raw(matrixBytes(m, h.dw));
    }
    w.u32(c.q.bias.length);
    c.q.bias.forEach((b, i) => { w.i64(b); w.i32(c.q.mult[i]!); w.u32(c.q.shift[i]!); });
    w.u32(c.out.rows); w.u32(c.out.cols);
  }
  return w.done();
}

/** Serialises a job to bytes. */
export function encodeJob(h: JobHeader, gemms: JobGemm[]): Buffer {
  const w = new ByteWriter();
  w.raw(Buffer.from('MTJOB01\0', 'latin1'));
  for (const v of [h.kind, h.rows, h.cols, h.dw, h.accW, h.dataflow, gemms.length]) w.u32(v);
  for (const g of gemms) {
    w.u32(g.m); w.u32(g.k); w.u32(g.n); w.u32(g.relu ? 1 : 0); w.i32(g.zeroPoint); w.u64(g.maxCycles);
    for (const m of [g.p1, g.p2]) {
      w.u32(m.rows); w.u32(m.cols);
      w.raw(matrixBytes(m, h.dw));
    }
    w.u32(g.q.bias.length);
    g.q.bias.forEach((b, i) => { w.i64(b); w.i32(g.q.mult[i]!); w.u32(g.q.shift[i]!); });
    w.u32(g.out.rows); w.u32(g.out.cols); w.u32(g.acc.rows); w.u32(g.acc.cols);
  }
  return w.done();
}

/** Reads a result file, checking it against the job's GEMMs (output shapes). */
export function readResult(file: string, dw: 8 | 16, outShapes: { rows: number; cols: number }[]): JobResult {
  let b: Buffer;
  try {
    b = readFileSync(file);
  } catch {
    throw new MactileError(`simulation result ${file}: missing (the driver did not finish)`, 3);
  }
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > b.length) throw new MactileError(`simulation result ${file}: truncated at byte ${pos}`, 3);
  };
  const u32 = () => { need(4); const v = b.readUInt32LE(pos); pos += 4; return v; };
  const u64 = () => { need(8); const v = Number(b.readBigUInt64LE(pos)); pos += 8; return v; };
  need(8);
  if (b.subarray(0, 8).toString('latin1') !== 'MTRES01\0') throw new MactileError(`simulation result ${file}: not a mactile result file`, 3);
  pos = 8;
  const status = u32();
  const count = u32();
  const gemms: GemmResult[] = [];
  for (let i = 0; i < count; i++) {
    const [cycles, macs, outputs, folds, laneWrites, repeatedWrites, outsideWrites, simNs] = [u64(), u64(), u64(), u64(), u64(), u64(), u64(), u64()];
    const nf = u32();
    const foldStarts: number[] = [];
    for (let f = 0; f < nf; f++) foldStarts.push(u64());
    const shape = outShapes[i]!;
    const n = shape.rows * shape.cols;
    const data = new Int16Array(n);
    if (dw === 8) {
      need(n);
      for (let e = 0; e < n; e++) data[e] = b.readInt8(pos + e);
      pos += n;
    } else {
      need(2 * n);
      for (let e = 0; e < n; e++) data[e] = b.readInt16LE(pos + 2 * e);
      pos += 2 * n;
    }
    gemms.push({ cycles, macs, outputs, folds, laneWrites, repeatedWrites, outsideWrites, simSeconds: simNs / 1e9, foldStarts, out: { ...shape, data } });
  }
  if (pos !== b.length) throw new MactileError(`simulation result ${file}: ${b.length - pos} unexpected trailing bytes`, 3);
  return { status: status === 0 ? 'ok' : 'watchdog', gemms };
}
