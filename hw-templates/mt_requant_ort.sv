`default_nettype none
// Output stage of one lane in requantization mode ort (onnxruntime's CPU QLinearConv), IEEE-exact:
//   stage 1: x = acc + bias (exact, ACC_W+1 bits)
//   stage 2: xf = float32(x) (round to nearest even); p = float32(xf * f) (the product of the two 24-bit
//            significands rounded to nearest even); t = round_half_even(p); t = max(t, 0) if relu;
//            y = sat_DW(t + zp)
// `mult` carries the float32 factor f (positive and normal). A product below 2^-126 is a float32 subnormal,
// which rounds to the integer 0 whatever its exact value, so it is not formed.
module mt_requant_ort #(
  parameter int DW = 8,
  parameter int ACC_W = 32
) (
  input  wire                     clk,
  input  wire                     en,
  input  wire signed [ACC_W-1:0]  acc,
  input  wire signed [ACC_W-1:0]  bias,
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire signed [31:0]       mult,   // the factor's float32 bits (its sign bit is 0)
  input  wire [5:0]               shift,  // unused in mode ort
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire                     relu,
  input  wire signed [DW-1:0]     zp,
  output reg  signed [DW-1:0]     y
);
  localparam int MW = ACC_W + 1;
  localparam int QMAX = (1 << (DW - 1)) - 1;
  localparam int QMIN = -QMAX - 1;

  reg signed [ACC_W:0] x_q;
  reg [30:0]           f_q;
  reg                  relu_q, en_q;
  reg signed [DW-1:0]  zp_q;

  reg              neg;
  reg [MW-1:0]     m, rem, half;
  reg [24:0]       k;
  reg [49:0]       pr, rem2, half2;
  reg [24:0]       q;
  reg [24:0]       r, rem3, half3;
  integer          e, sh, sh2, ex, s3, t;

  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin
    en_q <= en;
    if (en) begin
      x_q <= (ACC_W+1)'(acc) + (ACC_W+1)'(bias);
      f_q <= mult[30:0];
      relu_q <= relu;
      zp_q <= zp;
    end
    if (en_q) begin
      neg = x_q[ACC_W];
      m = neg ? MW'(-x_q) : MW'(x_q);
      e = 0;
      for (int i = 0; i < MW; i++) if (m[i]) e = i;
      // float32(x): k * 2^(e - 23), k in [2^23, 2^24], half to even
      if (e <= 23) begin
        k = 25'(m) << (23 - e);
      end else begin
        sh = e - 23;
        k = 25'(m >> sh);
        rem = m & ((MW'(1) << sh) - MW'(1));
        half = MW'(1) << (sh - 1);
        if (rem > half || (rem == half && k[0])) k = k + 25'd1;
        if (k[24]) begin
          k = k >> 1;
          e = e + 1;
        end
      end
      // float32(xf * f): q * 2^ex, q in [2^23, 2^24]
      pr = 50'(k[23:0]) * 50'({1'b1, f_q[22:0]});
      sh2 = pr[47] ? 24 : 23;
      q = 25'(pr >> sh2);
      rem2 = pr & ((50'(1) << sh2) - 50'(1));
      half2 = 50'(1) << (sh2 - 1);
      if (rem2 > half2 || (rem2 == half2 && q[0])) q = q + 25'd1;
      if (q[24]) begin
        q = q >> 1;
        sh2 = sh2 + 1;
      end
      ex = (e - 23) + (int'(f_q[30:23]) - 150) + sh2;
      // round half to even to an integer; q >= 2^23 saturates every precision when ex >= 0
      if (m == '0) t = 0;
      else if (ex >= 0) t = 1 << 24;
      else begin
        s3 = -ex;
        if (s3 > 25) r = '0;
        else begin
          r = q >> s3;
          rem3 = q & ((25'(1) << s3) - 25'(1));
          half3 = 25'(1) << (s3 - 1);
          if (rem3 > half3 || (rem3 == half3 && r[0])) r = r + 25'd1;
        end
        t = int'(r);
      end
      if (neg) t = -t;
      if (relu_q && t < 0) t = 0;
      t = t + int'(zp_q);
      y <= (t > QMAX) ? DW'(QMAX) : (t < QMIN) ? DW'(QMIN) : DW'(t);
    end
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
