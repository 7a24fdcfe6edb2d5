/** The systolic array's actions for the energy model (src/analytic/energy): its analytic model's counts. */
import type { ToggleCounts } from '../accelerator.js';
import { estimatedToggles, type EnergyActions } from '../../analytic/energy/model.js';
import type { SystolicConfig } from './config.js';
import { accumulatorBits } from '../../quant/requant.js';
import type { LayerPerf } from './model.js';

/**
 * A layer's actions: its MACs; the PE registers' toggles (the activity counters when given, else the estimate);
 * ifmap and filter scratchpad reads of operand words, ofmap reads of partial sums (accumulator words) and
 * ofmap writes of operand words, each at its scratchpad's size; DRAM words of operand width.
 */
export function systolicEnergyActions(p: LayerPerf, cfg: SystolicConfig, toggles?: ToggleCounts): EnergyActions {
  const DW = cfg.precision === 'int8' ? 8 : 16;
  const ACC_W = accumulatorBits(DW);
  return {
    macs: p.macs,
    operandBits: DW,
    accBits: ACC_W,
    registerToggles: toggles ? toggles.a + toggles.b + toggles.psum : estimatedToggles(p.macs, DW, ACC_W),
    registerSource: toggles ? 'activity' : 'estimate',
    sram: [
      { buffer: 'ifmap', kb: cfg.sram.ifmap_kb, accesses: p.sramIfmapReads, wordBits: DW },
      { buffer: 'filter', kb: cfg.sram.filter_kb, accesses: p.sramFilterReads, wordBits: DW },
      { buffer: 'ofmap reads', kb: cfg.sram.ofmap_kb, accesses: p.sramOfmapReads, wordBits: ACC_W },
      { buffer: 'ofmap writes', kb: cfg.sram.ofmap_kb, accesses: p.sramOfmapWrites, wordBits: DW },
    ],
    dramWords: p.dramWords,
    dramWordBits: DW,
  };
}
