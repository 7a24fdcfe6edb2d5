/**
 * The job encoding of the systolic array with its memory system (docs/MEMORY.md): a head with the array,
 * the DRAM port and the back-pressure test mode, then one record per GEMM with its tiling and the operand
 * matrices the driver (sa_mem_driver) holds in DRAM. Its driver answers with the shared mem_result file.
 */
import { encodeFile } from '../../sim/job/codec.js';
import { jobKindField, OPERAND_MATRIX, REQUANT_ROW } from '../../sim/job/layout.js';
import type { FileDef, RecordDef, Wire } from '../../sim/job/table.js';
import type { JobEncoding } from '../../sim/job.js';
import { DATAFLOW, gemmFields, TIMING, type JobGemm, type SystolicJobHeader } from './job.js';
import type { FmapGeometry } from './fmap.js';

/** The memory system's value of the job_kind enum. */
const SYSTOLIC_MEM_JOB_KIND = {
  name: 'systolic_mem',
  code: 3,
  meaning: 'a systolic MAC array with its memory system (docs/MEMORY.md), run by sa_mem_driver playing DRAM',
} as const;

const FMAP_GEOMETRY = {
  name: 'fmap_geometry',
  meaning: "a layer's input geometry for the IFMAP layout nhwc (docs/MEMORY.md, stage 2); all zero in layout im2col",
  fields: [
    { name: 'ih', type: 'u32', meaning: 'input rows of an image' },
    { name: 'iw', type: 'u32', meaning: 'input columns' },
    { name: 'c', type: 'u32', meaning: 'input channels of the channel group' },
    { name: 'oh', type: 'u32', meaning: 'output rows' },
    { name: 'ow', type: 'u32', meaning: 'output columns' },
    { name: 'kh', type: 'u32', meaning: 'kernel rows' },
    { name: 'kw', type: 'u32', meaning: 'kernel columns' },
    { name: 'sh', type: 'u32', meaning: 'stride along rows' },
    { name: 'sw', type: 'u32', meaning: 'stride along columns' },
    { name: 'pt', type: 'u32', meaning: 'padding rows before the first' },
    { name: 'pl', type: 'u32', meaning: 'padding columns before the first' },
    { name: 'dh', type: 'u32', meaning: 'dilation along rows' },
    { name: 'dw', type: 'u32', meaning: 'dilation along columns' },
    { name: 'pad', type: 'i32', meaning: 'the input zero point, read where the window covers padding' },
  ],
} as const satisfies RecordDef;

const SYSTOLIC_MEM_GEMM = {
  name: 'systolic_mem_gemm',
  meaning: 'one GEMM on the memory system: the operand matrices the driver holds in DRAM, and the tiling',
  fields: [
    { name: 'm', type: 'u32', meaning: 'M: output pixels' },
    { name: 'k', type: 'u32', meaning: 'K: the reduction length' },
    { name: 'n', type: 'u32', meaning: 'N: output channels' },
    { name: 'relu', type: 'u32', meaning: '1: ReLU after requantization, 0: none' },
    { name: 'zero_point', type: 'i32', meaning: 'output zero point' },
    { name: 'max_cycles', type: 'u64', meaning: 'watchdog: the driver stops the GEMM after this many cycles' },
    { name: 'mt', type: 'u32', meaning: 'outputs per tile along M (the tiling of memTiling)' },
    { name: 'nt', type: 'u32', meaning: 'outputs per tile along N' },
    { name: 'm_tiles', type: 'u32', meaning: 'tiles along M' },
    { name: 'n_tiles', type: 'u32', meaning: 'tiles along N' },
    { name: 'fm', type: FMAP_GEOMETRY, meaning: 'the input geometry (layout nhwc)' },
    {
      name: 'p1',
      type: OPERAND_MATRIX,
      meaning: 'P1 as the compute-only array lays it out, held in DRAM (nhwc, os/ws: the NHWC rows, columns = c)',
    },
    { name: 'p2', type: OPERAND_MATRIX, meaning: 'P2, held in DRAM after P1 (nhwc, is: the NHWC rows)' },
    { name: 'q_rows', type: 'u32', meaning: 'requantization rows (one per output channel)' },
    { name: 'q', type: REQUANT_ROW, count: 'q_rows', meaning: 'requantization parameters, served on the q_ port' },
    { name: 'o_rows', type: 'u32', meaning: 'rows of the output matrix in DRAM (after P2)' },
    { name: 'o_cols', type: 'u32', meaning: 'columns of the output matrix in DRAM' },
  ],
} as const satisfies RecordDef;

