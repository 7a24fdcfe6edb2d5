/**
 * Generator of the NVDLA-style convolution core's top level: sequencer, feature and weight paths with
 * padding and channel masking, MAC cells, accumulator (CACC), SDP-like requantization and the output
 * writer, with every size taken from the config.
 */
import type { NvdlaConfig } from '../../config/schema.js';
import { minStripe } from './model.js';
import {
  always,
  assign,
  bus,
  comment,
  counterProcess,
  instance,
  reg,
  wire,
  type VItem,
  type VModule,
  type VPort,
} from '../../rtl/netlist.js';

/** Verilog-level parameters of an NVDLA-style config (the same values go into the C++ header). */
export interface NvdlaRtlParams {
  ATOMC: number;
  ATOMK: number;
  DW: number;
  WK: number;
  MIN_STRIPE: number;
  RULE: 1 | 2;
  LMAX: number;
  JW: number;
  KW: number;
  LEV: number;
  DOT_W: number;
  ACC_W: number;
  DMA_WPC: number;
  SDP_LANES: number;
}

const clog2 = (n: number) => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));

/** Derives the RTL parameters of an NVDLA-style config. */
export function nvdlaParams(cfg: NvdlaConfig): NvdlaRtlParams {
  const DW = cfg.precision === 'int8' ? 8 : 16;
  const LMAX = cfg.stripe_rule === 'v2' ? 2 * cfg.atomic_k : 32;
  const LEV = clog2(cfg.atomic_c);
  return {
    ATOMC: cfg.atomic_c,
    ATOMK: cfg.atomic_k,
    DW,
    WK: cfg.weight_kernels_per_cycle,
    MIN_STRIPE: minStripe(cfg),
    RULE: cfg.stripe_rule === 'v2' ? 2 : 1,
    LMAX,
    JW: Math.max(1, clog2(LMAX)),
    KW: clog2(cfg.atomic_k + 1),
    LEV,
    DOT_W: 2 * DW + LEV + 1,
    ACC_W: DW === 8 ? 34 : 48,
    DMA_WPC: cfg.dma_words_per_cycle ?? 0,
    SDP_LANES: cfg.sdp_lanes && cfg.sdp_lanes < cfg.atomic_k ? cfg.sdp_lanes : 0,
  };
}

const CFG_PORTS = ['h', 'w', 'c', 'k', 'r', 's', 'sh', 'sw', 'dh', 'dw', 'pt', 'pl', 'oh', 'ow'];

function ports(p: NvdlaRtlParams): VPort[] {
  const { ATOMC, ATOMK, DW, WK } = p;
  return [
    { dir: 'input', name: 'clk', width: 1 },
    { dir: 'input', name: 'rst', width: 1, comment: 'synchronous, active high' },
    { dir: 'input', name: 'start', width: 1, comment: 'pulse: run one convolution' },
    ...CFG_PORTS.map((n): VPort => ({ dir: 'input', name: `cfg_${n}`, width: 32 })),
    { dir: 'input', name: 'cfg_relu', width: 1 },
    { dir: 'input', name: 'cfg_zp', width: DW, comment: 'output zero point' },
    { dir: 'input', name: 'cfg_pad', width: DW, comment: 'value inserted for padding (input zero point)' },
    { dir: 'input', name: 'cfg_trunc', width: 6, comment: 'CACC right shift before saturation to 32 bits' },
    { dir: 'output', name: 'busy', width: 1 },
    { dir: 'output', name: 'f_rd_en', width: 1, comment: 'feature buffer: lane i = F[i][col] (atom order)' },
    { dir: 'output', name: 'f_rd_col', width: 32 },
    { dir: 'input', name: 'f_rd_data', width: ATOMC * DW, vector: true },
    { dir: 'output', name: 'w_rd_en', width: 1, comment: 'weight buffer: lane i = W[i][col] (sequencer order)' },
    { dir: 'output', name: 'w_rd_col', width: 32 },
    { dir: 'input', name: 'w_rd_data', width: WK * ATOMC * DW, vector: true },
    { dir: 'output', name: 'q_rd_en', width: 1, comment: 'SDP parameters: lane k = Q[row + k]' },
    { dir: 'output', name: 'q_rd_row', width: 32 },
    { dir: 'input', name: 'q_bias', width: ATOMK * 32, vector: true },
    { dir: 'input', name: 'q_mult', width: ATOMK * 32, vector: true },
    { dir: 'input', name: 'q_shift', width: ATOMK * 6, vector: true },
    { dir: 'output', name: 'o_wr_en', width: 1, reg: true, comment: 'results: lane k -> O[row + k][col]' },
    { dir: 'output', name: 'o_wr_row', width: 32, reg: true },
    { dir: 'output', name: 'o_wr_col', width: 32, reg: true },
    { dir: 'output', name: 'o_wr_mask', width: ATOMK, vector: true },
    { dir: 'output', name: 'o_wr_data', width: ATOMK * DW, vector: true },
    { dir: 'output', name: 'cnt_cycles', width: 64, reg: true },
    { dir: 'output', name: 'cnt_macs', width: 64, comment: 'MACs issued (channels x kernels per operation)' },
    { dir: 'output', name: 'cnt_slots', width: 64, comment: 'operation slots of all packages' },
    { dir: 'output', name: 'cnt_outputs', width: 64, reg: true },
  ];
}

