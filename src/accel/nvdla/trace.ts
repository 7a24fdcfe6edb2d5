/** The signal map of the NVDLA-style core's waveforms (sim --trace): what its internal signals hold. */
import type { NvdlaConfig } from './config.js';

/** Lines of the signal map for the core's internals (scopes as Verilator names them in the FST file). */
export function nvdlaTraceSignals(cfg: NvdlaConfig): string[] {
  const dw = cfg.precision === 'int8' ? 8 : 16;
  const { atomic_c: c, atomic_k: k } = cfg;
  return [
    '## counters (TOP.mt_nv_top)',
    'cnt_cycles  cycles since the start of the current convolution (layer cycle = its offset + cnt_cycles)',
    'cnt_macs, cnt_outputs, cnt_slots  MACs issued, results written, operation slots issued',
    '## buffers (the driver plays them; the ports the RTL reads them through)',
    `f_rd_en, f_rd_col, f_rd_data  feature buffer read: one atom of ${c} elements of ${dw} bits (lane i = bits [i*${dw} +: ${dw}] = channel i of the block)`,
    `w_rd_en, w_rd_col, w_rd_data  weight buffer read: ${cfg.weight_kernels_per_cycle} kernel(s) of ${c} weights per cycle`,
    `o_wr_en, o_wr_row, o_wr_col, o_wr_mask, o_wr_data  result write: lane j (of ${k}) -> O[row + j][col] where mask bit j is set`,
    '## sequencer (TOP.mt_nv_top.u_seq, after NVDLA CSC)',
    'g, cb, r, s  kernel group, channel block, filter row and column of the current package',
    'st_len, st_cnt  length of the current stripe and the operation within it; cur_oh, cur_ow: its output point',
    'wl_on, wl_u, wl_n, wl_entry  the weight loader filling the shadow registers for the next package',
    'op_pad, op_switch, op_first, op_last, op_q  the operation of this cycle: padding, shadow -> active, first/last package, output point',
    `## MAC cells (TOP.mt_nv_top.u_cmac, ${k} cells of ${c} MACs, after NVDLA CMAC)`,
    `shadow, active  ${k} x ${c} weights of ${dw} bits: kernel j's weight i = bits [(j*${c} + i)*${dw} +: ${dw}]`,
    "atom  the feature atom broadcast to every cell; dot: each cell's dot product, after the adder tree",
    '## accumulator (TOP.mt_nv_top.u_cacc, after NVDLA CACC)',
    'acc[j]  the accumulators of stripe point j, one per kernel; out: sums after truncate, round and saturate to 32 bits',
    '## output stage (TOP.mt_nv_top)',
    'u_sdp  one mt_requant per lane (SDP: bias, multiplier, shift, ReLU, saturation); u_md: metadata of each result',
  ];
}
