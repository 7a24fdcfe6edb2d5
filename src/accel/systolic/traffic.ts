/**
 * mactile's own DRAM traffic model of a systolic array with double-buffered SRAMs (one half computes
 * while the other fills). Operands are fetched once when the part that is reused fits in half of its
 * SRAM, and once per reuse pass otherwise; padding is inserted on chip and never fetched; ws/is partial
 * sums spill to DRAM only when a column fold's partials do not fit half of the OFMAP SRAM. The counts per
 * dataflow are its strategy's `dramWords`.
 */

/** Stall cycles when DRAM delivers `bandwidth` words per cycle: the transfer time beyond the compute time. */
export function bandwidthStalls(totalWords: number, bandwidth: number, computeCycles: number): number {
  return Math.max(0, Math.ceil(totalWords / bandwidth) - computeCycles);
}
