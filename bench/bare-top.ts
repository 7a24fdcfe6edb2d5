/** The bare-array benchmark top: the PE array alone, its outputs folded into a checksum so none is optimised away. */
import type { SystolicRtlParams } from '../src/accel/systolic/generate.js';
import { DATAFLOW_CODES } from '../src/accel/systolic/codes.js';
import { always, assign, bus, instance, reg, wire, type VModule } from '../src/rtl/netlist.js';

/** Describes mt_bare_top for the array of a systolic config. */
export function bareTop(p: SystolicRtlParams): VModule {
  const { R, C, DW, ACC_W, RW } = p;
  const os = p.DF === DATAFLOW_CODES.os;
  const array = os
    ? instance(
        'mt_array_os',
        'u_array',
        [
          ['R', R],
          ['C', C],
          ['DW', DW],
          ['ACC_W', ACC_W],
          ['RW', RW],
        ],
        [
          ['clk', 'clk'],
          ['a_lanes', 'a_lanes'],
          ['a_valid', `{${R}{1'b1}}`],
          ['a_first', `{${R}{first}}`],
          ['b_lanes', 'b_lanes'],
          ['rd_row_in', `${RW}'(cnt)`],
          ['out', 'out'],
        ],
      )
    : instance(
        'mt_array_ws',
        'u_array',
        [
          ['R', R],
          ['C', C],
          ['DW', DW],
          ['ACC_W', ACC_W],
          ['RW', RW],
        ],
        [
          ['clk', 'clk'],
          ['s_lanes', 'a_lanes'],
          ['s_valid', `{${R}{1'b1}}`],
          ['s_first', `{${R}{first}}`],
          ['w_lanes', 'b_lanes'],
          ['w_row', `{${C}{${RW}'(cnt)}}`],
          ['w_valid', `{${C}{1'b1}}`],
          ['out', 'out'],
        ],
      );
  return {
    name: 'mt_bare_top',
    header: ['Benchmark only: the PE array without controller, skews, output stage or memory ports.'],
    params: [],
    ports: [
      { dir: 'input', name: 'clk', width: 1 },
      { dir: 'input', name: 'first', width: 1 },
      { dir: 'input', name: 'a_lanes', width: R * DW, vector: true },
      { dir: 'input', name: 'b_lanes', width: C * DW, vector: true },
      { dir: 'output', name: 'checksum', width: 64, reg: true },
    ],
    items: [
      bus('out', C * ACC_W),
      reg('cnt', 32),
      wire('fold_next', 64),
      assign('fold_next', C * ACC_W > 64 ? `out[63:0] ^ out[${C * ACC_W - 1}:${C * ACC_W - 64}]` : `64'(out)`),
      always(["cnt <= cnt + 32'd1;", 'checksum <= checksum ^ fold_next;']),
      array,
    ],
  };
}
