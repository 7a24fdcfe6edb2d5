import { validateConfig } from '../../src/config/load.js';
import type { BaseConfig } from '../../src/accel/accelerator.js';
import type { HardwareConfig, NvdlaConfig, SystolicConfig } from '../../src/config/schema.js';

/** A validated systolic config for tests. */
export function systolic(
  rows: number,
  cols: number,
  dataflow: 'os' | 'ws' | 'is',
  timing: 'scalesim' | 'pipelined' = 'scalesim',
  precision: 'int8' | 'int16' = 'int8',
): SystolicConfig {
  return validateConfig(
    { kind: 'systolic', rows, cols, dataflow, timing, precision },
    `test-${rows}x${cols}-${dataflow}-${timing}-${precision}`,
  ) as SystolicConfig;
}

/** A validated systolic config with its memory system (a numeric DRAM bandwidth) and small scratchpads. */
function systolicMem(
  rows: number,
  cols: number,
  dataflow: 'os' | 'ws' | 'is',
  timing: 'scalesim' | 'pipelined',
  precision: 'int8' | 'int16',
  beat: number,
): SystolicConfig {
  return validateConfig(
    {
      kind: 'systolic',
      rows,
      cols,
      dataflow,
      timing,
      precision,
      sram: { ifmap_kb: 1, filter_kb: 2, ofmap_kb: 1 },
      dram: { bandwidth: 2, latency: 10, beat_words: beat },
    },
    `test-mem-${rows}x${cols}-${dataflow}-${timing}-${precision}-b${beat}`,
  ) as SystolicConfig;
}

/** A validated NVDLA-style config for tests (v2 stripes unless given). */
export function nvdla(atomicC: number, atomicK: number, extra: Record<string, unknown> = {}): NvdlaConfig {
  return validateConfig(
    { kind: 'nvdla', atomic_c: atomicC, atomic_k: atomicK, ...extra },
    `test-nv-${atomicC}x${atomicK}`,
  ) as NvdlaConfig;
}

/** Small configs of one kind for the registry-driven tests (test/rtl/kinds.test.ts). */
export interface KindTestConfigs {
  /** Generated twice (same bytes) and linted with verilator --lint-only -Wall; corner shapes welcome. */
  small: BaseConfig[];
  /** One tiny config yosys synthesizes in seconds. */
  synth: BaseConfig;
  /** Built and run through the layer-case table at every level (test/accel/layer-cases.test.ts). */
  layerCases: HardwareConfig[];
}

/**
 * Small test configs of every registered kind, by kind. test/rtl/kinds.test.ts fails for a registered kind
 * missing here, so a new kind cannot skip the generator, lint and synthesis tests.
 */
export const KIND_TEST_CONFIGS: Record<string, KindTestConfigs> = {
  systolic: {
    small: [
      systolic(1, 1, 'os', 'scalesim', 'int8'),
      systolic(1, 1, 'ws', 'pipelined', 'int8'),
      systolic(1, 1, 'is', 'scalesim', 'int16'),
      systolic(2, 3, 'is', 'pipelined', 'int8'),
      systolic(5, 7, 'os', 'pipelined', 'int16'),
      systolic(16, 16, 'ws', 'scalesim', 'int16'),
      systolic(7, 1, 'ws', 'scalesim', 'int8'),
      systolic(1, 9, 'os', 'scalesim', 'int8'),
      systolic(32, 8, 'is', 'pipelined', 'int8'),
      // With the memory system (docs/MEMORY.md).
      systolicMem(1, 1, 'os', 'scalesim', 'int8', 1),
      systolicMem(2, 3, 'ws', 'pipelined', 'int16', 64),
      systolicMem(5, 7, 'is', 'scalesim', 'int8', 3),
      systolicMem(1, 1, 'is', 'pipelined', 'int16', 256),
      systolicMem(16, 16, 'ws', 'scalesim', 'int8', 16),
      systolicMem(3, 80, 'os', 'pipelined', 'int8', 100),
    ],
    synth: systolic(1, 1, 'os'),
    layerCases: [
      systolic(4, 4, 'os'),
      systolic(4, 4, 'ws'),
      systolic(4, 4, 'is'),
      systolic(2, 3, 'os'),
      systolic(2, 3, 'ws'),
      systolic(2, 3, 'is'),
    ],
  },
  nvdla: {
    small: [
      nvdla(1, 1),
      nvdla(2, 2),
      nvdla(3, 5, { precision: 'int16' }),
      nvdla(5, 3, { stripe_rule: 'v1', min_stripe: 10 }),
      nvdla(8, 4, { weight_kernels_per_cycle: 2 }),
      nvdla(4, 2, { min_stripe: 1, dma_words_per_cycle: 3 }),
      nvdla(4, 4, { stripe_rule: 'v1', sdp_lanes: 3 }),
      nvdla(16, 3, { weight_kernels_per_cycle: 3 }),
      // With the memory system (docs/MEMORY.md).
      nvdla(8, 8, { weight_buffer_kb: 8, output_buffer_kb: 4, dram: { bandwidth: 4 } }),
      nvdla(4, 4, { weight_kernels_per_cycle: 2, stripe_rule: 'v1', dram: { bandwidth: 1, beat_words: 1 } }),
    ],
    synth: nvdla(1, 1),
    layerCases: [
      nvdla(4, 4),
      nvdla(8, 4, { weight_kernels_per_cycle: 2 }),
      nvdla(5, 3, { stripe_rule: 'v1', min_stripe: 10 }),
      nvdla(3, 5, { precision: 'int16' }),
      nvdla(4, 2, { min_stripe: 1, dma_words_per_cycle: 3 }),
      nvdla(4, 4, { stripe_rule: 'v1', sdp_lanes: 3 }),
    ],
  },
};
