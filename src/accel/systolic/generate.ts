/**
 * Generator of the systolic-array top level: it describes the netlist that joins the fold controller,
 * the input skews, the PE array, the output de-skew, the K-fold accumulation and the requantizing
 * output stage, with every width and size taken from the hardware config.
 */
import type { SystolicConfig } from './config.js';
import { dataflowOf, type DataflowStrategy } from './dataflows/index.js';
import { fieldSlice } from '../../rtl/package.js';
import {
  always,
  assign,
  bus,
  busReg,
  comment,
  counterProcess,
  instance,
  reg,
  wire,
  type VItem,
  type VModule,
  type VPort,
} from '../../rtl/netlist.js';
import { TIMING_CODES, type DataflowCode, type TimingCode } from './codes.js';
import { dataflowConstant, dataflowOfCode, foldMetadataLayout, timingConstant, timingOfCode } from './rtl-package.js';

/** Verilog-level parameters derived from a systolic config (the same values go into the C++ header). */
export interface SystolicRtlParams {
  R: number;
  C: number;
  DW: number;
  ACC_W: number;
  /** Codes of the package's enums (rtl-package.ts). */
  DF: DataflowCode;
  TIMING: TimingCode;
  RW: number;
  UW: number;
  /** Set when the output stage computes requantization mode ort (mt_requant_ort). */
  ORT?: true;
}

const clog2 = (n: number) => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));

/** Derives the RTL parameters of a config. */
export function systolicParams(cfg: SystolicConfig): SystolicRtlParams {
  const DW = cfg.precision === 'int8' ? 8 : 16;
  return {
    R: cfg.rows,
    C: cfg.cols,
    DW,
    ACC_W: DW === 8 ? 32 : 48,
    DF: dataflowOf(cfg.dataflow).code,
    TIMING: TIMING_CODES[cfg.timing],
    RW: Math.max(1, clog2(cfg.rows)),
    UW: clog2(cfg.cols + 1),
    ...(cfg.requant === 'ort' ? { ORT: true as const } : {}),
  };
}

/** The dataflow strategy of a parameter set. */
const strategyOf = (p: SystolicRtlParams): DataflowStrategy => dataflowOf(dataflowOfCode(p.DF));

/** Lanes of the parameter port: one per column (os/ws: columns are output channels), one for is. */
export function qLanes(p: SystolicRtlParams): number {
  return strategyOf(p).qLanes(p.C);
}

/**
 * The activity variant's counter ports (docs/ENERGY.md): bit toggles, popcount(old ^ new), summed over every PE
 * and every clock since reset, of the streamed operand registers (a_q), the second operand's registers (os: b_q;
 * ws/is: shadow and active) and the partial-sum registers (os: acc; ws/is: psum).
 */
const ACTIVITY_PORTS = ['act_a_toggles', 'act_b_toggles', 'act_psum_toggles'] as const;

/** The array instance's extra connections in the activity variant (mt_array_*_act.sv). */
const activityConnections: [string, string][] = [
  ['rst', 'rst'],
  ['tog_a', 'act_a_toggles'],
  ['tog_b', 'act_b_toggles'],
  ['tog_acc', 'act_psum_toggles'],
];

