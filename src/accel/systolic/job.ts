/**
 * The systolic array's job encoding: its job file in the job-format table's vocabulary (a head the driver
 * checks against its build, then one record per GEMM), the dataflow and timing enums of that head (codes
 * from codes.ts, the one definition the RTL and mt_params.h use too), and the encoder of a layer's GEMMs.
 * src/sim/job/layout.ts assembles it with the other kinds' into the table the C++ header and
 * docs/JOB-FORMAT.md are rendered from.
 */
import { encodeFile } from '../../sim/job/codec.js';
import { jobKindField, OPERAND_MATRIX, REQUANT_ROW } from '../../sim/job/layout.js';
import { enumFromCodes, type FileDef, type RecordDef, type Wire } from '../../sim/job/table.js';
import { operandMatrix, requantRows, type IntMatrix, type JobEncoding, type RequantParams } from '../../sim/job.js';
import { DATAFLOW_CODES, TIMING_CODES } from './codes.js';

/** The array's value of the job_kind enum. */
const SYSTOLIC_JOB_KIND = { name: 'systolic', code: 1, meaning: 'a systolic MAC array, run by sa_driver' } as const;

/** The dataflow codes of a job head. */
export const DATAFLOW = enumFromCodes(
  'dataflow',
  "the systolic array's dataflow (the RTL's DF parameter, MT_DATAFLOW in mt_params.h)",
  DATAFLOW_CODES,
  { os: 'output stationary', ws: 'weight stationary', is: 'input stationary' },
);

/** The fold timing codes of a job head. */
export const TIMING = enumFromCodes(
  'timing',
  "the systolic array's fold timing (the RTL's TIMING parameter, MT_TIMING in mt_params.h)",
  TIMING_CODES,
  {
    scalesim: 'folds strictly serial, SCALE-Sim v2 fold lengths',
    pipelined: "the next fold's preload and the previous fold's drain overlap the current fold",
  },
);

const SYSTOLIC_GEMM = {
  name: 'systolic_gemm',
  meaning: 'one GEMM O[M][N] = requant(P1 x P2), run with one start pulse',
  fields: [
    { name: 'm', type: 'u32', meaning: 'M: output pixels (rows of the output)' },
    { name: 'k', type: 'u32', meaning: 'K: the reduction length' },
    { name: 'n', type: 'u32', meaning: 'N: output channels' },
    { name: 'relu', type: 'u32', meaning: '1: ReLU after requantization, 0: none' },
    { name: 'zero_point', type: 'i32', meaning: 'output zero point' },
    {
      name: 'max_cycles',
      type: 'u64',
      meaning: 'watchdog: the driver stops the GEMM (status watchdog) after this many cycles',
    },
    {
      name: 'p1',
      type: OPERAND_MATRIX,
      meaning: 'the operand streamed through the array rows (as the dataflow lays it out)',
    },
    { name: 'p2', type: OPERAND_MATRIX, meaning: 'the operand along the columns (stationary in ws and is)' },
    { name: 'q_rows', type: 'u32', meaning: 'requantization rows (one per output channel)' },
    { name: 'q', type: REQUANT_ROW, count: 'q_rows', meaning: 'requantization parameters, served on the q_ port' },
    { name: 'o_rows', type: 'u32', meaning: 'rows of the output memory' },
    { name: 'o_cols', type: 'u32', meaning: 'columns of the output memory' },
    {
      name: 'acc_rows',
      type: 'u32',
      meaning: 'rows of the partial-sum memory over K folds (0 when the dataflow has no K folds)',
    },
    {
      name: 'acc_cols',
      type: 'u32',
      meaning: 'columns of the partial-sum memory (0 when the dataflow has no K folds)',
    },
  ],
} as const satisfies RecordDef;

/** The systolic job file: the head the driver checks, then the GEMMs. */
export const SYSTOLIC_JOB = {
  name: 'systolic_job',
  magic: 'MTJOB',
  writer: 'typescript',
  meaning:
    'a job for a systolic array: the GEMMs of one layer, planned for one array; the driver checks the head against its build',
  fields: [
    jobKindField(SYSTOLIC_JOB_KIND.code),
    { name: 'rows', type: 'u32', meaning: 'array rows (MT_ROWS)' },
    { name: 'cols', type: 'u32', meaning: 'array columns (MT_COLS)' },
    {
      name: 'dw',
      type: 'u32',
      meaning: 'operand bits, 8 or 16 (MT_DW): the width of every elem of the job and its result',
    },
    { name: 'acc_w', type: 'u32', meaning: 'accumulator bits (MT_ACC_W)' },
    { name: 'dataflow', type: 'u32', enum: DATAFLOW, meaning: 'dataflow the job was planned for (MT_DATAFLOW)' },
    { name: 'timing', type: 'u32', enum: TIMING, meaning: 'fold timing the job was planned for (MT_TIMING)' },
    { name: 'n_items', type: 'u32', meaning: 'GEMMs in the job' },
    { name: 'items', type: SYSTOLIC_GEMM, count: 'n_items', meaning: 'the GEMMs, run in order' },
  ],
} as const satisfies FileDef;

/** One GEMM of a systolic job: sizes, operands as the dataflow lays them out, requantization, memory shapes. */
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
export interface SystolicJobHeader {
  rows: number;
  cols: number;
  dw: 8 | 16;
  accW: number;
  /** Codes of the dataflow and timing enums (the RTL's DF and TIMING). */
  dataflow: number;
  timing: number;
}

/** The fields every systolic GEMM record has (compute-only and memory-system jobs alike), as the table holds them. */
export function gemmFields(g: Omit<JobGemm, 'acc'>) {
  return {
    m: g.m,
    k: g.k,
    n: g.n,
    relu: g.relu ? 1 : 0,
    zero_point: g.zeroPoint,
    max_cycles: g.maxCycles,
    p1: operandMatrix(g.p1),
    p2: operandMatrix(g.p2),
    q: requantRows(g.q),
    o_rows: g.out.rows,
    o_cols: g.out.cols,
  };
}

/** Serialises a systolic job to bytes. */
function encodeSystolicJob(h: SystolicJobHeader, gemms: readonly JobGemm[]): Buffer {
  const items = gemms.map((g): Wire<typeof SYSTOLIC_JOB>['items'][number] => ({
    ...gemmFields(g),
    acc_rows: g.acc.rows,
    acc_cols: g.acc.cols,
  }));
  return encodeFile(
    SYSTOLIC_JOB,
    { rows: h.rows, cols: h.cols, dw: h.dw, acc_w: h.accW, dataflow: h.dataflow, timing: h.timing, items },
    { dw: h.dw },
  );
}

/** The systolic array's job encoding (`Accelerator.job`). */
export const systolicJob: JobEncoding<SystolicJobHeader, JobGemm> = {
  kind: SYSTOLIC_JOB_KIND,
  file: SYSTOLIC_JOB,
  encode: encodeSystolicJob,
};
