/** The NVDLA-style core's config schema. */
import { z } from 'zod';
import { batchKey, between, int, PRECISIONS, safeName } from '../../config/schema.js';
import { dramSchema } from '../dram.js';

const STRIPE_RULES = ['v1', 'v2'] as const;

export const nvdlaSchema = z
  .object({
    kind: z.literal('nvdla'),
    name: safeName.optional(),
    atomic_c: int(1, 128),
    atomic_k: int(1, 64),
    precision: z.enum(PRECISIONS).default('int8'),
    /** Precisions the MAC cells of this core support (nv_small: int8 only). */
    supported_precisions: z.array(z.enum(PRECISIONS)).min(1).default(['int8', 'int16']),
    feature_buffer_kb: int(1, 1 << 16).default(64),
    weight_buffer_kb: int(1, 1 << 16).default(64),
    /** Kernels the weight loader moves into the shadow registers per cycle. */
    weight_kernels_per_cycle: int(1, 8).default(1),
    /** Sequencer stripe rule: v2 (nv_small: atomK..2*atomK) or v1 (nv_full: 16..32). */
    stripe_rule: z.enum(STRIPE_RULES).default('v2'),
    /** Shortest package in cycles (default: atomic_k for v2, 10 for v1). */
    min_stripe: int(1, 64).optional(),
    clock_mhz: between(1, 100_000, 'MHz').default(1000),
    /** Optional: an SDP narrower than atomic_k, writing this many results per cycle. */
    sdp_lanes: int(1, 64).optional(),
    /** Optional DMA term: the whole input is loaded at this many words per cycle before the layer starts. */
    dma_words_per_cycle: int(1, 4096).optional(),
    /** DRAM bandwidth for NVDLA's own performance estimator (GB/s). */
    dram_gbps: between(0.1, 10_000, 'GB/s').default(10),
    /**
     * The DRAM port (docs/MEMORY.md, "NVDLA-style core"): with a numeric bandwidth the core is generated with
     * its memory system (a CDMA-like read engine, the CBUF regions, a write engine); `calc`: none.
     */
    dram: dramSchema.default({}),
    /** Memory system only: the output buffer the write engine drains (two halves), in kB at the operand width. */
    output_buffer_kb: int(1, 1 << 16).default(64),
    batch: batchKey(),
  })
  .strict();

export type NvdlaConfig = z.infer<typeof nvdlaSchema> & { name: string; source: string };
