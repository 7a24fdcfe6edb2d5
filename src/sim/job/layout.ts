/**
 * The job-format table: the one description of the binary boundary between TypeScript and the C++ drivers.
 * A job file holds whole layers (operands, requantization parameters, memory shapes) for one accelerator
 * kind; a result file holds the RTL's counters and outputs of every item. The TypeScript codec (codec.ts),
 * the C++ header mt_job_layout.h that the drivers include (cpp.ts) and docs/JOB-FORMAT.md (doc.ts) are all
 * derived from the records below; change the layout here (and FORMAT_VERSION with it), nowhere else.
 */
import type { EnumDef, FileDef, RecordDef } from './table.js';

/** Goes into both magics ("MTJOB02\0", "MTRES02\0"); a driver refuses files of another version. */
export const FORMAT_VERSION = 2;

// ---- Codes ----

/** The job kinds' codes (written once: the enum below and the job heads use them). */
export const JOB_KIND_CODE = { systolic: 1, nvdla: 2, systolic_mem: 3 } as const;

const JOB_KIND = {
  name: 'job_kind',
  meaning: 'the accelerator kind a job is for (the first field of every job head)',
  values: [
    { name: 'systolic', code: JOB_KIND_CODE.systolic, meaning: 'a systolic MAC array, run by sa_driver' },
    { name: 'nvdla', code: JOB_KIND_CODE.nvdla, meaning: 'an NVDLA-style convolution core, run by nv_driver' },
    {
      name: 'systolic_mem',
      code: JOB_KIND_CODE.systolic_mem,
      meaning: 'a systolic MAC array with its memory system (docs/MEMORY.md), run by sa_mem_driver playing DRAM',
    },
  ],
} as const satisfies EnumDef;

export const STATUS = {
  name: 'status',
  meaning: 'how a driver run ended',
  values: [
    { name: 'ok', code: 0, meaning: 'every item finished' },
    { name: 'watchdog', code: 1, meaning: 'the last item in the file ran past its max_cycles and was stopped' },
  ],
} as const satisfies EnumDef;

export const DATAFLOW = {
  name: 'dataflow',
  meaning: "the systolic array's dataflow (the RTL's DF parameter, MT_DATAFLOW in mt_params.h)",
  values: [
    { name: 'os', code: 0, meaning: 'output stationary' },
    { name: 'ws', code: 1, meaning: 'weight stationary' },
    { name: 'is', code: 2, meaning: 'input stationary' },
  ],
} as const satisfies EnumDef;

export const TIMING = {
  name: 'timing',
  meaning: "the systolic array's fold timing (the RTL's TIMING parameter, MT_TIMING in mt_params.h)",
  values: [
    { name: 'scalesim', code: 0, meaning: 'folds strictly serial, SCALE-Sim v2 fold lengths' },
    {
      name: 'pipelined',
      code: 1,
      meaning: "the next fold's preload and the previous fold's drain overlap the current fold",
    },
  ],
} as const satisfies EnumDef;

export const ENUMS: readonly EnumDef[] = [JOB_KIND, STATUS, DATAFLOW, TIMING];

/** The code of a named value of an enum. */
export function codeOf<E extends EnumDef>(e: E, name: E['values'][number]['name']): number {
  return e.values.find((v) => v.name === name)!.code;
}

// ---- Shared records ----

const OPERAND_MATRIX = {
  name: 'operand_matrix',
  meaning: "a row-major matrix of operands, laid out as the accelerator's read port addresses it",
  fields: [
    { name: 'rows', type: 'u32', meaning: 'rows' },
    { name: 'cols', type: 'u32', meaning: 'columns' },
    { name: 'data', type: 'elem', count: 'rows*cols', meaning: 'the elements, row by row' },
  ],
} as const satisfies RecordDef;

const REQUANT_ROW = {
  name: 'requant_row',
  meaning: 'the requantization parameters of one output channel: y = sat(round((acc + bias) * mult / 2^shift))',
  fields: [
    { name: 'bias', type: 'i64', meaning: 'bias in accumulator units' },
    { name: 'mult', type: 'i32', meaning: 'integer multiplier' },
    { name: 'shift', type: 'u32', meaning: 'right shift' },
  ],
} as const satisfies RecordDef;

// ---- Systolic array ----

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

export const SYSTOLIC_JOB = {
  name: 'systolic_job',
  magic: 'MTJOB',
  writer: 'typescript',
  meaning:
    'a job for a systolic array: the GEMMs of one layer, planned for one array; the driver checks the head against its build',
  fields: [
    { name: 'kind', type: 'u32', value: JOB_KIND_CODE.systolic, enum: JOB_KIND, meaning: 'the job kind' },
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

// ---- Systolic array with its memory system (docs/MEMORY.md) ----

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
    { name: 'p1', type: OPERAND_MATRIX, meaning: 'P1 as the compute-only array lays it out, held in DRAM' },
    { name: 'p2', type: OPERAND_MATRIX, meaning: 'P2, held in DRAM after P1' },
    { name: 'q_rows', type: 'u32', meaning: 'requantization rows (one per output channel)' },
    { name: 'q', type: REQUANT_ROW, count: 'q_rows', meaning: 'requantization parameters, served on the q_ port' },
    { name: 'o_rows', type: 'u32', meaning: 'rows of the output matrix in DRAM (after P2)' },
    { name: 'o_cols', type: 'u32', meaning: 'columns of the output matrix in DRAM' },
  ],
} as const satisfies RecordDef;

