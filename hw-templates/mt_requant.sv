`default_nettype none
// Output stage of one lane: requantizes an accumulator to the operand type, in two pipeline stages
// that only compute when their input is valid (so an idle output stage costs nothing in simulation).
//   stage 1: x = acc + bias (ACC_W bits each, summed exactly in ACC_W+1 bits), p = x * mult
//   stage 2: t = round_half_away_from_zero(p / 2^shift); t = max(t, 0) if relu; y = sat_DW(t + zp)
module mt_requant #(
  parameter int DW = 8,
  parameter int ACC_W = 32
) (
  input  wire                     clk,
  input  wire                     en,
  input  wire signed [ACC_W-1:0]  acc,
  input  wire signed [ACC_W-1:0]  bias,
  input  wire signed [31:0]       mult,
  input  wire [5:0]               shift,
  input  wire                     relu,
  input  wire signed [DW-1:0]     zp,
  output reg  signed [DW-1:0]     y
);
  localparam int PW = ACC_W + 33;
  localparam signed [PW-1:0] QMAX = (PW'(1) <<< (DW - 1)) - PW'(1);
  localparam signed [PW-1:0] QMIN = -QMAX - PW'(1);

  reg signed [PW-1:0] p_q;
  reg [5:0]           shift_q;
  reg                 relu_q, en_q;
  reg signed [DW-1:0] zp_q;

  reg signed [ACC_W:0]   x;
  reg                    neg;
  reg [PW-1:0]           mag, rmag;
  reg signed [PW-1:0]    t;

  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin
    en_q <= en;
    if (en) begin
      x = (ACC_W+1)'(acc) + (ACC_W+1)'(bias);
      p_q <= PW'(x) * PW'(mult);
      shift_q <= shift;
      relu_q <= relu;
      zp_q <= zp;
    end
    if (en_q) begin
      neg = p_q[PW-1];
      mag = neg ? PW'(-p_q) : PW'(p_q);
      rmag = (shift_q == 6'd0) ? mag : (mag + (PW'(1) << (shift_q - 6'd1))) >> shift_q;
      t = neg ? -$signed(rmag) : $signed(rmag);
      if (relu_q && t < 0) t = '0;
      t = t + PW'(zp_q);
      y <= (t > QMAX) ? QMAX[DW-1:0] : (t < QMIN) ? QMIN[DW-1:0] : t[DW-1:0];
    end
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
