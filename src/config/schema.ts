/**
 * The hardware config schema: one validated object drives the RTL parameters, the simulation harness
 * header and the analytic model. Key names are the ones users write in YAML/TOML files.
 */
import { z } from 'zod';

export const DATAFLOWS = ['os', 'ws', 'is'] as const;
export const PRECISIONS = ['int8', 'int16'] as const;
export const TIMINGS = ['scalesim', 'pipelined'] as const;

export type Dataflow = (typeof DATAFLOWS)[number];
export type Precision = (typeof PRECISIONS)[number];
export type Timing = (typeof TIMINGS)[number];

const int = (min: number, max: number) => {
  const expected = `an integer from ${min} to ${max}`;
  return z.number({ invalid_type_error: expected }).int(expected).min(min, expected).max(max, expected);
};
const positive = (max: number) => {
  const expected = `a positive number up to ${max}`;
  return z.number({ invalid_type_error: expected }).positive(expected).max(max, expected);
};
const safeName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a name of letters, digits, "_", "-" or "." (at most 64)');

const sramSchema = z
  .object({
    ifmap_kb: int(1, 1 << 20).default(64),
    filter_kb: int(1, 1 << 20).default(64),
    ofmap_kb: int(1, 1 << 20).default(64),
  })
  .strict();

const dramSchema = z
  .object({
    bandwidth: z.union([z.literal('calc'), positive(1e6)]).default('calc'),
  })
  .strict();

export const systolicSchema = z
  .object({
    kind: z.literal('systolic'),
    name: safeName.optional(),
    rows: int(1, 256),
    cols: int(1, 256),
    dataflow: z.enum(DATAFLOWS),
    precision: z.enum(PRECISIONS).default('int8'),
    timing: z.enum(TIMINGS).default('scalesim'),
    sram: sramSchema.default({}),
    dram: dramSchema.default({}),
    clock_mhz: positive(100_000).default(1000),
  })
  .strict();

export const STRIPE_RULES = ['v1', 'v2'] as const;

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
    clock_mhz: positive(100_000).default(1000),
    /** Optional: an SDP narrower than atomic_k, writing this many results per cycle. */
    sdp_lanes: int(1, 64).optional(),
    /** Optional DMA term: the whole input is loaded at this many words per cycle before the layer starts. */
    dma_words_per_cycle: int(1, 4096).optional(),
    /** DRAM bandwidth for NVDLA's own performance estimator (GB/s). */
    dram_gbps: positive(10_000).default(10),
  })
  .strict();

export const configSchema = z.discriminatedUnion('kind', [systolicSchema, nvdlaSchema]);

export type SystolicConfig = z.infer<typeof systolicSchema> & { name: string; source: string };
export type NvdlaConfig = z.infer<typeof nvdlaSchema> & { name: string; source: string };
export type HardwareConfig = SystolicConfig | NvdlaConfig;

/** Operand width in bits for a precision. */
export function operandBits(p: Precision): 8 | 16 {
  return p === 'int8' ? 8 : 16;
}
