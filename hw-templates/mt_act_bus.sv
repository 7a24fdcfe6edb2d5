`default_nettype none
// Bit-toggle counter of one bus of the memory system's activity variant (docs/ENERGY.md): the bus has LANES
// lanes of DW bits; in each clock with `en` high, every lane j with mask[j] high and j < cnt carries a word,
// and its toggles are popcount(last[j] ^ word), where last[j] is the word lane j carried last (zero after
// rst). Lanes that carry nothing keep their last word. EVERY = 1 counts a register: all lanes, every clock
// (en, mask and cnt unused), so its toggles are popcount(old ^ new). Only the activity variant instantiates
// it. The lanes are counted as one vector (one popcount of the XOR under the carried lanes' bits).
module mt_act_bus #(
  parameter int LANES = 4,
  parameter int DW = 8,
  parameter bit EVERY = 1'b0
) (
  input  wire                clk,
  input  wire                rst,       // clears the counter and the lanes' last words
  input  wire                en,
  input  wire [LANES-1:0]    mask,
  input  wire [31:0]         cnt,
  input  wire [LANES*DW-1:0] data,
  output reg  [63:0]         tog
);
  reg [LANES*DW-1:0] last;
  reg [LANES*DW-1:0] take;   // the bits of the lanes that carry a word this clock
  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin
    if (EVERY) take = '1;
    else begin
      take = '0;
      if (en)
        for (int j = 0; j < LANES; j++)
          if (mask[j] && 32'(j) < cnt) take[j*DW +: DW] = '1;
    end
    if (rst) begin
      last = '0;
      tog <= 64'd0;
    end else if (EVERY || en) begin  // nothing to count in a clock without en
      tog <= tog + 64'($countones((last ^ data) & take));
      last = (last & ~take) | (data & take);
    end
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
