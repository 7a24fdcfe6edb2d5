/** The NVDLA-style core's actions for the energy model (src/analytic/energy): its analytic model's counts. */
import { estimatedToggles, type EnergyActions } from '../../analytic/energy/model.js';
import { accumulatorBits } from '../../quant/requant.js';
import type { NvdlaConfig } from './config.js';
import type { NvLayerPerf } from './network.js';

/**
 * A layer's actions: its MACs; the register estimate (the core has no activity variant); feature reads from
 * the feature buffer, weight reads from the weight buffer and output writes (counted at the feature buffer's
 * size), of operand words; DRAM words of operand width.
 */
export function nvdlaEnergyActions(p: NvLayerPerf, cfg: NvdlaConfig): EnergyActions {
  const bits = cfg.precision === 'int8' ? 8 : 16;
  const acc = accumulatorBits(bits);
  return {
    macs: p.macs,
    operandBits: bits,
    accBits: acc,
    registerToggles: estimatedToggles(p.macs, bits, acc),
    registerSource: 'estimate',
    sram: [
      { buffer: 'feature', kb: cfg.feature_buffer_kb, accesses: p.featureReads, wordBits: bits },
      { buffer: 'weight', kb: cfg.weight_buffer_kb, accesses: p.weightReads, wordBits: bits },
      { buffer: 'output', kb: cfg.feature_buffer_kb, accesses: p.outputWrites, wordBits: bits },
    ],
    dramWords: p.dramWords,
    dramWordBits: bits,
  };
}
