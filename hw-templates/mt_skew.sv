`default_nettype none
// Input skew / output de-skew for a bus of LANES lanes of W bits: lane i is delayed by i cycles
// (DESKEW = 0) or by LANES-1-i cycles (DESKEW = 1). Each delayed lane is a circular buffer, so the
// work per cycle does not grow with the delay. Contents are not reset: until a lane has been filled
// it carries stale values, which the array ignores (every fold starts with its own `first` flag and
// results are only taken under the output metadata, which is reset).
module mt_skew #(
  parameter int LANES = 4,
  parameter int W = 8,
  parameter bit DESKEW = 0
) (
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire                 clk,   // unused when LANES == 1
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire [LANES*W-1:0]   din,
  output wire [LANES*W-1:0]   dout
);
  genvar i;
  generate
    for (i = 0; i < LANES; i = i + 1) begin : g_lane
      localparam int DELAY = DESKEW ? (LANES - 1 - i) : i;
      if (DELAY == 0) begin : g_pass
        assign dout[i*W +: W] = din[i*W +: W];
      end else if (DELAY == 1) begin : g_reg
        reg [W-1:0] q;
        always @(posedge clk) q <= din[i*W +: W];
        assign dout[i*W +: W] = q;
      end else begin : g_ring
        localparam int PW = $clog2(DELAY);
        reg [W-1:0]  mem [DELAY];
        reg [PW-1:0] ptr = '0;
        always @(posedge clk) begin
          mem[ptr] <= din[i*W +: W];
          ptr <= (ptr == PW'(DELAY - 1)) ? '0 : ptr + 1'b1;
        end
        assign dout[i*W +: W] = mem[ptr];
      end
    end
  endgenerate
endmodule
`default_nettype wire
