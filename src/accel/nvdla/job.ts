/**
 * The NVDLA-style core's job encoding: its job file in the job-format table's vocabulary (a head the driver
 * checks against its build, then one record per convolution) and the encoder of a layer's convolutions.
 * src/sim/job/layout.ts assembles it with the other kinds' into the table the C++ header and
 * docs/JOB-FORMAT.md are rendered from.
 */
import { encodeFile } from '../../sim/job/codec.js';
import { jobKindField, OPERAND_MATRIX, REQUANT_ROW } from '../../sim/job/layout.js';
import type { FileDef, RecordDef, Wire } from '../../sim/job/table.js';
import { operandMatrix, requantRows, type IntMatrix, type JobEncoding, type RequantParams } from '../../sim/job.js';

/** The core's value of the job_kind enum. */
const NVDLA_JOB_KIND = {
  name: 'nvdla',
  code: 2,
  meaning: 'an NVDLA-style convolution core, run by nv_driver',
} as const;

export const NVDLA_CONV = {
  name: 'nvdla_conv',
  meaning: 'one convolution (or group of one), run with one start pulse; the sizes go to the cfg_ ports',
  fields: [
    { name: 'h', type: 'u32', meaning: 'input height' },
    { name: 'w', type: 'u32', meaning: 'input width' },
    { name: 'c', type: 'u32', meaning: 'input channels' },
    { name: 'k', type: 'u32', meaning: 'output channels (kernels)' },
    { name: 'r', type: 'u32', meaning: 'kernel height' },
    { name: 's', type: 'u32', meaning: 'kernel width' },
    { name: 'stride_h', type: 'u32', meaning: 'vertical stride' },
    { name: 'stride_w', type: 'u32', meaning: 'horizontal stride' },
    { name: 'dilation_h', type: 'u32', meaning: 'vertical dilation' },
    { name: 'dilation_w', type: 'u32', meaning: 'horizontal dilation' },
    { name: 'pad_top', type: 'u32', meaning: 'padding rows above' },
    { name: 'pad_left', type: 'u32', meaning: 'padding columns to the left' },
    { name: 'out_h', type: 'u32', meaning: 'output height' },
    { name: 'out_w', type: 'u32', meaning: 'output width' },
    { name: 'relu', type: 'u32', meaning: '1: ReLU after requantization, 0: none' },
    { name: 'zero_point', type: 'i32', meaning: 'output zero point' },
    { name: 'pad_value', type: 'i32', meaning: 'value of padded input pixels (the input zero point)' },
    { name: 'truncate', type: 'u32', meaning: 'bits CACC drops from the accumulator before SDP' },
    {
      name: 'max_cycles',
      type: 'u64',
      meaning: 'watchdog: the driver stops the convolution (status watchdog) after this many cycles',
    },
    { name: 'feature', type: OPERAND_MATRIX, meaning: 'the feature buffer, in atoms of atomic_c channels' },
    { name: 'weight', type: OPERAND_MATRIX, meaning: "the weight buffer, in the weight loader's order" },
    { name: 'q_rows', type: 'u32', meaning: 'requantization rows (one per output channel)' },
    { name: 'q', type: REQUANT_ROW, count: 'q_rows', meaning: 'SDP parameters, served on the q_ port' },
    { name: 'o_rows', type: 'u32', meaning: 'rows of the output memory' },
    { name: 'o_cols', type: 'u32', meaning: 'columns of the output memory' },
  ],
} as const satisfies RecordDef;

/** The NVDLA-style job file: the head the driver checks, then the convolutions. */
export const NVDLA_JOB = {
  name: 'nvdla_job',
  magic: 'MTJOB',
  writer: 'typescript',
  meaning: 'a job for an NVDLA-style core: the convolutions of one layer; the driver checks the head against its build',
  fields: [
    jobKindField(NVDLA_JOB_KIND.code),
    { name: 'atomic_c', type: 'u32', meaning: 'channels per atom (MT_ATOMC)' },
    { name: 'atomic_k', type: 'u32', meaning: 'kernels per atom (MT_ATOMK)' },
    {
      name: 'dw',
      type: 'u32',
      meaning: 'operand bits, 8 or 16 (MT_DW): the width of every elem of the job and its result',
    },
    { name: 'weight_kernels', type: 'u32', meaning: 'kernels the weight loader delivers per cycle (MT_WK)' },
    { name: 'n_items', type: 'u32', meaning: 'convolutions in the job' },
    { name: 'items', type: NVDLA_CONV, count: 'n_items', meaning: 'the convolutions, run in order' },
  ],
} as const satisfies FileDef;

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

/** The head of an NVDLA-style job: what the core it was planned for looks like (the driver checks it). */
export interface NvJobHeader {
  atomicC: number;
  atomicK: number;
  dw: 8 | 16;
  weightKernels: number;
}

type Dims = [
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

/** The wire fields of one convolution (the memory-system job's items start with them). */
export function nvConvFields(c: NvJobConv): Wire<typeof NVDLA_JOB>['items'][number] {
  if (c.dims.length !== 14) throw new Error('nvdla job: 14 dimensions expected');
  const [h, w, ch, k, r, s, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left, out_h, out_w] =
    c.dims as Dims;
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
    feature: operandMatrix(c.feature),
    weight: operandMatrix(c.weight),
    q: requantRows(c.q),
    o_rows: c.out.rows,
    o_cols: c.out.cols,
  };
}

/** Serialises an NVDLA-style job to bytes. */
function encodeNvdlaJob(head: NvJobHeader, convs: readonly NvJobConv[]): Buffer {
  const items = convs.map(nvConvFields);
  return encodeFile(
    NVDLA_JOB,
    { atomic_c: head.atomicC, atomic_k: head.atomicK, dw: head.dw, weight_kernels: head.weightKernels, items },
    { dw: head.dw },
  );
}

/** The NVDLA-style core's job encoding (`Accelerator.job`). */
export const nvdlaJob: JobEncoding<NvJobHeader, NvJobConv> = {
  kind: NVDLA_JOB_KIND,
  file: NVDLA_JOB,
  encode: encodeNvdlaJob,
};
