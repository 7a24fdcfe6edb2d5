`default_nettype none
// Output-stationary R x C PE array (loop style: one clocked process, so that Verilator keeps it as
// compact loops at any size). PE(i,j) multiplies the A operand arriving from the left with the B
// operand arriving from the top and accumulates into its own accumulator; operands move one PE per
// cycle. `a_valid`/`a_first` travel with A: `first` starts a new output (acc = product).
// Read-out: column j reads acc[row][j] where `row` enters at column 0 and moves one column per cycle;
// `out` carries the value each column read, in the same cycle timing as a combinational read.
// Activity variant (every line added to mt_array_os.sv ends in "// activity"): counts bit toggles,   // activity
// popcount(old ^ new), of the registers a_q (tog_a), b_q (tog_b) and acc (tog_acc) of every PE.  // activity
// a_q and b_q only shift (a_q[i][j] takes a_q[i][j-1] every clock), so PE (i,j)'s toggles now are PE (i,0)'s  // activity
// j clocks ago: the toggles of all a_q are the sum of the last C clocks' toggles of column 0 (a ring of C  // activity
// sums, da), those of all b_q the sum of the last R clocks' of row 0 (db); from power-up, when every  // activity
// register is zero, this is exact. Each acc is counted where it changes, two PEs' XORs in one 64-bit word.  // activity
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
  localparam int CW = (C > 1) ? $clog2(C) : 1;  // activity
  reg [31:0]             da [C];           // toggles of column 0's a_q in each of the last C clocks  // activity
  reg [31:0]             db [R];           // toggles of row 0's b_q in each of the last R clocks  // activity
  reg [CW-1:0]           pa;               // the slot of da written C clocks ago  // activity
  reg [RW-1:0]           pb;               // the slot of db written R clocks ago  // activity
  reg [31:0]             win_a, win_b;     // the sums of da and db: all a_q's and b_q's toggles this clock  // activity
  reg [31:0]             d;                // activity
  reg [ACC_W-1:0]        acc_x, acc_old;   // activity
  reg [63:0]             pair;             // the XOR of acc of PE (i,j+1), counted with PE (i,j)'s  // activity
  reg [31:0]             sum_acc;          // activity

  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin : pe_update
    d = '0;  // activity
    for (int i = 0; i < R; i++) d = d + 32'($countones(a_lanes[i*DW +: DW] ^ a_q[i][0]));  // activity
    win_a = win_a + d - da[pa];  // activity
    da[pa] = d;  // activity
    pa = (pa == CW'(C - 1)) ? '0 : pa + 1'b1;  // activity
    d = '0;  // activity
    for (int j = 0; j < C; j++) d = d + 32'($countones(b_lanes[j*DW +: DW] ^ b_q[0][j]));  // activity
    win_b = win_b + d - db[pb];  // activity
    db[pb] = d;  // activity
    pb = (pb == RW'(R - 1)) ? '0 : pb + 1'b1;  // activity
    sum_acc = '0;  // activity
    // Reverse order: every PE reads its left and upper neighbours before they are updated.
    for (int i = R - 1; i >= 0; i = i - 1) begin
      pair = '0;  // activity
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
        if (v_in) acc[i][j] = (f_in ? ACC_W'(0) : acc[i][j]) + ACC_W'(prod);
        acc_x = acc_old ^ acc[i][j];  // activity
        if (ACC_W > 32) sum_acc = sum_acc + mt_act_pkg::ones64(64'(acc_x));  // activity
        else if ((j & 1) == 1) pair = 64'(acc_x[31:0]);  // activity
        else begin sum_acc = sum_acc + mt_act_pkg::ones64({acc_x[31:0], pair[31:0]}); pair = '0; end  // activity
        a_q[i][j] = a_in;
        v_q[i][j] = v_in;
        f_q[i][j] = f_in;
        b_q[i][j] = b_in;
      end
    end
    for (int j = C - 1; j >= 0; j = j - 1) begin
      rd_row[j] = (j == 0) ? rd_row_in : rd_row[j-1];
      out[j*ACC_W +: ACC_W] <= acc[rd_row[j]][j];
    end
    tog_a <= rst ? 64'd0 : tog_a + 64'(win_a);  // activity
    tog_b <= rst ? 64'd0 : tog_b + 64'(win_b);  // activity
    tog_acc <= rst ? 64'd0 : tog_acc + 64'(sum_acc);  // activity
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