/** The top-level ports through which the C++ driver plays the memories. */
function topPorts(p: SystolicRtlParams, activity: boolean): VPort[] {
  const { R, C, DW, ACC_W } = p;
  const ports: VPort[] = [
    { dir: 'input', name: 'clk', width: 1 },
    { dir: 'input', name: 'rst', width: 1, comment: 'synchronous, active high' },
    { dir: 'input', name: 'start', width: 1, comment: 'pulse: run one GEMM' },
    { dir: 'input', name: 'cfg_m', width: 32 },
    { dir: 'input', name: 'cfg_k', width: 32 },
    { dir: 'input', name: 'cfg_n', width: 32 },
    { dir: 'input', name: 'cfg_relu', width: 1 },
    { dir: 'input', name: 'cfg_zp', width: DW, signed: true, comment: 'output zero point' },
    { dir: 'output', name: 'busy', width: 1 },
    { dir: 'output', name: 'p1_rd_en', width: 1, comment: 'streamed operand: lane i = P1[row + i][col]' },
    { dir: 'output', name: 'p1_rd_row', width: 32 },
    { dir: 'output', name: 'p1_rd_col', width: 32 },
    { dir: 'input', name: 'p1_rd_data', width: R * DW, vector: true },
    { dir: 'output', name: 'p2_rd_en', width: 1, comment: 'second operand: lane j = P2[row + j][col]' },
    { dir: 'output', name: 'p2_rd_row', width: 32 },
    { dir: 'output', name: 'p2_rd_col', width: 32 },
    { dir: 'input', name: 'p2_rd_data', width: C * DW, vector: true },
    { dir: 'output', name: 'q_rd_en', width: 1, comment: 'requantization parameters: lane j = Q[row + j]' },
    { dir: 'output', name: 'q_rd_row', width: 32 },
    { dir: 'input', name: 'q_bias', width: qLanes(p) * ACC_W, vector: true },
    { dir: 'input', name: 'q_mult', width: qLanes(p) * 32, vector: true },
    { dir: 'input', name: 'q_shift', width: qLanes(p) * 6, vector: true },
  ];
  if (strategyOf(p).stationary) {
    ports.push(
      {
        dir: 'output',
        name: 'acc_rd_en',
        width: 1,
        comment: 'partial sums of earlier K folds: lane j = ACC[row + j][col]',
      },
      { dir: 'output', name: 'acc_rd_row', width: 32 },
      { dir: 'output', name: 'acc_rd_col', width: 32 },
      { dir: 'input', name: 'acc_rd_data', width: C * ACC_W, vector: true },
      { dir: 'output', name: 'acc_wr_en', width: 1 },
      { dir: 'output', name: 'acc_wr_row', width: 32 },
      { dir: 'output', name: 'acc_wr_col', width: 32 },
      { dir: 'output', name: 'acc_wr_mask', width: C, vector: true },
      { dir: 'output', name: 'acc_wr_data', width: C * ACC_W, vector: true },
    );
  }
  ports.push(
    { dir: 'output', name: 'o_wr_en', width: 1, comment: 'results: lane j -> O[row + j][col]' },
    { dir: 'output', name: 'o_wr_row', width: 32, reg: true },
    { dir: 'output', name: 'o_wr_col', width: 32, reg: true },
    { dir: 'output', name: 'o_wr_mask', width: C, vector: true },
    { dir: 'output', name: 'o_wr_data', width: C * DW, vector: true },
    { dir: 'output', name: 'cnt_cycles', width: 64, reg: true, comment: 'cycles of the last GEMM, start to done' },
    { dir: 'output', name: 'cnt_macs', width: 64, comment: 'MAC operations issued to the array' },
    { dir: 'output', name: 'cnt_outputs', width: 64, reg: true, comment: 'results written' },
    { dir: 'output', name: 'cnt_folds', width: 32 },
    { dir: 'output', name: 'fold_pulse', width: 1, comment: 'high in the cycle a fold starts streaming' },
  );
  if (activity)
    ports.push(
      ...ACTIVITY_PORTS.map((name, i): VPort => ({
        dir: 'output',
        name,
        width: 64,
        comment: [
          'toggles of a_q',
          'toggles of b_q (os), shadow and active (ws/is)',
          'toggles of acc (os), psum (ws/is)',
        ][i],
      })),
    );
  return ports;
}

/** Operand alignment: the port data arrives one cycle after the request, so flags are delayed to match. */
function alignment(p: SystolicRtlParams): VItem[] {
  const { R, C, DW } = p;
  return [
    comment('Request flags delayed by the memory read latency, to meet their data.'),
    busReg('a_ok_q', R),
    reg('a_en_q', 1),
    reg('a_first_q', 1),
    busReg('b_ok_q', C),
    always(['a_ok_q <= p1_lane_ok;', 'a_en_q <= p1_rd_en;', 'a_first_q <= s_first;', 'b_ok_q <= p2_lane_ok;']),
    comment('Lanes outside the GEMM (partial folds) are forced to zero.'),
    bus('a_data', R * DW),
    bus('b_data', C * DW),
    {
      kind: 'for',
      genvar: 'gi',
      count: R,
      label: 'g_amask',
      items: [assign(`a_data[gi*${DW} +: ${DW}]`, `a_ok_q[gi] ? p1_rd_data[gi*${DW} +: ${DW}] : ${DW}'d0`)],
    },
    {
      kind: 'for',
      genvar: 'gj',
      count: C,
      label: 'g_bmask',
      items: [assign(`b_data[gj*${DW} +: ${DW}]`, `b_ok_q[gj] ? p2_rd_data[gj*${DW} +: ${DW}] : ${DW}'d0`)],
    },
  ];
}

