`default_nettype none
// Output-stationary R x C PE array (loop style: one clocked process, so that Verilator keeps it as
// compact loops at any size). PE(i,j) multiplies the A operand arriving from the left with the B
// operand arriving from the top and accumulates into its own accumulator; operands move one PE per
// cycle. `a_valid`/`a_first` travel with A: `first` starts a new output (acc = product).
// Read-out: column j reads acc[row][j] where `row` enters at column 0 and moves one column per cycle;
// `out` carries the value each column read, in the same cycle timing as a combinational read.
// Activity variant (every line added to mt_array_os.sv ends in "// activity"): counts bit toggles,   // activity
// popcount(old ^ new), of the registers a_q (tog_a), b_q (tog_b) and acc (tog_acc) of every PE: per PE one  // activity
// 64-bit word {acc ^ acc', b ^ b', a ^ a'} (acc's bits above 32 apart) counted by bytes (mt_act_pkg).  // activity
module mt_array_os_act #(
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
  input  wire [R*DW-1:0]        a_lanes,   // skewed: lane i is row i
  input  wire [R-1:0]           a_valid,
  input  wire [R-1:0]           a_first,
  input  wire [C*DW-1:0]        b_lanes,   // skewed: lane j is column j
  input  wire [RW-1:0]          rd_row_in, // row to read, entering column 0
  output reg  [C*ACC_W-1:0]     out
);
  reg signed [DW-1:0]    a_q   [R][C];
  reg                    v_q   [R][C];
  reg                    f_q   [R][C];
  reg signed [DW-1:0]    b_q   [R][C];
  reg signed [ACC_W-1:0] acc   [R][C];
  reg [RW-1:0]           rd_row [C];

  reg signed [DW-1:0]    a_in, b_in;
  reg                    v_in, f_in;
  reg signed [2*DW-1:0]  prod;
  localparam int OB = 2 * DW / 8;          // bytes of {b, a} in the counted word  // activity
  reg [DW-1:0]           a_x, b_x;         // activity
  reg [ACC_W-1:0]        acc_x, acc_old;   // activity
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
          a_in = a_lanes[i*DW +: DW];
          v_in = a_valid[i];
          f_in = a_first[i];
        end else begin
          a_in = a_q[i][j-1];
          v_in = v_q[i][j-1];
          f_in = f_q[i][j-1];
        end
        if (i == 0) b_in = b_lanes[j*DW +: DW];
        else b_in = b_q[i-1][j];
        prod = a_in * b_in;
        acc_old = acc[i][j];  // activity
        a_x = a_q[i][j] ^ a_in;  // activity
        b_x = b_q[i][j] ^ b_in;  // activity
        if (v_in) acc[i][j] = (f_in ? ACC_W'(0) : acc[i][j]) + ACC_W'(prod);
        acc_x = acc_old ^ acc[i][j];  // activity
        cnt = mt_act_pkg::byte_counts(64'({acc_x[31:0], b_x, a_x}));  // activity
        lane_e = lane_e + (cnt & 64'h00ff00ff00ff00ff);  // activity
        lane_o = lane_o + ((cnt >> 8) & 64'h00ff00ff00ff00ff);  // activity
        if (ACC_W > 32) sum_acc = sum_acc + 32'($countones(acc_x >> 32));  // activity
        a_q[i][j] = a_in;
        v_q[i][j] = v_in;
        f_q[i][j] = f_in;
        b_q[i][j] = b_in;
      end
      sum_a = sum_a + mt_act_pkg::bytes_sum(lane_e, lane_o, 0, OB / 2);  // activity
      sum_b = sum_b + mt_act_pkg::bytes_sum(lane_e, lane_o, OB / 2, OB / 2);  // activity
      sum_acc = sum_acc + mt_act_pkg::bytes_sum(lane_e, lane_o, OB, 4);  // activity
    end
    for (int j = C - 1; j >= 0; j = j - 1) begin
      rd_row[j] = (j == 0) ? rd_row_in : rd_row[j-1];
      out[j*ACC_W +: ACC_W] <= acc[rd_row[j]][j];
    end
    tog_a <= rst ? 64'd0 : tog_a + 64'(sum_a);  // activity
    tog_b <= rst ? 64'd0 : tog_b + 64'(sum_b);  // activity
    tog_acc <= rst ? 64'd0 : tog_acc + 64'(sum_acc);  // activity
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
