/**
 * Parts of the memory-system top's description (mem-generate.ts): its sizes from the config, its ports (the
 * AXI4-like DRAM channels, the configuration, the counters), the tile walkers and the block-geometry cells.
 */
import type { SystolicConfig } from './config.js';
import { systolicDerived } from './config.js';
import { dataflowOf } from './dataflows/index.js';
import { instance, wire, type VItem, type VPort } from '../../rtl/netlist.js';
import { qLanes, type SystolicRtlParams } from './generate.js';
import { ofmapEntries } from './memory.js';

/** The memory system's sizes: words per half of each scratchpad, output entries, words per DRAM beat. */
export interface MemRtlParams {
  HI: number;
  HF: number;
  E: number;
  BEAT: number;
  /** 1: the IFMAP scratchpad holds NHWC rows with the im2col address generator (`sram.ifmap_layout: nhwc`). */
  FM?: 1;
}

/** Derives the memory-system parameters of a config. */
export function memParams(cfg: SystolicConfig): MemRtlParams {
  const { sramWords } = systolicDerived(cfg);
  const h = (w: number) => Math.floor(w / 2);
  return {
    HI: h(sramWords.ifmap),
    HF: h(sramWords.filter),
    // The same entries the model's tiling fills (ws/is: each with its partial sum).
    E: ofmapEntries(cfg, dataflowOf(cfg.dataflow)),
    BEAT: cfg.dram.beat_words,
    ...(cfg.sram.ifmap_layout === 'nhwc' ? { FM: 1 as const } : {}),
  };
}

/** The feature-map geometry inputs of the nhwc layout (`cfg_fm_<name>`, docs/MEMORY.md stage 2). */
export const FM_GEOMETRY = ['ih', 'iw', 'c', 'oh', 'ow', 'kh', 'kw', 'sh', 'sw', 'pt', 'pl', 'dh', 'dw'] as const;

/** Connections of ports to nets of the same names. */
export const same = (...names: string[]): [string, string][] => names.map((n) => [n, n]);

/** The 64-bit counters the sequencer keeps, top-level ports of the same names. */
export const COUNTERS = [
  'cnt_cycles',
  'cnt_compute',
  'cnt_stall_ifmap',
  'cnt_stall_filter',
  'cnt_stall_ofmap',
  'cnt_dram_rd_ifmap',
  'cnt_dram_rd_filter',
  'cnt_dram_wr',
  'cnt_macs',
  'cnt_outputs',
];

/** The top-level ports: configuration, requantization parameters, the AXI4-like DRAM channels, the counters. */
export function ports(p: SystolicRtlParams, m: MemRtlParams): VPort[] {
  const w = (name: string, width = 32): VPort => ({ dir: 'input', name, width });
  const o = (name: string, width = 32): VPort => ({ dir: 'output', name, width });
  const beat = m.BEAT * p.DW;
  return [
    w('clk', 1),
    { dir: 'input', name: 'rst', width: 1, comment: 'synchronous, active high' },
    { dir: 'input', name: 'start', width: 1, comment: 'pulse: run one GEMM' },
    ...['cfg_m', 'cfg_k', 'cfg_n', 'cfg_mt', 'cfg_nt', 'cfg_mtiles', 'cfg_ntiles'].map((n) => w(n)),
    { dir: 'input', name: 'cfg_p1_base', width: 32, comment: 'DRAM word addresses of P1, P2 and O' },
    w('cfg_p2_base'),
    w('cfg_o_base'),
    ...(m.FM
      ? [
          ...FM_GEOMETRY.map((n, i): VPort => ({
            ...w(`cfg_fm_${n}`),
            ...(i === 0 ? { comment: 'feature-map geometry of the nhwc layout' } : {}),
          })),
          { dir: 'input', name: 'cfg_fm_pad', width: p.DW, comment: 'input zero point (padding)' } as VPort,
        ]
      : []),
    w('cfg_relu', 1),
    { dir: 'input', name: 'cfg_zp', width: p.DW, signed: true, comment: 'output zero point' },
    o('busy', 1),
    { dir: 'output', name: 'q_rd_en', width: 1, comment: 'requantization parameters: lane j = Q[row + j]' },
    o('q_rd_row'),
    { dir: 'input', name: 'q_bias', width: qLanes(p) * p.ACC_W, vector: true },
    { dir: 'input', name: 'q_mult', width: qLanes(p) * 32, vector: true },
    { dir: 'input', name: 'q_shift', width: qLanes(p) * 6, vector: true },
    { dir: 'output', name: 'arvalid', width: 1, comment: 'DRAM read address (AXI4-like AR)' },
    w('arready', 1),
    o('araddr'),
    o('arlen'),
    { dir: 'input', name: 'rvalid', width: 1, comment: 'DRAM read data (R)' },
    o('rready', 1),
    { dir: 'input', name: 'rdata', width: beat, vector: true },
    w('rcount'),
    { dir: 'output', name: 'awvalid', width: 1, comment: 'DRAM write address (AW)' },
    w('awready', 1),
    o('awaddr'),
    o('awlen'),
    { dir: 'output', name: 'wvalid', width: 1, comment: 'DRAM write data (W)' },
    w('wready', 1),
    { dir: 'output', name: 'wdata', width: beat, vector: true },
    o('wcount'),
    { dir: 'input', name: 'bvalid', width: 1, comment: 'DRAM write response (B)' },
    o('bready', 1),
    ...COUNTERS.map((c) => o(c, 64)),
    o('cnt_folds'),
    ...['cnt_sram_rd_ifmap', 'cnt_sram_rd_filter', 'cnt_sram_rd_ofmap', 'cnt_sram_wr_ofmap'].map((c) => o(c, 64)),
    { dir: 'output', name: 'fold_pulse', width: 1, comment: 'high in the cycle a fold starts streaming' },
  ];
}

