`default_nettype none
// Fixed delay line of DEPTH cycles for a W-bit word, as a circular buffer (constant work per cycle at
// any depth). `tap` gives the word written DEPTH-1 cycles ago, `dout` the one written DEPTH cycles ago.
// Until that many cycles have passed since reset both read as zero (the buffer itself is not reset).
module mt_delay #(
  parameter int DEPTH = 4,
  parameter int W = 8
) (
  input  wire         clk,
  input  wire         rst,
  input  wire [W-1:0] din,
  output wire [W-1:0] tap,
  output wire [W-1:0] dout
);
  localparam int PW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  reg [W-1:0]  mem [DEPTH];
  reg [PW-1:0] ptr;
  reg [PW:0]   age;  // cycles since reset, saturating at DEPTH
  wire [PW-1:0] next = (ptr == PW'(DEPTH - 1)) ? '0 : ptr + 1'b1;
  always @(posedge clk) begin
    if (rst) begin
      ptr <= '0;
      age <= '0;
    end else begin
      ptr <= next;
      if (age != (PW+1)'(DEPTH)) age <= age + 1'b1;
    end
    mem[ptr] <= din;
  end
  assign dout = (age == (PW+1)'(DEPTH)) ? mem[ptr] : '0;
  // DEPTH-1 cycles ago: the entry after the oldest one (for DEPTH == 1 the input itself).
  assign tap = (DEPTH == 1) ? din : (age >= (PW+1)'(DEPTH - 1)) ? mem[next] : '0;
endmodule
`default_nettype wire