/** The streamed operand's row skew: data per lane, valid/first flags staggered once for all lanes. */
function streamSkew(p: SystolicRtlParams): VItem[] {
  const { R, DW } = p;
  return [
    comment('Row skew of the streamed operand; its valid/first flags are the same for every row, staggered.'),
    bus('s_lanes', R * DW),
    bus('s_valid', R),
    bus('s_firsts', R),
    bus('s_flags', R * 2),
    instance(
      'mt_skew',
      'u_askew',
      [
        ['LANES', R],
        ['W', DW],
        ['DESKEW', 0],
      ],
      [
        ['clk', 'clk'],
        ['din', 'a_data'],
        ['dout', 's_lanes'],
      ],
    ),
    instance(
      'mt_stagger',
      'u_aflags',
      [
        ['LANES', R],
        ['W', 2],
      ],
      [
        ['clk', 'clk'],
        ['din', '{a_en_q, a_first_q}'],
        ['dout', 's_flags'],
      ],
    ),
    {
      kind: 'for',
      genvar: 'gi',
      count: R,
      label: 'g_aflags',
      items: [assign('s_valid[gi]', 's_flags[gi*2 + 1]'), assign('s_firsts[gi]', 's_flags[gi*2]')],
    },
  ];
}

/** Skews and array for output-stationary arrays. */
function osDatapath(p: SystolicRtlParams, activity: boolean): VItem[] {
  const { R, C, DW, ACC_W, RW } = p;
  return [
    ...streamSkew(p),
    comment('Column skew of B.'),
    bus('b_skew', C * DW),
    instance(
      'mt_skew',
      'u_bskew',
      [
        ['LANES', C],
        ['W', DW],
        ['DESKEW', 0],
      ],
      [
        ['clk', 'clk'],
        ['din', 'b_data'],
        ['dout', 'b_skew'],
      ],
    ),
    bus('array_out', C * ACC_W),
    instance(
      activity ? 'mt_array_os_act' : 'mt_array_os',
      'u_array',
      [
        ['R', R],
        ['C', C],
        ['DW', DW],
        ['ACC_W', ACC_W],
        ['RW', RW],
      ],
      [
        ...(activity ? activityConnections : []),
        ['clk', 'clk'],
        ['a_lanes', 's_lanes'],
        ['a_valid', 's_valid'],
        ['a_first', 's_firsts'],
        ['b_lanes', 'b_skew'],
        ['rd_row_in', 'rd_row'],
        ['out', 'array_out'],
      ],
    ),
  ];
}

/** Skews and array for the stationary (ws/is) arrays. */
function stationaryDatapath(p: SystolicRtlParams, activity: boolean): VItem[] {
  const { R, C, DW, ACC_W, RW } = p;
  const FW = RW + 1;
  return [
    ...streamSkew(p),
    comment('Column skew of the preload buses; their valid flag and row index are staggered once for all columns.'),
    reg('b_en_q', 1),
    reg('pl_row_q', RW),
    always(['b_en_q <= p2_rd_en;', 'pl_row_q <= pl_row;']),
    bus('w_lanes', C * DW),
    bus('w_rows', C * RW),
    bus('w_valid', C),
    bus('w_flags', C * FW),
    instance(
      'mt_skew',
      'u_bskew',
      [
        ['LANES', C],
        ['W', DW],
        ['DESKEW', 0],
      ],
      [
        ['clk', 'clk'],
        ['din', 'b_data'],
        ['dout', 'w_lanes'],
      ],
    ),
    instance(
      'mt_stagger',
      'u_bflags',
      [
        ['LANES', C],
        ['W', FW],
      ],
      [
        ['clk', 'clk'],
        ['din', '{b_en_q, pl_row_q}'],
        ['dout', 'w_flags'],
      ],
    ),
    {
      kind: 'for',
      genvar: 'gj',
      count: C,
      label: 'g_bflags',
      items: [
        assign(`w_rows[gj*${RW} +: ${RW}]`, `w_flags[gj*${FW} +: ${RW}]`),
        assign('w_valid[gj]', `w_flags[gj*${FW} + ${RW}]`),
      ],
    },
    bus('array_out', C * ACC_W),
    instance(
      activity ? 'mt_array_ws_act' : 'mt_array_ws',
      'u_array',
      [
        ['R', R],
        ['C', C],
        ['DW', DW],
        ['ACC_W', ACC_W],
        ['RW', RW],
      ],
      [
        ...(activity ? activityConnections : []),
        ['clk', 'clk'],
        ['s_lanes', 's_lanes'],
        ['s_valid', 's_valid'],
        ['s_first', 's_firsts'],
        ['w_lanes', 'w_lanes'],
        ['w_row', 'w_rows'],
        ['w_valid', 'w_valid'],
        ['out', 'array_out'],
      ],
    ),
  ];
}