/** Block geometry of a walker's tile (mt_mem_blk), with its outputs on nets `<pfx>_*`. */
export function block(df: string, sel: number, walker: string, pfx: string): VItem[] {
  const outs = ['rows', 'cols', 'stride', 'addr', 'bursts', 'len'];
  return [
    { kind: 'lint', on: false, rule: 'UNUSEDSIGNAL' },
    ...outs.map((o) => wire(`${pfx}_${o}`, 32)),
    { kind: 'lint', on: true, rule: 'UNUSEDSIGNAL' },
    instance(
      'mt_mem_blk',
      `u_${pfx}`,
      [
        ['DF', df],
        ['SEL', sel],
      ],
      [
        ['m', 'cfg_m'],
        ['k', 'cfg_k'],
        ['n', 'cfg_n'],
        ['p1_base', 'cfg_p1_base'],
        ['p2_base', 'cfg_p2_base'],
        ['o_base', 'cfg_o_base'],
        ['m0', `${walker}_m0`],
        ['mc', `${walker}_mc`],
        ['n0', `${walker}_n0`],
        ['nc', `${walker}_nc`],
        ...outs.map((o): [string, string] => [o, `${pfx}_${o}`]),
      ],
    ),
  ];
}

/** The block of input rows of a walker's tile in the nhwc layout (mt_fm_blk), outputs on nets `<pfx>_*`. */
export function fmBlock(walker: string, pfx: string, base: string): VItem[] {
  const outs = ['first', 'rows', 'addr', 'bursts', 'len', 'stride'];
  return [
    { kind: 'lint', on: false, rule: 'UNUSEDSIGNAL' },
    ...outs.map((o) => wire(`${pfx}_${o}`, 32)),
    { kind: 'lint', on: true, rule: 'UNUSEDSIGNAL' },
    instance(
      'mt_fm_blk',
      `u_${pfx}`,
      [],
      [
        ['base', base],
        ...['ih', 'iw', 'c', 'oh', 'ow', 'kh', 'sh', 'pt', 'dh'].map((n): [string, string] => [n, `cfg_fm_${n}`]),
        ['m0', `${walker}_m0`],
        ['mc', `${walker}_mc`],
        ...outs.map((o): [string, string] => [o, `${pfx}_${o}`]),
      ],
    ),
  ];
}

/** A tile walker (mt_tile_walk) whose outputs are the nets `<name>_*`. */
export function walker(name: string): VItem[] {
  const outs = ['idx', 'mi', 'ni', 'm0', 'n0', 'mc', 'nc'];
  return [
    { kind: 'lint', on: false, rule: 'UNUSEDSIGNAL' },
    ...outs.map((o) => wire(`${name}_${o}`, 32)),
    { kind: 'lint', on: true, rule: 'UNUSEDSIGNAL' },
    wire(`${name}_step`, 1),
    instance(
      'mt_tile_walk',
      `u_${name}walk`,
      [],
      [
        ['clk', 'clk'],
        ['init', 'go'],
        ['step', `${name}_step`],
        ['m', 'cfg_m'],
        ['n', 'cfg_n'],
        ['mt', 'cfg_mt'],
        ['nt', 'cfg_nt'],
        ['mtiles', 'cfg_mtiles'],
        ...outs.map((o): [string, string] => [o, `${name}_${o}`]),
      ],
    ),
  ];
}
