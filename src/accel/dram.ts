/**
 * The DRAM port every memory system shares (docs/MEMORY.md, "The DRAM port"): the `dram` config block
 * (bandwidth, latency, beat size), the fixed-point bandwidth the drivers use, and the burst timing of the
 * drivers' DRAM model. Part of the analytic model: it imports nothing from a generator, runner or src/sim.
 */
import { z } from 'zod';
import { between, int } from '../config/schema.js';

/** The `dram` block of a config: `bandwidth: calc` (the default) means no memory system. */
export const dramSchema = z
  .object({
    // A union would report only "no option matched": check the range after it, with the range in the message.
    bandwidth: z
      .union([z.literal('calc'), z.number()])
      .superRefine((v, ctx) => {
        if (v !== 'calc' && !between(0.01, 1e6, 'words per cycle').safeParse(v).success) {
          ctx.addIssue({
            code: 'custom',
            message: 'expected "calc" or a number from 0.01 to 1,000,000 (words per cycle)',
          });
        }
      })
      .default('calc'),
    // The memory system's DRAM port (docs/MEMORY.md); used only with a numeric bandwidth.
    latency: int(0, 1_000_000).default(0),
    beat_words: int(1, 256).default(64),
  })
  .strict();

/** A config's `dram` block. */
export type DramConfig = z.infer<typeof dramSchema>;

/** Fixed-point unit of the bandwidth: the driver and the model use round(bandwidth x BW_ONE). */
export const BW_ONE = 65536;

/** The DRAM port of a config: bandwidth in 1/65536 words per cycle, latency, words per beat. */
export interface DramPort {
  bwFixed: number;
  latency: number;
  beat: number;
}

/** The DRAM port of a `dram` block with a numeric bandwidth. */
export function dramPort(dram: DramConfig): DramPort {
  const bw = dram.bandwidth;
  if (bw === 'calc') throw new Error('dramPort: the memory system needs a numeric dram.bandwidth');
  return { bwFixed: Math.max(1, Math.round(bw * BW_ONE)), latency: dram.latency, beat: dram.beat_words };
}

const ceilDiv = (a: number, b: number) => Math.floor((a + b - 1) / b);

/** Cycles a burst of `words` occupies its channel (from its opening to its last beat, both included). */
export function burstCycles(words: number, p: DramPort): number {
  const q = Math.floor(words / p.beat);
  const r = words % p.beat;
  const tq = q > 0 ? Math.max(q, ceilDiv(q * p.beat * BW_ONE, p.bwFixed)) : 0;
  return r === 0 ? tq : Math.max(tq + 1, ceilDiv(words * BW_ONE, p.bwFixed));
}

/** How a block of nr x ncl words of a row-major matrix of `stride` columns is read or written: bursts x words. */
export function blockBursts(nr: number, ncl: number, stride: number): { bursts: number; words: number } {
  return ncl === stride || nr === 1 ? { bursts: 1, words: nr * ncl } : { bursts: nr, words: ncl };
}
