`default_nettype none
// Stationary-operand R x C PE array for the weight- and input-stationary dataflows (loop style).
// Each PE holds a stationary value in a shadow register (loaded from its column's preload bus when the
// bus names its row) and an active register (the shadow is switched in when the first streamed operand
// of a fold reaches the PE, so the next fold's preload can overlap the current fold). Streamed operands
// move right one PE per cycle; partial sums move down one PE per cycle; `out` is the bottom row.
// Activity variant (every line added to mt_array_ws.sv ends in "// activity"): counts bit toggles,     // activity
// popcount(old ^ new), of the registers a_q (tog_a), shadow and active (tog_b) and psum (tog_acc) of every PE:  // activity
// per PE one 64-bit word {psum ^ psum' (INT8), active ^ active', shadow ^ shadow', a ^ a'} counted by bytes  // activity
// (mt_act_pkg); the partial sum's other bits apart.  // activity
module mt_array_ws_act #(
  parameter int R = 4,
  parameter int C = 4,
  parameter int DW = 8,
  parameter int ACC_W = 32,
  parameter int RW = (R > 1) ? $clog2(R) : 1
) (
  input  wire                   rst,       // clears the toggle counters  // activity
  output reg  [63:0]            tog_a,     // activity
  output reg  [63:0]            tog_b,     // activity
  output reg  [63:0]            tog_acc,   // activity
  input  wire                   clk,
  input  wire [R*DW-1:0]        s_lanes,   // streamed operand, skewed: lane i is row i
  input  wire [R-1:0]           s_valid,
  input  wire [R-1:0]           s_first,   // first operand of a fold: switch shadow -> active
  input  wire [C*DW-1:0]        w_lanes,   // preload bus per column (column-skewed)
  input  wire [C*RW-1:0]        w_row,
  input  wire [C-1:0]           w_valid,
  output reg  [C*ACC_W-1:0]     out
);
  reg signed [DW-1:0]    a_q    [R][C];
  reg                    v_q    [R][C];
  reg                    f_q    [R][C];
  reg signed [DW-1:0]    shadow [R][C];
  reg signed [DW-1:0]    active [R][C];
  reg signed [ACC_W-1:0] psum   [R][C];

  reg signed [DW-1:0]    a_in, w_use;
  reg                    v_in, f_in;
  reg signed [ACC_W-1:0] psum_in;
  reg signed [2*DW-1:0]  prod;
  localparam int WB = DW / 8;              // bytes of one operand register  // activity
  localparam int PB = (DW == 8) ? 4 : 0;   // bytes of the partial sum in the counted word  // activity
  reg [DW-1:0]           a_x, shadow_old, active_old;  // activity
  reg [ACC_W-1:0]        psum_old, psum_x; // activity
  reg [63:0]             cnt, lane_e, lane_o;  // activity
  reg [31:0]             sum_a, sum_b, sum_acc;  // activity

  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin : pe_update
    sum_a = '0;  // activity
    sum_b = '0;  // activity
    sum_acc = '0;  // activity
    // Reverse order: every PE reads its left and upper neighbours before they are updated.
    for (int i = R - 1; i >= 0; i = i - 1) begin
      lane_e = '0;  // activity
      lane_o = '0;  // activity
      for (int j = C - 1; j >= 0; j = j - 1) begin
        if (j == 0) begin
          a_in = s_lanes[i*DW +: DW];
          v_in = s_valid[i];
          f_in = s_first[i];
        end else begin
          a_in = a_q[i][j-1];
          v_in = v_q[i][j-1];
          f_in = f_q[i][j-1];
        end
        psum_in = (i == 0) ? '0 : psum[i-1][j];
        shadow_old = shadow[i][j];  // activity
        active_old = active[i][j];  // activity
        psum_old = psum[i][j];  // activity
        a_x = a_q[i][j] ^ a_in;  // activity
        w_use = (v_in && f_in) ? shadow[i][j] : active[i][j];
        if (v_in && f_in) active[i][j] = shadow[i][j];
        if (w_valid[j] && w_row[j*RW +: RW] == RW'(i)) shadow[i][j] = w_lanes[j*DW +: DW];
        prod = a_in * w_use;
        psum[i][j] = psum_in + ACC_W'(prod);
        psum_x = psum_old ^ psum[i][j];  // activity
        if (DW == 8) cnt = mt_act_pkg::byte_counts(64'({psum_x[31:0], active_old ^ active[i][j], shadow_old ^ shadow[i][j], a_x}));  // activity
        else cnt = mt_act_pkg::byte_counts(64'({active_old ^ active[i][j], shadow_old ^ shadow[i][j], a_x}));  // activity
        lane_e = lane_e + (cnt & 64'h00ff00ff00ff00ff);  // activity
        lane_o = lane_o + ((cnt >> 8) & 64'h00ff00ff00ff00ff);  // activity
        if (DW != 8) sum_acc = sum_acc + 32'($countones(psum_x));  // activity
        a_q[i][j] = a_in;
        v_q[i][j] = v_in;
        f_q[i][j] = f_in;
      end
      sum_a = sum_a + mt_act_pkg::bytes_sum(lane_e, lane_o, 0, WB);  // activity
      sum_b = sum_b + mt_act_pkg::bytes_sum(lane_e, lane_o, WB, 2 * WB);  // activity
      sum_acc = sum_acc + mt_act_pkg::bytes_sum(lane_e, lane_o, 3 * WB, PB);  // activity
    end
    for (int j = 0; j < C; j = j + 1) out[j*ACC_W +: ACC_W] <= psum[R-1][j];
    tog_a <= rst ? 64'd0 : tog_a + 64'(sum_a);  // activity
    tog_b <= rst ? 64'd0 : tog_b + 64'(sum_b);  // activity
    tog_acc <= rst ? 64'd0 : tog_acc + 64'(sum_acc);  // activity
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