/** De-skew, metadata delay, K-fold accumulation, requantization, result write and counters. */
function outputStage(p: SystolicRtlParams): VItem[] {
  const { R, C, DW, ACC_W, UW } = p;
  const stationary = strategyOf(p).stationary;
  // The metadata word's fields, at the bit ranges the package's fold_md_t gives them.
  const md = foldMetadataLayout(UW);
  const tap = (f: string) => fieldSlice(md, 'md_tap', f);
  const out = (f: string) => fieldSlice(md, 'md_out', f);
  const depth = stationary ? R + C : C;
  const items: VItem[] = [
    comment('Results of one output row leave the array skewed by column; align them.'),
    wire('sums_raw', C * ACC_W),
    instance(
      'mt_skew',
      'u_deskew',
      [
        ['LANES', C],
        ['W', ACC_W],
        ['DESKEW', 1],
      ],
      [
        ['clk', 'clk'],
        ['din', 'array_out'],
        ['dout', 'sums_raw'],
      ],
    ),
    comment(
      `Metadata of each result row (fold_md_t), delayed ${depth} cycles to meet it (tap: one cycle earlier, for reads).`,
    ),
    { kind: 'lint', on: false, rule: 'UNUSEDSIGNAL' },
    wire('md_tap', md.width, 'not every field is read at the tap'),
    wire('md_out', md.width),
    { kind: 'lint', on: true, rule: 'UNUSEDSIGNAL' },
    instance(
      'mt_delay',
      'u_md',
      [
        ['DEPTH', depth],
        ['W', md.width],
      ],
      [
        ['clk', 'clk'],
        ['rst', 'rst'],
        ['din', 'md_in'],
        ['tap', 'md_tap'],
        ['dout', 'md_out'],
      ],
    ),
    wire('t_valid', 1),
    wire('t_last', 1),
    wire('t_row', 32),
    assign('t_valid', tap('valid')),
    assign('t_last', tap('last')),
    assign('t_row', tap('row')),
    ...(stationary ? [wire('t_col', 32), assign('t_col', tap('col'))] : []),
    wire('y_valid', 1),
    wire('y_last', 1),
    wire('y_end', 1),
    wire('y_used', UW),
    wire('y_row', 32),
    wire('y_col', 32),
    assign('y_valid', out('valid')),
    assign('y_last', out('last')),
    assign('y_end', out('gemm_end')),
    assign('y_used', out('used')),
    assign('y_row', out('row')),
    assign('y_col', out('col')),
    comment('Requantization parameters for the row arriving next cycle.'),
    assign('q_rd_en', 't_valid && t_last'),
    assign('q_rd_row', strategyOf(p).qRowSignal),
  ];
  if (!stationary) {
    items.push(wire('sums', C * ACC_W), assign('sums', 'sums_raw'));
  } else {
    items.push(
      comment(
        'Partial sums of earlier K folds: read one cycle ahead, added, written back unless this is the last K fold.',
      ),
      wire('t_first', 1),
      wire('y_first', 1),
      assign('t_first', tap('first')),
      assign('y_first', out('first')),
      assign('acc_rd_en', 't_valid && !t_first'),
      assign('acc_rd_row', 't_row'),
      assign('acc_rd_col', 't_col'),
      wire('sums', C * ACC_W),
      {
        kind: 'for',
        genvar: 'gj',
        count: C,
        label: 'g_acc',
        items: [
          assign(
            `sums[gj*${ACC_W} +: ${ACC_W}]`,
            `sums_raw[gj*${ACC_W} +: ${ACC_W}] + (y_first ? ${ACC_W}'d0 : acc_rd_data[gj*${ACC_W} +: ${ACC_W}])`,
          ),
          assign('acc_wr_mask[gj]', `${UW}'(gj) < y_used`),
        ],
      },
      assign('acc_wr_en', 'y_valid && !y_last'),
      assign('acc_wr_row', 'y_row'),
      assign('acc_wr_col', 'y_col'),
      assign('acc_wr_data', 'sums'),
    );
  }
  const lane = qLanes(p) === 1 ? '0' : 'gj';
  items.push(
    comment('Requantization, two stages; the row metadata follows in w1/w2.'),
    {
      kind: 'for',
      genvar: 'gj',
      count: C,
      label: 'g_rq',
      items: [
        instance(
          p.ORT ? 'mt_requant_ort' : 'mt_requant',
          'u_rq',
          [
            ['DW', DW],
            ['ACC_W', ACC_W],
          ],
          [
            ['clk', 'clk'],
            ['en', 'y_valid && y_last'],
            ['acc', `sums[gj*${ACC_W} +: ${ACC_W}]`],
            ['bias', `q_bias[${lane}*${ACC_W} +: ${ACC_W}]`],
            ['mult', `q_mult[${lane}*32 +: 32]`],
            ['shift', `q_shift[${lane}*6 +: 6]`],
            ['relu', 'cfg_relu'],
            ['zp', 'cfg_zp'],
            ['y', `o_wr_data[gj*${DW} +: ${DW}]`],
          ],
        ),
        assign('o_wr_mask[gj]', `w2_en && ${UW}'(gj) < w2_used`),
      ],
    },
    reg('w1_en', 1),
    reg('w1_end', 1),
    reg(`w1_used`, UW),
    reg('w1_row', 32),
    reg('w1_col', 32),
    reg('w2_en', 1),
    reg('w2_end', 1),
    reg('w2_used', UW),
    always([
      'w1_en <= y_valid && y_last;',
      'w1_end <= y_end;',
      'w1_used <= y_used;',
      'w1_row <= y_row;',
      'w1_col <= y_col;',
      'w2_en <= w1_en;',
      'w2_end <= w1_end;',
      'w2_used <= w1_used;',
      'o_wr_row <= w1_row;',
      'o_wr_col <= w1_col;',
    ]),
    assign('o_wr_en', 'w2_en'),
    assign('end_seen', 'w2_end'),
    counterProcess('w2_en', 'w2_used'),
  );
  return items;
}

