`default_nettype none
// Accumulator of the NVDLA-style core (after NVDLA's CACC): one ACC_W-bit accumulator per stripe point
// and kernel. The first package of a stripe starts each point from its dot product, later packages add
// to it; after the last package the sum leaves through CACC's conversion to 32 bits:
// sat32(round_half_away_from_zero(sum / 2^truncate)). Results are registered (one cycle).
module mt_nv_cacc #(
  parameter int ATOMK = 8,
  parameter int LMAX = 16,
  parameter int JW = (LMAX > 1) ? $clog2(LMAX) : 1,
  parameter int DOT_W = 20,
  parameter int ACC_W = 34
) (
  input  wire                    clk,
  input  wire                    valid,
  input  wire                    first,
  input  wire                    last,
  input  wire [JW-1:0]           j,
  input  wire [5:0]              truncate,
  input  wire [ATOMK*DOT_W-1:0]  dot,
  output reg  [ATOMK*32-1:0]     out
);
  reg signed [ACC_W-1:0] acc [LMAX][ATOMK];
  reg signed [ACC_W-1:0] sum, mag, rmag, t;
  localparam signed [ACC_W-1:0] MAX32 = ACC_W'(64'sh7FFFFFFF);
  localparam signed [ACC_W-1:0] MIN32 = -MAX32 - ACC_W'(1);

  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin : accumulate
    if (valid) begin
      for (int k = 0; k < ATOMK; k = k + 1) begin
        sum = (first ? '0 : acc[j][k]) + ACC_W'($signed(dot[k*DOT_W +: DOT_W]));
        acc[j][k] = sum;
        if (last) begin
          mag = sum < 0 ? -sum : sum;
          rmag = (truncate == 6'd0) ? mag : (mag + (ACC_W'(1) << (truncate - 6'd1))) >>> truncate;
          t = sum < 0 ? -rmag : rmag;
          out[k*32 +: 32] <= (t > MAX32) ? 32'h7FFFFFFF : (t < MIN32) ? 32'h80000000 : t[31:0];
        end
      end
    end
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
