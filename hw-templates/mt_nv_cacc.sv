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
  localparam signed [ACC_W-1:0] MAX32 = ACC_W'(64'sh7FFFFFFF);
  localparam signed [ACC_W-1:0] MIN32 = -MAX32 - ACC_W'(1);

  // CACC's conversion of one sum to 32 bits.
  function automatic [31:0] convert(input signed [ACC_W-1:0] sum, input [5:0] shift);
    reg signed [ACC_W-1:0] mag, rmag, t;
    mag = sum < 0 ? -sum : sum;
    rmag = (shift == 6'd0) ? mag : (mag + (ACC_W'(1) << (shift - 6'd1))) >>> shift;
    t = sum < 0 ? -rmag : rmag;
    convert = (t > MAX32) ? 32'h7FFFFFFF : (t < MIN32) ? 32'h80000000 : t[31:0];
  endfunction

  // One row of ATOMK accumulators per stripe point: read (row j) and written back whole, so that it is a
  // plain one-read, one-write memory.
  reg  [ATOMK*ACC_W-1:0] acc [LMAX];
  wire [ATOMK*ACC_W-1:0] prev = acc[j];
  wire [ATOMK*ACC_W-1:0] sums;
  genvar gk;
  for (gk = 0; gk < ATOMK; gk = gk + 1) begin : g_lane
    wire signed [ACC_W-1:0] sum = (first ? '0 : $signed(prev[gk*ACC_W +: ACC_W])) + ACC_W'($signed(dot[gk*DOT_W +: DOT_W]));
    assign sums[gk*ACC_W +: ACC_W] = sum;
    always @(posedge clk)
      if (valid && last) out[gk*32 +: 32] <= convert(sum, truncate);
  end
  always @(posedge clk)
    if (valid) acc[j] <= sums;
endmodule
`default_nettype wire