export const SYSTOLIC_MEM_JOB = {
  name: 'systolic_mem_job',
  magic: 'MTJOB',
  writer: 'typescript',
  meaning:
    'a job for a systolic array with its memory system: the GEMMs of one layer and the DRAM the driver plays for them',
  fields: [
    { name: 'kind', type: 'u32', value: JOB_KIND_CODE.systolic_mem, enum: JOB_KIND, meaning: 'the job kind' },
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

// ---- NVDLA-style core ----

const NVDLA_CONV = {
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

export const NVDLA_JOB = {
  name: 'nvdla_job',
  magic: 'MTJOB',
  writer: 'typescript',
  meaning: 'a job for an NVDLA-style core: the convolutions of one layer; the driver checks the head against its build',
  fields: [
    { name: 'kind', type: 'u32', value: JOB_KIND_CODE.nvdla, enum: JOB_KIND, meaning: 'the job kind' },
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

// ---- Results (every kind) ----

const RESULT_ITEM = {
  name: 'result_item',
  meaning:
    "what one item (GEMM or convolution) measured: the RTL's own counters, what the driver's memory saw, and the outputs",
  fields: [
    { name: 'cycles', type: 'u64', meaning: "cycles from start to done (the RTL's cnt_cycles)" },
    { name: 'macs', type: 'u64', meaning: "MACs performed (the RTL's cnt_macs)" },
    { name: 'outputs', type: 'u64', meaning: "outputs written (the RTL's cnt_outputs)" },
    {
      name: 'folds',
      type: 'u64',
      meaning: 'systolic: folds started (cnt_folds); nvdla: operation slots issued (cnt_slots)',
    },
    { name: 'lane_writes', type: 'u64', meaning: 'output lanes written (counted by the driver)' },
    { name: 'repeated_writes', type: 'u64', meaning: 'output lanes written to an element written before' },
    { name: 'outside_writes', type: 'u64', meaning: 'lanes written outside the output or partial-sum memory' },
    { name: 'sim_ns', type: 'u64', meaning: "steady-clock nanoseconds of the item's clocked loop (for speed figures)" },
    { name: 'n_fold_starts', type: 'u32', meaning: 'fold pulses seen' },
    { name: 'fold_starts', type: 'u64', count: 'n_fold_starts', meaning: 'the cycle (cnt_cycles) of every fold pulse' },
    {
      name: 'out',
      type: 'elem',
      count: 'job.o_rows*job.o_cols',
      meaning: "the output memory, row by row (the job item's o_rows x o_cols)",
    },
  ],
} as const satisfies RecordDef;

export const RESULT = {
  name: 'result',
  magic: 'MTRES',
  writer: 'driver',
  meaning: "a driver's answer to a job: one item per job item run; elem has the job's dw bits",
  fields: [
    { name: 'status', type: 'u32', enum: STATUS, meaning: 'how the run ended' },
    { name: 'n_items', type: 'u32', meaning: 'items run (with status watchdog, the last was stopped)' },
    { name: 'items', type: RESULT_ITEM, count: 'n_items', meaning: 'the items, in job order' },
  ],
} as const satisfies FileDef;

const MEM_COUNTER_NAMES = [
  ['compute', "cycles the array computed or was started (the RTL's cnt_compute)"],
  ['stall_ifmap', 'cycles stalled waiting for an IFMAP block (cnt_stall_ifmap)'],
  ['stall_filter', 'cycles stalled waiting for a FILTER block (cnt_stall_filter)'],
  ['stall_ofmap', 'cycles stalled waiting for an OFMAP half to drain, or for the last drain (cnt_stall_ofmap)'],
  ['dram_rd_ifmap', 'IFMAP words read from DRAM (cnt_dram_rd_ifmap)'],
  ['dram_rd_filter', 'FILTER words read from DRAM (cnt_dram_rd_filter)'],
  ['dram_wr', 'words written to DRAM (cnt_dram_wr)'],
  ['sram_rd_ifmap', 'operand words the array read from the IFMAP scratchpad (cnt_sram_rd_ifmap)'],
  ['sram_rd_filter', 'operand words the array read from the FILTER scratchpad (cnt_sram_rd_filter)'],
  ['sram_rd_ofmap', 'partial sums read back (cnt_sram_rd_ofmap)'],
  ['sram_wr_ofmap', 'results and partial sums written (cnt_sram_wr_ofmap)'],
] as const;

const MEM_RESULT_ITEM = {
  name: 'mem_result_item',
  meaning: "what one GEMM on the memory system measured: the memory system's counters, then a result_item",
  fields: [
    ...MEM_COUNTER_NAMES.map(([name, meaning]) => ({ name, type: 'u64', meaning }) as const),
    { name: 'base', type: RESULT_ITEM, meaning: "the array's counters, the driver's write checks and the outputs" },
  ],
} as const satisfies RecordDef;

export const MEM_RESULT = {
  name: 'mem_result',
  magic: 'MTRES',
  writer: 'driver',
  meaning: "sa_mem_driver's answer to a systolic_mem_job: one item per GEMM run",
  fields: [
    { name: 'status', type: 'u32', enum: STATUS, meaning: 'how the run ended' },
    { name: 'n_items', type: 'u32', meaning: 'items run (with status watchdog, the last was stopped)' },
    { name: 'items', type: MEM_RESULT_ITEM, count: 'n_items', meaning: 'the items, in job order' },
  ],
} as const satisfies FileDef;

/** Every file of the boundary, in the order the documentation and the C++ header list them. */
export const FILES: readonly FileDef[] = [SYSTOLIC_JOB, NVDLA_JOB, RESULT, SYSTOLIC_MEM_JOB, MEM_RESULT];
