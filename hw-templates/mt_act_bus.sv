`default_nettype none
// Bit-toggle counter of one bus of the memory system's activity variant (docs/ENERGY.md): the bus has LANES
// lanes of DW bits; in each clock with `en` high, every lane j with mask[j] high and j < cnt carries a word,
// and its toggles are popcount(last[j] ^ word), where last[j] is the word lane j carried last (zero after
// rst). Lanes that carry nothing keep their last word. A register's toggles are counted with en, mask and
// cnt always on (its word of every clock). Only the activity variant instantiates it.
module mt_act_bus #(
  parameter int LANES = 4,
  parameter int DW = 8
) (
  input  wire               clk,
  input  wire               rst,       // clears the counter and the lanes' last words
  input  wire               en,
  input  wire [LANES-1:0]   mask,
  input  wire [31:0]        cnt,
  input  wire [LANES*DW-1:0] data,
  output reg  [63:0]        tog
);
  reg [DW-1:0] last [LANES];
  reg [31:0]   sum;
  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin
    sum = '0;
    for (int j = 0; j < LANES; j++) begin
      if (rst) last[j] = '0;
      else if (en && mask[j] && 32'(j) < cnt) begin
        sum = sum + 32'($countones(last[j] ^ data[j*DW +: DW]));
        last[j] = data[j*DW +: DW];
      end
    end
    tog <= rst ? 64'd0 : tog + 64'(sum);
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
