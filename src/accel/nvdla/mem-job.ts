/**
 * The job encoding of the NVDLA-style core with its memory system (docs/MEMORY.md, "NVDLA-style core"): a head
 * with the core, the DRAM port and the back-pressure test mode, then one record per convolution: the
 * compute-only record's fields (the feature image and, as one row, the weight chunks' images the driver holds
 * in DRAM) and the chunking. Its driver (nv_mem_driver) answers with the shared mem_result file.
 */
import { encodeFile } from '../../sim/job/codec.js';
import { jobKindField } from '../../sim/job/layout.js';
import type { FileDef, RecordDef, Wire } from '../../sim/job/table.js';
import type { JobEncoding } from '../../sim/job.js';
import { NVDLA_CONV, nvConvFields, type NvJobConv, type NvJobHeader } from './job.js';

/** The memory system's value of the job_kind enum. */
const NVDLA_MEM_JOB_KIND = {
  name: 'nvdla_mem',
  code: 4,
  meaning: 'an NVDLA-style core with its memory system (docs/MEMORY.md), run by nv_mem_driver playing DRAM',
} as const;

const NVDLA_MEM_CONV = {
  name: 'nvdla_mem_conv',
  meaning:
    'one convolution on the memory system: the nvdla_conv fields (weight: the chunk images, one row), then the chunking',
  fields: [
    ...NVDLA_CONV.fields,
    { name: 'kc', type: 'u32', meaning: 'kernels per weight chunk (nvChunking)' },
    { name: 'chunks', type: 'u32', meaning: 'weight chunks' },
    { name: 'w_single', type: 'u32', meaning: '1: one weight slot (each chunk uses the whole region), 0: two' },
    {
      name: 'taps',
      type: 'u32',
      meaning:
        'taps of one kernel (channel blocks x R x S): a chunk of n kernels takes this many times ceil(n/atomic_k) x ceil(atomic_k/weight_kernels) weight entries, or ceil(n/weight_kernels) when n < atomic_k',
    },
  ],
} as const satisfies RecordDef;

const NVDLA_MEM_JOB = {
  name: 'nvdla_mem_job',
  magic: 'MTJOB',
  writer: 'typescript',
  meaning:
    'a job for an NVDLA-style core with its memory system: the convolutions of one layer and the DRAM the driver plays',
  fields: [
    jobKindField(NVDLA_MEM_JOB_KIND.code),
    { name: 'atomic_c', type: 'u32', meaning: 'channels per atom (MT_ATOMC)' },
    { name: 'atomic_k', type: 'u32', meaning: 'kernels per atom (MT_ATOMK)' },
    { name: 'dw', type: 'u32', meaning: 'operand bits, 8 or 16 (MT_DW)' },
    { name: 'weight_kernels', type: 'u32', meaning: 'kernels the weight loader delivers per cycle (MT_WK)' },
    { name: 'beat', type: 'u32', meaning: 'words per DRAM data beat (MT_BEAT)' },
    { name: 'bw_fixed', type: 'u64', meaning: 'DRAM bandwidth per direction in 1/65536 words per cycle' },
    { name: 'latency', type: 'u32', meaning: 'DRAM latency in cycles' },
    { name: 'stall_seed', type: 'u32', meaning: 'back-pressure test mode: seed of the random pattern (0: off)' },
    {
      name: 'stall_percent',
      type: 'u32',
      meaning: 'back-pressure test mode: percent of cycles a handshake is held off',
    },
    { name: 'n_items', type: 'u32', meaning: 'convolutions in the job' },
    { name: 'items', type: NVDLA_MEM_CONV, count: 'n_items', meaning: 'the convolutions, run in order' },
  ],
} as const satisfies FileDef;

/** One convolution of a memory-system job: the compute-only job's convolution and its chunking. */
export interface NvMemJobConv extends NvJobConv {
  chunking: { kc: number; chunks: number; single: boolean; taps: number };
}

/** The head of a memory-system job: the core, the DRAM port and the back-pressure test mode. */
export interface NvMemJobHeader extends NvJobHeader {
  beat: number;
  bwFixed: number;
  latency: number;
  stallSeed: number;
  stallPercent: number;
}

/** Serialises a memory-system job to bytes. */
function encodeNvMemJob(h: NvMemJobHeader, convs: readonly NvMemJobConv[]): Buffer {
  const items = convs.map((c): Wire<typeof NVDLA_MEM_JOB>['items'][number] => ({
    ...nvConvFields(c),
    kc: c.chunking.kc,
    chunks: c.chunking.chunks,
    w_single: c.chunking.single ? 1 : 0,
    taps: c.chunking.taps,
  }));
  return encodeFile(
    NVDLA_MEM_JOB,
    {
      atomic_c: h.atomicC,
      atomic_k: h.atomicK,
      dw: h.dw,
      weight_kernels: h.weightKernels,
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

/** The memory system's job encoding (one of the NVDLA kind's `Accelerator.otherJobs`). */
export const nvdlaMemJob: JobEncoding<NvMemJobHeader, NvMemJobConv> = {
  kind: NVDLA_MEM_JOB_KIND,
  file: NVDLA_MEM_JOB,
  encode: encodeNvMemJob,
};
