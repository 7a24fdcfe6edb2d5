/** The systolic array's config schema and the constants derived from it once (widths, lanes, SRAM words). */
import { z } from 'zod';
import { dramSchema } from '../dram.js';
import { batchKey, between, DATAFLOWS, int, operandBits, PRECISIONS, safeName, TIMINGS } from '../../config/schema.js';

const sramSchema = z
  .object({
    ifmap_kb: int(1, 1 << 20).default(64),
    filter_kb: int(1, 1 << 20).default(64),
    ofmap_kb: int(1, 1 << 20).default(64),
    // What DRAM and the IFMAP scratchpad hold with the memory system (docs/MEMORY.md): the im2col matrix, or the
    // feature map's NHWC rows with the RTL's im2col address generator doing the windowing (absent: im2col).
    ifmap_layout: z.enum(['im2col', 'nhwc']).optional(),
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
    clock_mhz: between(1, 100_000, 'MHz').default(1000),
    batch: batchKey(),
    /** The output stage's rounding: rhaz (integer multiplier and shift, the default) or ort (onnxruntime's float32 steps). */
    requant: z.enum(['rhaz', 'ort']).optional(),
  })
  .strict();

export type SystolicConfig = z.infer<typeof systolicSchema> & { name: string; source: string };

/** Constants of a systolic config computed once, as Gemmini's config class does. */
export interface SystolicDerived {
  /** Operand and accumulator widths in bits (accumulators never overflow a layer: 32 for INT8, 48 for INT16). */
  operandBits: 8 | 16;
  accBits: 32 | 48;
  /** Operand words of one partial sum. */
  accWords: number;
  /** SRAM capacities in operand words. */
  sramWords: { ifmap: number; filter: number; ofmap: number };
}

/** Derives the constants of a systolic config. */
export function systolicDerived(cfg: SystolicConfig): SystolicDerived {
  const bits = operandBits(cfg.precision);
  const bytes = bits / 8;
  const words = (kb: number) => Math.floor((kb * 1024) / bytes);
  return {
    operandBits: bits,
    accBits: bits === 8 ? 32 : 48,
    accWords: bits === 8 ? 4 : 3,
    sramWords: { ifmap: words(cfg.sram.ifmap_kb), filter: words(cfg.sram.filter_kb), ofmap: words(cfg.sram.ofmap_kb) },
  };
}
