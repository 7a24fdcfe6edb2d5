`default_nettype none
// One W-bit value staggered over LANES lanes: lane i carries the value of i cycles ago (lane 0 the
// current one). Used for flags that are the same for every lane of a skewed bus (valid, first, preload
// row): one packed shift register instead of a skew buffer per lane.
module mt_stagger #(
  parameter int LANES = 4,
  parameter int W = 1
) (
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire                 clk,   // unused when LANES == 1
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire [W-1:0]         din,
  output wire [LANES*W-1:0]   dout
);
  generate
    if (LANES == 1) begin : g_one
      assign dout = din;
    end else if (LANES == 2) begin : g_two
      reg [W-1:0] q;
      always @(posedge clk) q <= din;
      assign dout = {q, din};
    end else begin : g_many
      reg [(LANES-1)*W-1:0] q;
      always @(posedge clk) q <= {q[(LANES-2)*W-1:0], din};
      assign dout = {q, din};
    end
  endgenerate
endmodule
`default_nettype wire
