`default_nettype none
// Input skew / output de-skew for a bus of LANES lanes of W bits: lane i is delayed by i cycles
// (DESKEW = 0) or by LANES-1-i cycles (DESKEW = 1). Lane 0 (or lane LANES-1) passes straight through.
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
      end else begin : g_delay
        reg [W-1:0] stage [DELAY];
        always @(posedge clk) begin
          stage[0] <= din[i*W +: W];
          for (int s = 1; s < DELAY; s = s + 1) stage[s] <= stage[s-1];
        end
        assign dout[i*W +: W] = stage[DELAY-1];
      end
    end
  endgenerate
endmodule
`default_nettype wire
