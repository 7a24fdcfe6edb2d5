/**
 * Job files for the C++ drivers and their result files, in the accelerators' terms. A job holds whole
 * layers: operand matrices as the accelerator's ports read them, requantization parameters, and the shapes
 * of the output and partial-sum memories. The bytes follow the job-format table (job/layout.ts, rendered in
 * docs/JOB-FORMAT.md) through its one codec; the functions here only map these types onto the table's
 * records, and the compiler checks each mapping against the table.
 */
import { readFileSync } from 'node:fs';
import { MactileError } from '../util/errors.js';
import { decodeFile, encodeFile, FormatError } from './job/codec.js';
import { MEM_RESULT, NVDLA_JOB, RESULT, STATUS, SYSTOLIC_JOB, SYSTOLIC_MEM_JOB, codeOf } from './job/layout.js';
import type { Wire } from './job/table.js';

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

/** The head of a systolic job: what the array it was planned for looks like (the driver checks it). */
export interface JobHeader {
  rows: number;
  cols: number;
  dw: 8 | 16;
  accW: number;
  /** Codes of the table's dataflow and timing enums (the RTL's DF and TIMING). */
  dataflow: number;
  timing: number;
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

const requantRows = (q: RequantParams) => q.bias.map((bias, i) => ({ bias, mult: q.mult[i]!, shift: q.shift[i]! }));
const matrix = (m: IntMatrix) => ({ rows: m.rows, cols: m.cols, data: m.data });

/** Serialises an NVDLA-style job to bytes. */
export function encodeNvJob(head: NvJobHeader, convs: NvJobConv[]): Buffer {
  const items = convs.map((c): Wire<typeof NVDLA_JOB>['items'][number] => {
    if (c.dims.length !== 14) throw new Error('nvdla job: 14 dimensions expected');
    const [h, w, ch, k, r, s, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left, out_h, out_w] = c.dims as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return {
      h,
      w,
      c: ch,
      k,
      r,
      s,
      stride_h,
      stride_w,
      dilation_h,
      dilation_w,
      pad_top,
      pad_left,
      out_h,
      out_w,
      relu: c.relu ? 1 : 0,
      zero_point: c.zeroPoint,
      pad_value: c.padValue,
      truncate: c.truncate,
      max_cycles: c.maxCycles,
      feature: matrix(c.feature),
      weight: matrix(c.weight),
      q: requantRows(c.q),
      o_rows: c.out.rows,
      o_cols: c.out.cols,
    };
  });
  return encodeFile(
    NVDLA_JOB,
    { atomic_c: head.atomicC, atomic_k: head.atomicK, dw: head.dw, weight_kernels: head.weightKernels, items },
    { dw: head.dw },
  );
}

/** Serialises a systolic job to bytes. */
export function encodeJob(h: JobHeader, gemms: JobGemm[]): Buffer {
  const items = gemms.map((g): Wire<typeof SYSTOLIC_JOB>['items'][number] => ({
    m: g.m,
    k: g.k,
    n: g.n,
    relu: g.relu ? 1 : 0,
    zero_point: g.zeroPoint,
    max_cycles: g.maxCycles,
    p1: matrix(g.p1),
    p2: matrix(g.p2),
    q: requantRows(g.q),
    o_rows: g.out.rows,
    o_cols: g.out.cols,
    acc_rows: g.acc.rows,
    acc_cols: g.acc.cols,
  }));
  return encodeFile(
    SYSTOLIC_JOB,
    { rows: h.rows, cols: h.cols, dw: h.dw, acc_w: h.accW, dataflow: h.dataflow, timing: h.timing, items },
    { dw: h.dw },
  );
}

/** One GEMM of a memory-system job: the GEMM, its tiling, its operand matrices (held in DRAM by the driver). */
export interface MemJobGemm extends Omit<JobGemm, 'acc'> {
  tiling: { mt: number; nt: number; mTiles: number; nTiles: number };
}

/** The head of a memory-system job: the array, the DRAM port and the back-pressure test mode. */
export interface MemJobHeader extends JobHeader {
  beat: number;
  bwFixed: number;
  latency: number;
  stallSeed: number;
  stallPercent: number;
}

/** The memory system's counters of one GEMM (names as in the result file). */
export interface MemCounters {
  compute: number;
  stallIfmap: number;
  stallFilter: number;
  stallOfmap: number;
  dramRdIfmap: number;
  dramRdFilter: number;
  dramWr: number;
  sramRdIfmap: number;
  sramRdFilter: number;
  sramRdOfmap: number;
  sramWrOfmap: number;
}

/** Serialises a memory-system job to bytes. */
export function encodeMemJob(h: MemJobHeader, gemms: MemJobGemm[]): Buffer {
  const items = gemms.map((g): Wire<typeof SYSTOLIC_MEM_JOB>['items'][number] => ({
    m: g.m,
    k: g.k,
    n: g.n,
    relu: g.relu ? 1 : 0,
    zero_point: g.zeroPoint,
    max_cycles: g.maxCycles,
    mt: g.tiling.mt,
    nt: g.tiling.nt,
    m_tiles: g.tiling.mTiles,
    n_tiles: g.tiling.nTiles,
    p1: matrix(g.p1),
    p2: matrix(g.p2),
    q: requantRows(g.q),
    o_rows: g.out.rows,
    o_cols: g.out.cols,
  }));
  return encodeFile(
    SYSTOLIC_MEM_JOB,
    {
      rows: h.rows,
      cols: h.cols,
      dw: h.dw,
      acc_w: h.accW,
      dataflow: h.dataflow,
      timing: h.timing,
      beat: h.beat,
      bw_fixed: h.bwFixed,
      latency: h.latency,
      stall_seed: h.stallSeed,
      stall_percent: h.stallPercent,
      items,
    },
    { dw: h.dw },
  );
}

/** Reads a memory-system result file: per GEMM the array's result and the memory system's counters. */
export function readMemResult(
  file: string,
  dw: 8 | 16,
  outShapes: { rows: number; cols: number }[],
): { status: 'ok' | 'watchdog'; gemms: (GemmResult & { mem: MemCounters })[] } {
  let b: Buffer;
  try {
    b = readFileSync(file);
  } catch {
    throw new MactileError(`simulation result ${file}: missing (the driver did not finish)`, 3);
  }
  let r: Wire<typeof MEM_RESULT>;
  try {
    r = decodeFile(MEM_RESULT, b, {
      dw,
      itemJob: (i) => {
        const s = outShapes[i];
        if (!s) throw new FormatError(`more items than the job's ${outShapes.length}`);
        return { o_rows: s.rows, o_cols: s.cols };
      },
    });
  } catch (e) {
    if (e instanceof FormatError) throw new MactileError(`simulation result ${file}: ${e.message}`, 3);
    throw e;
  }
  return {
    status: r.status === codeOf(STATUS, 'ok') ? 'ok' : 'watchdog',
    gemms: r.items.map((it, i) => ({
      ...resultOf(it.base, outShapes[i]!),
      mem: {
        compute: it.compute,
        stallIfmap: it.stall_ifmap,
        stallFilter: it.stall_filter,
        stallOfmap: it.stall_ofmap,
        dramRdIfmap: it.dram_rd_ifmap,
        dramRdFilter: it.dram_rd_filter,
        dramWr: it.dram_wr,
        sramRdIfmap: it.sram_rd_ifmap,
        sramRdFilter: it.sram_rd_filter,
        sramRdOfmap: it.sram_rd_ofmap,
        sramWrOfmap: it.sram_wr_ofmap,
      },
    })),
  };
}

/** A result item of the table as a GemmResult. */
function resultOf(g: Wire<typeof RESULT>['items'][number], shape: { rows: number; cols: number }): GemmResult {
  return {
    cycles: g.cycles,
    macs: g.macs,
    outputs: g.outputs,
    folds: g.folds,
    laneWrites: g.lane_writes,
    repeatedWrites: g.repeated_writes,
    outsideWrites: g.outside_writes,
    simSeconds: g.sim_ns / 1e9,
    foldStarts: g.fold_starts,
    out: { ...shape, data: g.out },
  };
}

/** Parses a result file's bytes, given the operand width and the output shape of every job item. */
export function decodeResult(b: Buffer, dw: 8 | 16, outShapes: { rows: number; cols: number }[]): JobResult {
  const r = decodeFile(RESULT, b, {
    dw,
    itemJob: (i) => {
      const s = outShapes[i];
      if (!s) throw new FormatError(`more items than the job's ${outShapes.length}`);
      return { o_rows: s.rows, o_cols: s.cols };
    },
  });
  return {
    status: r.status === codeOf(STATUS, 'ok') ? 'ok' : 'watchdog',
    gemms: r.items.map((g, i) => ({
      cycles: g.cycles,
      macs: g.macs,
      outputs: g.outputs,
      folds: g.folds,
      laneWrites: g.lane_writes,
      repeatedWrites: g.repeated_writes,
      outsideWrites: g.outside_writes,
      simSeconds: g.sim_ns / 1e9,
      foldStarts: g.fold_starts,
      out: { ...outShapes[i]!, data: g.out },
    })),
  };
}

/** Reads a result file, checking it against the job's items (output shapes). */
export function readResult(file: string, dw: 8 | 16, outShapes: { rows: number; cols: number }[]): JobResult {
  let b: Buffer;
  try {
    b = readFileSync(file);
  } catch {
    throw new MactileError(`simulation result ${file}: missing (the driver did not finish)`, 3);
  }
  try {
    return decodeResult(b, dw, outShapes);
  } catch (e) {
    if (e instanceof FormatError) throw new MactileError(`simulation result ${file}: ${e.message}`, 3);
    throw e;
  }
}
