/**
 * The job-format table: the one description of the binary boundary between TypeScript and the C++ drivers.
 * A job file holds whole layers (operands, requantization parameters, memory shapes) for one accelerator
 * kind; a result file holds the RTL's counters and outputs of every item. This module holds the envelope
 * every kind shares (format version, status, the result file, the records the kinds' items are built of)
 * and assembles the whole table (`jobFormat`) from the job files the registered kinds declare in their
 * folders (src/accel/<kind>/job.ts), with the job-kind enum built from the codes they declare. The
 * TypeScript codec (codec.ts), the C++ header mt_job_layout.h that the drivers include (cpp.ts) and
 * docs/JOB-FORMAT.md (doc.ts) are all derived from that table; change a layout in its record (and
 * FORMAT_VERSION with it), nowhere else.
 */
import { recordsOf, type EnumDef, type EnumValue, type FileDef, type RecordDef } from './table.js';

/** Goes into both magics ("MTJOB02\0", "MTRES02\0"); a driver refuses files of another version. */
export const FORMAT_VERSION = 2;

// ---- Codes ----

/** How a driver run ended (the result head's status). */
export const STATUS = {
  name: 'status',
  meaning: 'how a driver run ended',
  values: [
    { name: 'ok', code: 0, meaning: 'every item finished' },
    { name: 'watchdog', code: 1, meaning: 'the last item in the file ran past its max_cycles and was stopped' },
  ],
} as const satisfies EnumDef;

/** The code of a named value of an enum. */
export function codeOf<E extends EnumDef>(e: E, name: E['values'][number]['name']): number {
  return e.values.find((v) => v.name === name)!.code;
}

// ---- Shared records ----

/** A matrix of operands (the kinds' items hold theirs in this record). */
export const OPERAND_MATRIX = {
  name: 'operand_matrix',
  meaning: "a row-major matrix of operands, laid out as the accelerator's read port addresses it",
  fields: [
    { name: 'rows', type: 'u32', meaning: 'rows' },
    { name: 'cols', type: 'u32', meaning: 'columns' },
    { name: 'data', type: 'elem', count: 'rows*cols', meaning: 'the elements, row by row' },
  ],
} as const satisfies RecordDef;

/** One output channel's requantization parameters (the kinds' items hold theirs in this record). */
export const REQUANT_ROW = {
  name: 'requant_row',
  meaning: 'the requantization parameters of one output channel: y = sat(round((acc + bias) * mult / 2^shift))',
  fields: [
    { name: 'bias', type: 'i64', meaning: 'bias in accumulator units' },
    { name: 'mult', type: 'i32', meaning: 'integer multiplier' },
    { name: 'shift', type: 'u32', meaning: 'right shift' },
  ],
} as const satisfies RecordDef;

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
    {
      name: 'sim_ns',
      type: 'u64',
      meaning: "CPU nanoseconds (user + system) of the item's clocked loop (for speed figures)",
    },
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

/** The result file every driver writes. */
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

/** The memory system's counters in a mem_result item (docs/MEMORY.md), each a u64. */
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

/** The result file of a driver that plays DRAM for a memory system (sa_mem_driver, nv_mem_driver): one item per GEMM or convolution run. */
export const MEM_RESULT = {
  name: 'mem_result',
  magic: 'MTRES',
  writer: 'driver',
  meaning:
    "sa_mem_driver's answer to a systolic_mem_job (one item per GEMM) or nv_mem_driver's to an nvdla_mem_job (one per convolution; IFMAP = feature, FILTER = weight, OFMAP = output)",
  fields: [
    { name: 'status', type: 'u32', enum: STATUS, meaning: 'how the run ended' },
    { name: 'n_items', type: 'u32', meaning: 'items run (with status watchdog, the last was stopped)' },
    { name: 'items', type: MEM_RESULT_ITEM, count: 'n_items', meaning: 'the items, in job order' },
  ],
} as const satisfies FileDef;

// ---- Jobs (one file per kind, declared in the kind's folder) ----

/** The first field of every job head: the kind's code of the job_kind enum, written by the codec. */
export const jobKindField = <C extends number>(code: C) =>
  ({ name: 'kind', type: 'u32', value: code, meaning: 'the job kind' }) as const;

/** What a kind declares of the format: its value of the job_kind enum and its job file (kind field first). */
export interface JobKindLayout {
  readonly kind: EnumValue;
  readonly file: FileDef;
}

/** The whole table: every enum and every file, in the order the C++ header and the documentation list them. */
export interface JobFormat {
  readonly enums: readonly EnumDef[];
  readonly files: readonly FileDef[];
}

/** The job kinds' enum, one value per kind, in registry order. */
function jobKindEnum(kinds: readonly JobKindLayout[]): EnumDef {
  return {
    name: 'job_kind',
    meaning: 'the accelerator kind a job is for (the first field of every job head)',
    values: kinds.map((k) => k.kind),
  };
}

/** A kind's job file as the table holds it: its kind field names the job_kind enum (for messages and docs). */
function withKindEnum(k: JobKindLayout, jobKind: EnumDef): FileDef {
  const [first, ...rest] = k.file.fields;
  const where = `job format: ${k.file.name}`;
  if (k.file.writer !== 'typescript' || k.file.magic !== 'MTJOB') throw new Error(`${where}: not a job file`);
  if (first?.name !== 'kind' || first.type !== 'u32' || first.value !== k.kind.code)
    throw new Error(`${where}: the first field must be jobKindField(${k.kind.code})`);
  return { ...k.file, fields: [{ ...first, enum: jobKind }, ...rest] };
}

/** The enums the records of the files use, each once, in file and field order. */
function enumsOf(files: readonly FileDef[]): EnumDef[] {
  const out: EnumDef[] = [];
  for (const f of files)
    for (const r of recordsOf(f)) for (const x of r.fields) if (x.enum && !out.includes(x.enum)) out.push(x.enum);
  return out;
}

/**
 * The table of the registered kinds (registry order): the job_kind enum, status, then the enums of the
 * kinds' records; each kind's job file, then the result. Throws on duplicate kind codes or names, a job file
 * whose head does not start with its kind field, or two enums of one name.
 */
export function jobFormat(kinds: readonly JobKindLayout[]): JobFormat {
  for (const key of ['code', 'name'] as const) {
    const seen = kinds.map((k) => k.kind[key]);
    const twice = seen.find((v, i) => seen.indexOf(v) !== i);
    if (twice !== undefined) throw new Error(`job format: two kinds with the job-kind ${key} ${twice}`);
  }
  const jobKind = jobKindEnum(kinds);
  const files = [...kinds.map((k) => withKindEnum(k, jobKind)), RESULT, MEM_RESULT];
  const enums = [jobKind, STATUS, ...enumsOf(files).filter((e) => e !== jobKind && e !== STATUS)];
  const names = enums.map((e) => e.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new Error(`job format: two enums named ${twice}`);
  return { enums, files };
}
