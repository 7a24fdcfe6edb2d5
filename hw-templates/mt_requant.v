`default_nettype none
// Output stage of one lane: requantizes an accumulator to the operand type, in two pipeline stages.
//   stage 1: x = acc + bias (both ACC_W bits; the quantizer keeps the sum in range), p = x * mult
//   stage 2: t = round_half_away_from_zero(p / 2^shift); t = max(t, 0) if relu; y = sat_DW(t + zp)
module mt_requant #(
  parameter int DW = 8,
  parameter int ACC_W = 32
) (
  input  wire                     clk,
  input  wire signed [ACC_W-1:0]  acc,
  input  wire signed [ACC_W-1:0]  bias,
  input  wire signed [31:0]       mult,
  input  wire [5:0]               shift,
  input  wire                     relu,
  input  wire signed [DW-1:0]     zp,
  output reg  signed [DW-1:0]     y
);
  localparam int PW = ACC_W + 32;
  localparam signed [PW-1:0] QMAX = (PW'(1) <<< (DW - 1)) - PW'(1);
  localparam signed [PW-1:0] QMIN = -QMAX - PW'(1);

  reg signed [PW-1:0] p_q;
  reg [5:0]           shift_q;
  reg                 relu_q;
  reg signed [DW-1:0] zp_q;

  wire signed [ACC_W-1:0] x = acc + bias;
  always @(posedge clk) begin
    p_q <= PW'(x) * PW'(mult);
    shift_q <= shift;
    relu_q <= relu;
    zp_q <= zp;
  end

  wire                neg  = p_q[PW-1];
  wire [PW-1:0]       mag  = neg ? PW'(-p_q) : PW'(p_q);
  wire [PW-1:0]       half = (shift_q == 6'd0) ? '0 : (PW'(1) << (shift_q - 6'd1));
  wire [PW-1:0]       rmag = (mag + half) >> shift_q;
  wire signed [PW-1:0] t   = neg ? -$signed(rmag) : $signed(rmag);
  wire signed [PW-1:0] tr  = (relu_q && t < 0) ? '0 : t;
  wire signed [PW-1:0] tz  = tr + PW'(zp_q);
  always @(posedge clk) begin
    y <= (tz > QMAX) ? QMAX[DW-1:0] : (tz < QMIN) ? QMIN[DW-1:0] : tz[DW-1:0];
  end
endmodule
`default_nettype wire
