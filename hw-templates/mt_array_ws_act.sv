`default_nettype none
// Stationary-operand R x C PE array for the weight- and input-stationary dataflows (loop style).
// Each PE holds a stationary value in a shadow register (loaded from its column's preload bus when the
// bus names its row) and an active register (the shadow is switched in when the first streamed operand
// of a fold reaches the PE, so the next fold's preload can overlap the current fold). Streamed operands
// move right one PE per cycle; partial sums move down one PE per cycle; `out` is the bottom row.
// Activity variant (every line added to mt_array_ws.sv ends in "// activity"): counts bit toggles,     // activity
// popcount(old ^ new), of the registers a_q (tog_a), shadow and active (tog_b) and psum (tog_acc) of every PE.  // activity
// a_q only shifts (a_q[i][j] takes a_q[i][j-1] every clock), so PE (i,j)'s toggles now are PE (i,0)'s j clocks  // activity
// ago: the toggles of all a_q are the sum of the last C clocks' toggles of column 0 (a ring of C sums, da);  // activity
// from power-up, when every register is zero, this is exact. A shadow is counted where its column's preload  // activity
// bus loads it (one row per column and clock), an active where it is switched in, and each psum every clock,  // activity
// two PEs' XORs in one 64-bit word (INT8).  // activity
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
  localparam int CW = (C > 1) ? $clog2(C) : 1;  // activity
  reg [31:0]             da [C];           // toggles of column 0's a_q in each of the last C clocks  // activity
  reg [CW-1:0]           pa;               // the slot of da written C clocks ago  // activity
  reg [31:0]             win_a;            // the sum of da: all a_q's toggles this clock  // activity
  reg [31:0]             d;                // activity
  reg [RW-1:0]           wr;               // activity
  reg [ACC_W-1:0]        psum_x, psum_old; // activity
  reg [63:0]             pair;             // the XOR of psum of PE (i,j+1), counted with PE (i,j)'s  // activity
  reg [31:0]             sum_b, sum_acc;   // activity

  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin : pe_update
    d = '0;  // activity
    for (int i = 0; i < R; i++) d = d + 32'($countones(s_lanes[i*DW +: DW] ^ a_q[i][0]));  // activity
    win_a = win_a + d - da[pa];  // activity
    da[pa] = d;  // activity
    pa = (pa == CW'(C - 1)) ? '0 : pa + 1'b1;  // activity
    sum_b = '0;  // activity
    for (int j = 0; j < C; j++) begin wr = w_row[j*RW +: RW]; if (w_valid[j] && 32'(wr) < 32'(R)) sum_b = sum_b + 32'($countones(shadow[wr][j] ^ w_lanes[j*DW +: DW])); end  // activity
    sum_acc = '0;  // activity
    // Reverse order: every PE reads its left and upper neighbours before they are updated.
    for (int i = R - 1; i >= 0; i = i - 1) begin
      pair = '0;  // activity
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
        w_use = (v_in && f_in) ? shadow[i][j] : active[i][j];
        if (v_in && f_in) sum_b = sum_b + 32'($countones(active[i][j] ^ shadow[i][j]));  // activity
        if (v_in && f_in) active[i][j] = shadow[i][j];
        if (w_valid[j] && w_row[j*RW +: RW] == RW'(i)) shadow[i][j] = w_lanes[j*DW +: DW];
        prod = a_in * w_use;
        psum_old = psum[i][j];  // activity
        psum[i][j] = psum_in + ACC_W'(prod);
        psum_x = psum_old ^ psum[i][j];  // activity
        if (ACC_W > 32) sum_acc = sum_acc + mt_act_pkg::ones64(64'(psum_x));  // activity
        else if ((j & 1) == 1) pair = 64'(psum_x[31:0]);  // activity
        else begin sum_acc = sum_acc + mt_act_pkg::ones64({psum_x[31:0], pair[31:0]}); pair = '0; end  // activity
        a_q[i][j] = a_in;
        v_q[i][j] = v_in;
        f_q[i][j] = f_in;
      end
    end
    for (int j = 0; j < C; j = j + 1) out[j*ACC_W +: ACC_W] <= psum[R-1][j];
    tog_a <= rst ? 64'd0 : tog_a + 64'(win_a);  // activity
    tog_b <= rst ? 64'd0 : tog_b + 64'(sum_b);  // activity
    tog_acc <= rst ? 64'd0 : tog_acc + 64'(sum_acc);  // activity
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