/** Builds the top-level description of a systolic array (`activity`: with the toggle counters of the activity variant). */
export function systolicTop(p: SystolicRtlParams, activity = false): VModule {
  const { R, C, RW, UW } = p;
  const df = strategyOf(p);
  const items: VItem[] = [
    comment('Fold controller.'),
    bus('p1_lane_ok', R),
    bus('p2_lane_ok', C),
    wire('s_first', 1),
    ...(!df.stationary
      ? [
          { kind: 'lint', on: false, rule: 'UNUSEDSIGNAL' } as VItem,
          wire('pl_row', RW, 'preload row: ws/is only'),
          { kind: 'lint', on: true, rule: 'UNUSEDSIGNAL' } as VItem,
          wire('rd_row', RW),
        ]
      : [
          wire('pl_row', RW),
          { kind: 'lint', on: false, rule: 'UNUSEDSIGNAL' } as VItem,
          wire('rd_row', RW, 'read-out row: os only'),
          { kind: 'lint', on: true, rule: 'UNUSEDSIGNAL' } as VItem,
        ]),
    wire('md_in', foldMetadataLayout(UW).width),
    wire('end_seen', 1),
    instance(
      'mt_sa_ctrl',
      'u_ctrl',
      [
        ['R', R],
        ['C', C],
        ['DF', dataflowConstant(dataflowOfCode(p.DF))],
        ['TIMING', timingConstant(timingOfCode(p.TIMING))],
        ['RW', RW],
        ['UW', UW],
      ],
      [
        ['clk', 'clk'],
        ['rst', 'rst'],
        ['start', 'start'],
        ['cfg_m', 'cfg_m'],
        ['cfg_k', 'cfg_k'],
        ['cfg_n', 'cfg_n'],
        ['end_seen', 'end_seen'],
        ['busy', 'busy'],
        ['p1_rd_en', 'p1_rd_en'],
        ['p1_rd_row', 'p1_rd_row'],
        ['p1_rd_col', 'p1_rd_col'],
        ['p1_lane_ok', 'p1_lane_ok'],
        ['s_first', 's_first'],
        ['p2_rd_en', 'p2_rd_en'],
        ['p2_rd_row', 'p2_rd_row'],
        ['p2_rd_col', 'p2_rd_col'],
        ['p2_lane_ok', 'p2_lane_ok'],
        ['pl_row', 'pl_row'],
        ['rd_row', 'rd_row'],
        ['md', 'md_in'],
        ['cnt_macs', 'cnt_macs'],
        ['cnt_folds', 'cnt_folds'],
        ['fold_pulse', 'fold_pulse'],
      ],
    ),
    ...alignment(p),
    ...(df.stationary ? stationaryDatapath(p, activity) : osDatapath(p, activity)),
    ...outputStage(p),
  ];
  return {
    name: 'mt_sa_top',
    header: [
      `Systolic MAC array generated by mactile: ${R}x${C}, dataflow ${df.name}, INT${p.DW}, ${p.ACC_W}-bit accumulators,`,
      `${p.TIMING === 0 ? 'scalesim' : 'pipelined'} fold timing. Do not edit: regenerate with \`mactile generate\`.`,
    ],
    params: [],
    ports: topPorts(p, activity),
    items,
  };
}