const SYSTOLIC_MEM_JOB = {
  name: 'systolic_mem_job',
  magic: 'MTJOB',
  writer: 'typescript',
  meaning:
    'a job for a systolic array with its memory system: the GEMMs of one layer and the DRAM the driver plays for them',
  fields: [
    jobKindField(SYSTOLIC_MEM_JOB_KIND.code),
    { name: 'rows', type: 'u32', meaning: 'array rows (MT_ROWS)' },
    { name: 'cols', type: 'u32', meaning: 'array columns (MT_COLS)' },
    { name: 'dw', type: 'u32', meaning: 'operand bits, 8 or 16 (MT_DW)' },
    { name: 'acc_w', type: 'u32', meaning: 'accumulator bits (MT_ACC_W)' },
    { name: 'dataflow', type: 'u32', enum: DATAFLOW, meaning: 'dataflow the job was planned for (MT_DATAFLOW)' },
    { name: 'timing', type: 'u32', enum: TIMING, meaning: 'fold timing the job was planned for (MT_TIMING)' },
    { name: 'beat', type: 'u32', meaning: 'words per DRAM data beat (MT_BEAT)' },
    { name: 'bw_fixed', type: 'u64', meaning: 'DRAM bandwidth per direction in 1/65536 words per cycle' },
    { name: 'latency', type: 'u32', meaning: 'DRAM latency in cycles' },
    { name: 'stall_seed', type: 'u32', meaning: 'back-pressure test mode: seed of the random pattern (0: off)' },
    {
      name: 'stall_percent',
      type: 'u32',
      meaning: 'back-pressure test mode: percent of cycles a handshake is held off',
    },
    { name: 'n_items', type: 'u32', meaning: 'GEMMs in the job' },
    { name: 'items', type: SYSTOLIC_MEM_GEMM, count: 'n_items', meaning: 'the GEMMs, run in order' },
  ],
} as const satisfies FileDef;

/** One GEMM of a memory-system job: the GEMM, its tiling, its operand matrices (held in DRAM by the driver). */
export interface MemJobGemm extends Omit<JobGemm, 'acc'> {
  tiling: { mt: number; nt: number; mTiles: number; nTiles: number };
  /** Layout nhwc: the input geometry and the zero point the address generator pads with. */
  fm?: FmapGeometry & { pad: number };
}

const NO_FMAP = { ih: 0, iw: 0, c: 0, oh: 0, ow: 0, kh: 0, kw: 0, sh: 0, sw: 0, pt: 0, pl: 0, dh: 0, dw: 0, pad: 0 };

/** The job's geometry record of a layer (its fields only; `images` is in M). */
function fmapFields(f: FmapGeometry & { pad: number }): typeof NO_FMAP {
  const { ih, iw, c, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw, pad } = f;
  return { ih, iw, c, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw, pad };
}

/** The head of a memory-system job: the array, the DRAM port and the back-pressure test mode. */
export interface MemJobHeader extends SystolicJobHeader {
  beat: number;
  bwFixed: number;
  latency: number;
  stallSeed: number;
  stallPercent: number;
}

/** Serialises a memory-system job to bytes. */
function encodeMemJob(h: MemJobHeader, gemms: readonly MemJobGemm[]): Buffer {
  const items = gemms.map((g): Wire<typeof SYSTOLIC_MEM_JOB>['items'][number] => ({
    ...gemmFields(g),
    mt: g.tiling.mt,
    nt: g.tiling.nt,
    m_tiles: g.tiling.mTiles,
    n_tiles: g.tiling.nTiles,
    fm: g.fm ? fmapFields(g.fm) : NO_FMAP,
  }));
  const { rows, cols, dw, accW, dataflow, timing } = h;
  return encodeFile(
    SYSTOLIC_MEM_JOB,
    {
      rows,
      cols,
      dw,
      acc_w: accW,
      dataflow,
      timing,
      beat: h.beat,
      bw_fixed: h.bwFixed,
      latency: h.latency,
      stall_seed: h.stallSeed,
      stall_percent: h.stallPercent,
      items,
    },
    { dw },
  );
}

/** The memory system's job encoding (one of the systolic kind's `Accelerator.jobs`). */
export const systolicMemJob: JobEncoding<MemJobHeader, MemJobGemm> = {
  kind: SYSTOLIC_MEM_JOB_KIND,
  file: SYSTOLIC_MEM_JOB,
  encode: encodeMemJob,
};
