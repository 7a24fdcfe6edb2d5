`default_nettype none
// Output scratchpad of the memory system: two halves of H words of DW bits. The array writes a tile's
// results into one half (lane j -> block[row + j][col], masked; the block is row-major, ncl columns) while
// the write DMA reads the other half BEAT words at a time from an offset (combinational read).
module mt_opad #(
  parameter int C = 4,
  parameter int DW = 8,
  parameter int H = 64,
  parameter int BEAT = 4
) (
  input  wire               clk,
  input  wire               clear,      // zeroes the write counter
  input  wire               wr_en,
  input  wire               wr_half,
  input  wire [31:0]        wr_row,
  input  wire [31:0]        wr_col,
  input  wire [C-1:0]       wr_mask,
  input  wire [C*DW-1:0]    wr_data,
  input  wire [31:0]        blk_cols,
  input  wire               rd_half,
  input  wire [31:0]        rd_off,
  output reg  [BEAT*DW-1:0] rd_data,
  output reg  [63:0]        cnt_wr
);
  localparam [31:0] H32 = 32'(H);
  reg [DW-1:0] mem [2*H];
  wire [31:0] wbase = (wr_half ? H32 : 32'd0) + wr_row * blk_cols + wr_col;
  wire [31:0] rbase = (rd_half ? H32 : 32'd0) + rd_off;
  reg  [63:0] lanes;
  always @(*) begin
    lanes = '0;
    for (int j = 0; j < C; j++) lanes = lanes + 64'(wr_mask[j]);
    for (int j = 0; j < BEAT; j++) rd_data[j*DW +: DW] = (rbase + 32'(j) < 2 * H32) ? mem[rbase + 32'(j)] : '0;
  end
  // Blocking array writes (a loop of nonblocking ones is unsupported by Verilator past a few dozen lanes); the
  // array writes one half while the DMA reads the other.
  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin
    for (int j = 0; j < C; j++) begin
      if (wr_en && wr_mask[j] && wbase + 32'(j) * blk_cols < 2 * H32) mem[wbase + 32'(j) * blk_cols] = wr_data[j*DW +: DW];
    end
    if (clear) cnt_wr <= '0;
    else if (wr_en) cnt_wr <= cnt_wr + lanes;
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
