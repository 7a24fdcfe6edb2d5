`default_nettype none
// Output-stationary R x C PE array (loop style: one clocked process, so that Verilator keeps it as
// compact loops at any size). PE(i,j) multiplies the A operand arriving from the left with the B
// operand arriving from the top and accumulates into its own accumulator; operands move one PE per
// cycle. `a_valid`/`a_first` travel with A: `first` starts a new output (acc = product).
// Read-out: column j reads acc[row][j] where `row` enters at column 0 and moves one column per cycle;
// `out` carries the value each column read, in the same cycle timing as a combinational read.
module mt_array_os #(
  parameter int R = 4,
  parameter int C = 4,
  parameter int DW = 8,
  parameter int ACC_W = 32,
  parameter int RW = (R > 1) ? $clog2(R) : 1
) (
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

  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin : pe_update
    // Reverse order: every PE reads its left and upper neighbours before they are updated.
    for (int i = R - 1; i >= 0; i = i - 1) begin
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
        if (v_in) acc[i][j] = (f_in ? ACC_W'(0) : acc[i][j]) + ACC_W'(prod);
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
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
