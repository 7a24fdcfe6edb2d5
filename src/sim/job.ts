/**
 * Job files for the C++ drivers and their result files, in the accelerators' terms: what every kind's job
 * shares (operand matrices as the accelerator's ports read them, requantization parameters), what a kind's
 * job encoding provides (`JobEncoding`; each kind's is in its folder, src/accel/<kind>/job.ts), and the
 * result file every driver writes. The bytes follow the job-format table (job/layout.ts, rendered in
 * docs/JOB-FORMAT.md) through its one codec; the functions here only map these types onto the table's
 * records, and the compiler checks each mapping against the table.
 */
import { readFileSync } from 'node:fs';
import { MactileError } from '../util/errors.js';
import { decodeFile, FormatError } from './job/codec.js';
import {
  MEM_RESULT,
  RESULT,
  STATUS,
  codeOf,
  type JobKindLayout,
  type OPERAND_MATRIX,
  type REQUANT_ROW,
} from './job/layout.js';
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

export interface GemmResult {
  cycles: number;
  macs: number;
  outputs: number;
  folds: number;
  laneWrites: number;
  repeatedWrites: number;
  outsideWrites: number;
  /** The driver's CPU time (user + system) for the item's clocked loop (job reading and result writing excluded). */
  simSeconds: number;
  foldStarts: number[];
  out: IntMatrix;
}

export interface JobResult {
  status: 'ok' | 'watchdog';
  gemms: GemmResult[];
}

/**
 * A kind's job encoding, declared in its folder (src/accel/<kind>/job.ts) and exposed as `Accelerator.job`:
 * its value of the job_kind enum, its job file in the table's vocabulary, and the encoder of a layer's items.
 */
export interface JobEncoding<Head = never, Item = never> extends JobKindLayout {
  encode(head: Head, items: readonly Item[]): Buffer;
}

/** A matrix as the table's operand_matrix record holds it. */
export const operandMatrix = (m: IntMatrix): Wire<typeof OPERAND_MATRIX> => ({
  rows: m.rows,
  cols: m.cols,
  data: m.data,
});

/** Requantization parameters as the table's requant_row records hold them. */
export const requantRows = (q: RequantParams): Wire<typeof REQUANT_ROW>[] =>
  q.bias.map((bias, i) => ({ bias, mult: q.mult[i]!, shift: q.shift[i]! }));

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
    gemms: r.items.map((g, i) => resultOf(g, outShapes[i]!)),
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
