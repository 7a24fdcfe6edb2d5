/**
 * Small configs of every registered kind, for the registry-driven tests: the layer-case table runs on each at
 * every level. A kind registered without an entry here fails the tests (see test/accel/layer-cases.test.ts).
 */
import type { HardwareConfig } from '../../src/config/schema.js';
import { nvdla, systolic } from './configs.js';

/** Per kind: configs the layer-case table runs on through the RTL (small, so a build costs seconds). */
export const LAYER_CASE_CONFIGS: Record<string, () => HardwareConfig[]> = {
  systolic: () => [
    systolic(4, 4, 'os'), systolic(4, 4, 'ws'), systolic(4, 4, 'is'),
    systolic(2, 3, 'os'), systolic(2, 3, 'ws'), systolic(2, 3, 'is'),
  ],
  nvdla: () => [
    nvdla(4, 4),
    nvdla(8, 4, { weight_kernels_per_cycle: 2 }),
    nvdla(5, 3, { stripe_rule: 'v1', min_stripe: 10 }),
    nvdla(3, 5, { precision: 'int16' }),
    nvdla(4, 2, { min_stripe: 1, dma_words_per_cycle: 3 }),
    nvdla(4, 4, { stripe_rule: 'v1', sdp_lanes: 3 }),
  ],
};
