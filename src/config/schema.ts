/**
 * Pieces of the hardware config schema that every kind shares: precisions, bounded numbers, safe names.
 * Each kind's own schema lives in its folder (src/accel/<kind>/config.ts); the registry joins them.
 * Key names are the ones users write in YAML/TOML files.
 */
import { z } from 'zod';
import { MAX_BATCH } from '../nets/batch.js';
import type { NvdlaConfig } from '../accel/nvdla/config.js';
import type { SystolicConfig } from '../accel/systolic/config.js';
import type { HardwareConfig } from '../accel/registry.js';

export const DATAFLOWS = ['os', 'ws', 'is'] as const;
export const PRECISIONS = ['int8', 'int16'] as const;
export const TIMINGS = ['scalesim', 'pipelined'] as const;

export type Dataflow = (typeof DATAFLOWS)[number];
export type Precision = (typeof PRECISIONS)[number];
export type Timing = (typeof TIMINGS)[number];

/** An integer key in [min, max], with the range in its message. */
export const int = (min: number, max: number) => {
  const expected = `an integer from ${min} to ${max}`;
  return z.number({ invalid_type_error: expected }).int(expected).min(min, expected).max(max, expected);
};
/**
 * A number key from min to max, in a unit: a clock, a bandwidth (a positive number too close to 0 would print
 * figures of hundreds of digits, one too large figures past what numbers hold exactly).
 */
export const between = (min: number, max: number, unit: string) => {
  const expected = `a number from ${min} to ${max.toLocaleString('en-US')} (${unit})`;
  return z.number({ invalid_type_error: expected }).min(min, expected).max(max, expected);
};
/**
 * The workload key `batch`: inputs each MAC layer processes at once (absent: 1). Bounded by MAX_BATCH, which
 * keeps a batched layer's figures and operands in range; the loader drops `batch: 1`, the default.
 */
export const batchKey = () => int(1, MAX_BATCH).optional();

/** A config name that is safe in file names, Verilog comments and shell words. */
export const safeName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a name of letters, digits, "_", "-" or "." (at most 64)');

/** Any registered kind's validated config (the union is derived from the registry). */
export type { HardwareConfig, NvdlaConfig, SystolicConfig };

/** Operand width in bits for a precision. */
export function operandBits(p: Precision): 8 | 16 {
  return p === 'int8' ? 8 : 16;
}