/** Builds the top-level description of an NVDLA-style core. */
export function nvdlaTop(p: NvdlaRtlParams): VModule {
  const { ATOMC, ATOMK, DW, WK, JW, KW, LEV, DOT_W, ACC_W } = p;
  const MDW = 4 + JW + 64 + KW; // valid, first, last, end, j, q, kbase, kg
  const items: VItem[] = [
    comment('Sequencer.'),
    wire('op_valid', 1),
    wire('op_pad', 1),
    wire('op_chans', 32),
    wire('op_switch', 1),
    wire('op_first', 1),
    wire('op_last', 1),
    wire('op_j', JW),
    wire('op_q', 32),
    wire('op_kbase', 32),
    wire('op_kg', KW),
    wire('op_end', 1),
    wire('w_kbase', KW),
    wire('w_chans', 32),
    wire('end_seen', 1),
    instance(
      'mt_nv_seq',
      'u_seq',
      [
        ['ATOMC', ATOMC],
        ['ATOMK', ATOMK],
        ['WK', WK],
        ['MIN_STRIPE', p.MIN_STRIPE],
        ['RULE', p.RULE],
        ['JW', JW],
        ['KW', KW],
        ['DMA_WPC', p.DMA_WPC],
        ['SDP_LANES', p.SDP_LANES],
      ],
      [
        ['clk', 'clk'],
        ['rst', 'rst'],
        ['start', 'start'],
        ...CFG_PORTS.map((n): [string, string] => [`cfg_${n}`, `cfg_${n}`]),
        ['end_seen', 'end_seen'],
        ['busy', 'busy'],
        ['op_valid', 'op_valid'],
        ['op_pad', 'op_pad'],
        ['f_rd_col', 'f_rd_col'],
        ['op_chans', 'op_chans'],
        ['op_switch', 'op_switch'],
        ['op_first', 'op_first'],
        ['op_last', 'op_last'],
        ['op_j', 'op_j'],
        ['op_q', 'op_q'],
        ['op_kbase', 'op_kbase'],
        ['op_kg', 'op_kg'],
        ['op_end', 'op_end'],
        ['w_rd_en', 'w_rd_en'],
        ['w_rd_col', 'w_rd_col'],
        ['w_kbase', 'w_kbase'],
        ['w_chans', 'w_chans'],
        ['cnt_macs', 'cnt_macs'],
        ['cnt_slots', 'cnt_slots'],
      ],
    ),
    assign('f_rd_en', 'op_valid && !op_pad'),
    comment('One cycle later the buffers answer: build the atom (padding, channels beyond C as zero) and the weights.'),
    reg('a_switch_q', 1),
    reg('a_pad_q', 1),
    reg('a_chans_q', 32),
    reg('w_valid_q', 1),
    reg('w_kbase_q', KW),
    reg('w_chans_q', 32),
    always([
      'a_switch_q <= op_switch;',
      'a_pad_q <= op_pad;',
      'a_chans_q <= op_chans;',
      'w_valid_q <= w_rd_en;',
      'w_kbase_q <= w_kbase;',
      'w_chans_q <= w_chans;',
    ]),
    bus('atom', ATOMC * DW),
    bus('wl_data', WK * ATOMC * DW),
    {
      kind: 'for',
      genvar: 'gc',
      count: ATOMC,
      label: 'g_atom',
      items: [
        assign(
          `atom[gc*${DW} +: ${DW}]`,
          `(32'(gc) < a_chans_q) ? (a_pad_q ? cfg_pad : f_rd_data[gc*${DW} +: ${DW}]) : ${DW}'d0`,
        ),
      ],
    },
    {
      kind: 'for',
      genvar: 'gw',
      count: WK * ATOMC,
      label: 'g_wmask',
      items: [
        assign(
          `wl_data[gw*${DW} +: ${DW}]`,
          `(32'(gw % ${ATOMC}) < w_chans_q) ? w_rd_data[gw*${DW} +: ${DW}] : ${DW}'d0`,
        ),
      ],
    },
    bus('dot', ATOMK * DOT_W),
    instance(
      'mt_nv_cmac',
      'u_cmac',
      [
        ['ATOMC', ATOMC],
        ['ATOMK', ATOMK],
        ['DW', DW],
        ['WK', WK],
        ['KW', KW],
        ['LEV', LEV],
        ['DOT_W', DOT_W],
      ],
      [
        ['clk', 'clk'],
        ['atom', 'atom'],
        ['a_switch', 'a_switch_q'],
        ['wl_valid', 'w_valid_q'],
        ['wl_kbase', 'w_kbase_q'],
        ['wl_data', 'wl_data'],
        ['dot', 'dot'],
      ],
    ),
    comment(`Operation metadata meets its dot product ${2 + LEV} cycles after issue.`),
    wire('md_in', MDW),
    { kind: 'lint', on: false, rule: 'UNUSEDSIGNAL' },
    wire('md_tap', MDW, 'the tap is not used'),
    { kind: 'lint', on: true, rule: 'UNUSEDSIGNAL' },
    wire('md', MDW),
    assign('md_in', '{op_valid, op_first, op_last, op_end, op_j, op_q, op_kbase, op_kg}'),
    instance(
      'mt_delay',
      'u_md',
      [
        ['DEPTH', 2 + LEV],
        ['W', MDW],
      ],
      [
        ['clk', 'clk'],
        ['rst', 'rst'],
        ['din', 'md_in'],
        ['tap', 'md_tap'],
        ['dout', 'md'],
      ],
    ),
    wire('m_valid', 1),
    wire('m_first', 1),
    wire('m_last', 1),
    wire('m_end', 1),
    wire('m_j', JW),
    wire('m_q', 32),
    wire('m_kbase', 32),
    wire('m_kg', KW),
    assign('{m_valid, m_first, m_last, m_end, m_j, m_q, m_kbase, m_kg}', 'md'),
    comment('Accumulator and CACC conversion; SDP parameters requested for the next cycle.'),
    bus('cacc', ATOMK * 32),
    instance(
      'mt_nv_cacc',
      'u_cacc',
      [
        ['ATOMK', ATOMK],
        ['LMAX', p.LMAX],
        ['JW', JW],
        ['DOT_W', DOT_W],
        ['ACC_W', ACC_W],
      ],
      [
        ['clk', 'clk'],
        ['valid', 'm_valid'],
        ['first', 'm_first'],
        ['last', 'm_last'],
        ['j', 'm_j'],
        ['truncate', 'cfg_trunc'],
        ['dot', 'dot'],
        ['out', 'cacc'],
      ],
    ),
    assign('q_rd_en', 'm_valid && m_last'),
    assign('q_rd_row', 'm_kbase'),
    reg('s1_valid', 1),
    reg('s1_end', 1),
    reg('s1_q', 32),
    reg('s1_kbase', 32),
    reg('s1_kg', KW),
    reg('s2_valid', 1),
    reg('s2_end', 1),
    reg('s2_q', 32),
    reg('s2_kbase', 32),
    reg('s2_kg', KW),
    reg('s3_end', 1),
    reg('s3_kg', KW),
    always([
      's1_valid <= m_valid && m_last;',
      's1_end <= m_valid && m_end;',
      's1_q <= m_q;',
      's1_kbase <= m_kbase;',
      's1_kg <= m_kg;',
      's2_valid <= s1_valid;',
      's2_end <= s1_end;',
      's2_q <= s1_q;',
      's2_kbase <= s1_kbase;',
      's2_kg <= s1_kg;',
      'o_wr_en <= s2_valid;',
      's3_end <= s2_end;',
      'o_wr_col <= s2_q;',
      'o_wr_row <= s2_kbase;',
      's3_kg <= s2_kg;',
    ]),
    comment('SDP: bias, multiplier, rounding shift, ReLU, output zero point, saturation.'),
    {
      kind: 'for',
      genvar: 'gk',
      count: ATOMK,
      label: 'g_sdp',
      items: [
        instance(
          'mt_requant',
          'u_sdp',
          [
            ['DW', DW],
            ['ACC_W', 32],
          ],
          [
            ['clk', 'clk'],
            ['en', 's1_valid'],
            ['acc', 'cacc[gk*32 +: 32]'],
            ['bias', 'q_bias[gk*32 +: 32]'],
            ['mult', 'q_mult[gk*32 +: 32]'],
            ['shift', 'q_shift[gk*6 +: 6]'],
            ['relu', 'cfg_relu'],
            ['zp', 'cfg_zp'],
            ['y', `o_wr_data[gk*${DW} +: ${DW}]`],
          ],
        ),
        assign('o_wr_mask[gk]', `o_wr_en && ${KW}'(gk) < s3_kg`),
      ],
    },
    assign('end_seen', 's3_end'),
    counterProcess('o_wr_en', 's3_kg'),
  ];
  return {
    name: 'mt_nv_top',
    header: [
      `NVDLA-style convolution core generated by mactile: atomic-C ${ATOMC} x atomic-K ${ATOMK}, INT${DW}, ${ACC_W}-bit accumulators,`,
      `stripe rule v${p.RULE}, minimum package ${p.MIN_STRIPE}, ${WK} kernel(s) loaded per cycle${p.DMA_WPC ? `, input DMA ${p.DMA_WPC} words/cycle` : ''}${p.SDP_LANES ? `, SDP ${p.SDP_LANES} lanes` : ''}.`,
      'Do not edit: regenerate with `mactile generate`.',
    ],
    params: [],
    ports: ports(p),
    items,
  };
}

/** The hand-written cells an NVDLA-style top instantiates, in compile order. */
export const NVDLA_CELLS = ['mt_delay.sv', 'mt_requant.sv', 'mt_nv_seq.sv', 'mt_nv_cmac.sv', 'mt_nv_cacc.sv'];
