/**
 * Generator of the systolic array with its memory system (docs/MEMORY.md): the compute-only top (`mt_sa_top`,
 * unchanged) between IFMAP, FILTER and OFMAP scratchpads (and, for ws/is, the partial-sum memory), filled and
 * drained by two DMA engines through an AXI4-like DRAM port, sequenced tile by tile by `mt_mem_seq`.
 */
import { dataflowOf } from './dataflows/index.js';
import { always, assign, comment, instance, reg, wire, type VItem, type VModule } from '../../rtl/netlist.js';
import { dataflowConstant } from './rtl-package.js';
import type { SystolicRtlParams } from './generate.js';
import { block, COUNTERS, FM_GEOMETRY, fmBlock, ports, same, walker, type MemRtlParams } from './mem-ports.js';
import { memActivityCoreConnections, memActivityItems, memActivityPorts } from './mem-activity.js';

/** Builds the top-level description of a systolic array with its memory system (`activity`: with the toggle counters). */
export function systolicMemTop(
  p: SystolicRtlParams,
  m: MemRtlParams,
  dfName: 'os' | 'ws' | 'is',
  activity = false,
): VModule {
  const df = dataflowOf(dfName);
  const dfc = dataflowConstant(dfName);
  const is = dfName === 'is';
  const { R, C, DW, ACC_W, BEAT } = { ...p, ...m };
  // Which scratchpad serves which port of the array: os/ws stream the activations (P1), is the weights.
  const p1 = is ? 'filter' : 'ifmap';
  const p2 = is ? 'ifmap' : 'filter';
  // Layout nhwc: the IFMAP scratchpad holds input rows and generates the operand (mt_spad_fm, stage 2).
  const fm = m.FM === 1;
  const fmSpad = (buf: string) => fm && buf === 'ifmap';
  const spad = (buf: 'ifmap' | 'filter', port: 'p1' | 'p2', lanes: number, h: number): VItem =>
    instance(
      fmSpad(buf) ? 'mt_spad_fm' : 'mt_spad',
      `u_${buf}`,
      [
        ['LANES', lanes],
        ['DW', DW],
        ['H', h],
        ['BEAT', BEAT],
        ...(fmSpad(buf) ? [['TRANS', dfName === 'ws' ? "1'b1" : "1'b0"] as [string, string]] : []),
      ],
      [
        ['clk', 'clk'],
        ['clear', 'go'],
        ['wr_en', `fill_en && ${buf === 'ifmap' ? '!' : ''}ld_buf`],
        ['wr_half', 'ld_half'],
        ['wr_off', 'fill_off'],
        ['wr_cnt', 'fill_cnt'],
        ['wr_data', 'fill_data'],
        ['rd_en', `${port}_rd_en`],
        ['rd_half', `cur_${buf === 'ifmap' ? 'a' : 'w'}_half`],
        ['rd_row', `${port}_rd_row`],
        ['rd_col', `${port}_rd_col`],
        ['blk_rows', `cur_${buf}_rows`],
        ['blk_cols', `cur_${buf}_cols`],
        ...(fmSpad(buf)
          ? [
              ['m0', 'cur_m0'],
              ['first', 'cur_fm_first'],
              ...FM_GEOMETRY.filter((n) => n !== 'kh').map((n): [string, string] => [n, `cfg_fm_${n}`]),
              ['pad', 'cfg_fm_pad'],
            ]
          : []),
        ['rd_data', `${port}_rd_data`],
        ['cnt_rd', `cnt_sram_rd_${buf}`],
      ] as [string, string][],
    );
  const core: [string, string][] = [
    ['clk', 'clk'],
    ['rst', 'rst'],
    ['start', 'core_start'],
    ['cfg_m', 'c_mc'],
    ['cfg_k', 'cfg_k'],
    ['cfg_n', 'c_nc'],
    ['cfg_relu', 'cfg_relu'],
    ['cfg_zp', 'cfg_zp'],
    ['busy', 'core_busy'],
    ...['p1', 'p2'].flatMap((x): [string, string][] =>
      ['rd_en', 'rd_row', 'rd_col', 'rd_data'].map((f) => [`${x}_${f}`, `${x}_${f}`]),
    ),
    ['q_rd_en', 'q_rd_en'],
    ['q_rd_row', 'core_q_row'],
    ['q_bias', 'q_bias'],
    ['q_mult', 'q_mult'],
    ['q_shift', 'q_shift'],
    ...(df.stationary
      ? ['acc_rd_en', 'acc_rd_row', 'acc_rd_col', 'acc_rd_data', 'acc_wr_en', 'acc_wr_row', 'acc_wr_col']
          .concat(['acc_wr_mask', 'acc_wr_data'])
          .map((f): [string, string] => [f, f])
      : []),
    ...['o_wr_en', 'o_wr_row', 'o_wr_col', 'o_wr_mask', 'o_wr_data'].map((f): [string, string] => [f, f]),
    ['cnt_cycles', 'core_cycles'],
    ['cnt_macs', 'core_macs'],
    ['cnt_outputs', 'core_outputs'],
    ['cnt_folds', 'core_folds'],
    ['fold_pulse', 'fold_pulse'],
    ...(activity ? memActivityCoreConnections() : []),
  ];
  const items: VItem[] = [
    wire('go', 1),
    assign('go', 'start && !busy'),
    comment('Tile walkers: loads (l), compute (c), drain (d).'),
    ...walker('l'),
    ...walker('c'),
    ...walker('d'),
    ...block(dfc, 0, 'l', 'la'),
    ...block(dfc, 1, 'l', 'lw'),
    ...block(dfc, 0, 'c', 'ca'),
    ...block(dfc, 1, 'c', 'cw'),
    ...block(dfc, 2, 'c', 'co'),
    ...block(dfc, 2, 'd', 'do'),
    ...(fm ? fmBlock('l', 'lf', is ? 'cfg_p2_base' : 'cfg_p1_base') : []),
    ...(fm ? fmBlock('c', 'cf', is ? 'cfg_p2_base' : 'cfg_p1_base') : []),
    comment('Sequencer.'),
    ...['l_phase', 'ld_valid', 'ld_ready', 'ld_done', 'ld_buf', 'ld_half'].map((n) => wire(n, 1)),
    ...['core_busy', 'core_start', 'c_a_half', 'c_w_half', 'dr_valid', 'dr_ready', 'dr_done'].map((n) => wire(n, 1)),
    wire('b_pending', 32),
    ...['fill_en'].map((n) => wire(n, 1)),
    ...['fill_off', 'fill_cnt', 'o_rd_off'].map((n) => wire(n, 32)),
    wire('fill_data', BEAT * DW),
    wire('o_rd_data', BEAT * DW),
    wire('core_macs', 64),
    wire('core_outputs', 64),
    wire('core_folds', 32),
    { kind: 'lint', on: false, rule: 'UNUSEDSIGNAL' },
    wire('core_cycles', 64, "the array's own count of one tile (the sequencer counts the GEMM)"),
    wire('l_init', 1, 'walkers start with the GEMM'),
    { kind: 'lint', on: true, rule: 'UNUSEDSIGNAL' },
    instance(
      'mt_mem_seq',
      'u_seq',
      [],
      [
        ...same('clk', 'rst', 'start', 'cfg_mtiles', 'cfg_ntiles', 'busy', 'l_init', 'l_step', 'l_idx', 'l_mi'),
        ...same('l_phase', 'c_step', 'c_idx', 'c_ni', 'd_step', 'd_idx', 'ld_valid', 'ld_ready', 'ld_done', 'ld_buf'),
        ...same('ld_half', 'core_busy', 'core_start', 'c_a_half', 'c_w_half', 'dr_valid', 'dr_ready', 'dr_done'),
        ...same('b_pending', 'bvalid'),
        ['w_single', "1'b0"],
        ['r_beat', 'fill_en'],
        ['r_count', 'fill_cnt'],
        ['w_beat', 'wvalid && wready'],
        ['w_count', 'wcount'],
        ...same('core_macs', 'core_outputs', 'core_folds', ...COUNTERS, 'cnt_folds'),
      ],
    ),
    comment("Read DMA: the offered block is the load walker tile's IFMAP or FILTER block."),
    instance(
      'mt_dma_rd',
      'u_rd',
      [
        ['DW', DW],
        ['BEAT', BEAT],
      ],
      [
        ...same('clk', 'rst', 'ld_valid', 'ld_ready'),
        ...['addr', 'bursts', 'len', 'stride'].map((f): [string, string] => [
          `ld_${f}`,
          `l_phase ? lw_${f} : ${fm ? 'lf' : 'la'}_${f}`,
        ]),
        ...same('ld_done', 'arvalid', 'arready', 'araddr', 'arlen', 'rvalid', 'rready', 'rdata', 'rcount'),
        ...same('fill_en', 'fill_off', 'fill_cnt', 'fill_data'),
      ],
    ),
    comment('The computing tile: halves and block shapes, taken when the array starts it.'),
    ...['cur_a_half', 'cur_w_half', 'cur_o_half', 'o_half'].map((n) => reg(n, 1)),
    ...['cur_ifmap_rows', 'cur_ifmap_cols', 'cur_filter_rows', 'cur_filter_cols', 'cur_o_cols'].map((n) => reg(n, 32)),
    ...(df.stationary ? [reg('cur_o_rows', 32)] : []),
    reg('cur_n0', 32),
    ...(fm ? [reg('cur_m0', 32), reg('cur_fm_first', 32)] : []),
    always([
      'if (core_start) begin',
      '  cur_a_half <= c_a_half;',
      '  cur_w_half <= c_w_half;',
      '  cur_o_half <= c_idx[0];',
      '  cur_ifmap_rows <= ca_rows;',
      '  cur_ifmap_cols <= ca_cols;',
      '  cur_filter_rows <= cw_rows;',
      '  cur_filter_cols <= cw_cols;',
      ...(df.stationary ? ['  cur_o_rows <= co_rows;'] : []),
      '  cur_o_cols <= co_cols;',
      '  cur_n0 <= c_n0;',
      ...(fm ? ['  cur_m0 <= c_m0;', '  cur_fm_first <= cf_first;'] : []),
      'end',
      'if (dr_valid && dr_ready) o_half <= d_idx[0];',
    ]),
    comment('Scratchpads and the array.'),
    wire('p1_rd_en', 1),
    wire('p2_rd_en', 1),
    ...['p1_rd_row', 'p1_rd_col', 'p2_rd_row', 'p2_rd_col', 'core_q_row'].map((n) => wire(n, 32)),
    wire(`p1_rd_data`, R * DW),
    wire(`p2_rd_data`, C * DW),
    spad(p1 as 'ifmap' | 'filter', 'p1', R, p1 === 'ifmap' ? m.HI : m.HF),
    spad(p2 as 'ifmap' | 'filter', 'p2', C, p2 === 'ifmap' ? m.HI : m.HF),
    assign('q_rd_row', 'core_q_row + cur_n0'),
    wire('o_wr_en', 1),
    wire('o_wr_row', 32),
    wire('o_wr_col', 32),
    wire('o_wr_mask', C),
    wire('o_wr_data', C * DW),
    wire('o_cnt_wr', 64),
    instance(
      'mt_opad',
      'u_ofmap',
      [
        ['C', C],
        ['DW', DW],
        ['H', m.E],
        ['BEAT', BEAT],
      ],
      [
        ['clk', 'clk'],
        ['clear', 'go'],
        ['wr_en', 'o_wr_en'],
        ['wr_half', 'cur_o_half'],
        ['wr_row', 'o_wr_row'],
        ['wr_col', 'o_wr_col'],
        ['wr_mask', 'o_wr_mask'],
        ['wr_data', 'o_wr_data'],
        ['blk_cols', 'cur_o_cols'],
        ['rd_half', 'o_half'],
        ['rd_off', 'o_rd_off'],
        ['rd_data', 'o_rd_data'],
        ['cnt_wr', 'o_cnt_wr'],
      ],
    ),
  ];
  if (df.stationary) {
    items.push(
      comment('Partial sums of the computing tile over its K folds.'),
      wire('acc_rd_en', 1),
      wire('acc_rd_row', 32),
      wire('acc_rd_col', 32),
      wire('acc_rd_data', C * ACC_W),
      wire('acc_wr_en', 1),
      wire('acc_wr_row', 32),
      wire('acc_wr_col', 32),
      wire('acc_wr_mask', C),
      wire('acc_wr_data', C * ACC_W),
      wire('acc_cnt_wr', 64),
      instance(
        'mt_accmem',
        'u_acc',
        [
          ['C', C],
          ['ACC_W', ACC_W],
          ['E', m.E],
        ],
        [
          ['clk', 'clk'],
          ['clear', 'go'],
          ['wr_en', 'acc_wr_en'],
          ['wr_row', 'acc_wr_row'],
          ['wr_col', 'acc_wr_col'],
          ['wr_mask', 'acc_wr_mask'],
          ['wr_data', 'acc_wr_data'],
          ['rd_en', 'acc_rd_en'],
          ['rd_row', 'acc_rd_row'],
          ['rd_col', 'acc_rd_col'],
          ['blk_rows', 'cur_o_rows'],
          ['blk_cols', 'cur_o_cols'],
          ['rd_data', 'acc_rd_data'],
          ['cnt_rd', 'cnt_sram_rd_ofmap'],
          ['cnt_wr', 'acc_cnt_wr'],
        ],
      ),
      assign('cnt_sram_wr_ofmap', 'o_cnt_wr + acc_cnt_wr'),
    );
  } else {
    items.push(assign('cnt_sram_rd_ofmap', "64'd0"), assign('cnt_sram_wr_ofmap', 'o_cnt_wr'));
  }
  items.push(
    instance('mt_sa_top', 'u_core', [], core),
    comment('Write DMA: drains computed tiles in order.'),
    instance(
      'mt_dma_wr',
      'u_wr',
      [
        ['DW', DW],
        ['BEAT', BEAT],
      ],
      [
        ...same('clk', 'rst', 'dr_valid', 'dr_ready'),
        ...['addr', 'bursts', 'len', 'stride'].map((f): [string, string] => [`dr_${f}`, `do_${f}`]),
        ['dr_done', 'dr_done'],
        ['rd_off', 'o_rd_off'],
        ['rd_data', 'o_rd_data'],
        ...same('awvalid', 'awready', 'awaddr', 'awlen', 'wvalid', 'wready', 'wdata', 'wcount', 'bvalid', 'bready'),
        ['b_pending', 'b_pending'],
      ],
    ),
  );
  if (activity)
    items.push(comment('Activity counters of the memory buses (docs/ENERGY.md).'), ...memActivityItems(p, m, dfName));
  return {
    name: 'mt_sa_mem_top',
    header: [
      `Systolic MAC array with its memory system, generated by mactile: ${R}x${C}, dataflow ${dfName}, INT${DW};`,
      `scratchpad halves IFMAP ${m.HI}, FILTER ${m.HF} words, OFMAP ${m.E} entries; DRAM beats of ${BEAT} words.`,
      ...(fm ? ['IFMAP layout nhwc: input rows in the scratchpad, im2col address generator (docs/MEMORY.md).'] : []),
      'Do not edit: regenerate with `mactile generate`.',
    ],
    params: [],
    ports: [...ports(p, m), ...(activity ? memActivityPorts() : [])],
    items,
  };
}
