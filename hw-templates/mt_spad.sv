`default_nettype none
// Operand scratchpad of the memory system: two halves of H words of DW bits. The DMA fills a half with
// beats of up to BEAT words at consecutive offsets; the array reads LANES lanes per cycle with the
// compute-only array's port protocol (lane i = block[row + i][col], data one cycle after the request),
// from the half that holds the computing tile's block (nr x ncl words, row-major). Lanes outside the block
// read zero and are not counted; `cnt_rd` counts the words read inside it.
module mt_spad #(
  parameter int LANES = 4,
  parameter int DW = 8,
  parameter int H = 64,
  parameter int BEAT = 4
) (
  input  wire                clk,
  input  wire                clear,      // zeroes the read counter
  input  wire                wr_en,
  input  wire                wr_half,
  input  wire [31:0]         wr_off,
  input  wire [31:0]         wr_cnt,
  input  wire [BEAT*DW-1:0]  wr_data,
  input  wire                rd_en,
  input  wire                rd_half,
  input  wire [31:0]         rd_row,
  input  wire [31:0]         rd_col,
  input  wire [31:0]         blk_rows,
  input  wire [31:0]         blk_cols,
  output reg  [LANES*DW-1:0] rd_data,
  output reg  [63:0]         cnt_rd
);
  localparam [31:0] H32 = 32'(H);
  localparam [31:0] L32 = 32'(LANES);
  reg [DW-1:0] mem [2*H];
  wire [31:0] wbase = (wr_half ? H32 : 32'd0) + wr_off;
  wire [31:0] rbase = (rd_half ? H32 : 32'd0) + rd_row * blk_cols + rd_col;
  wire        col_in = rd_col < blk_cols && rd_row < blk_rows;
  wire [31:0] left = blk_rows - rd_row;
  // Fill writes are blocking (a loop of nonblocking array writes is unsupported by Verilator past a few dozen
  // lanes); the fill and the array's reads never touch the same half, so the order does not matter.
  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin
    for (int j = 0; j < BEAT; j++) begin
      if (wr_en && 32'(j) < wr_cnt && wbase + 32'(j) < 2 * H32) mem[wbase + 32'(j)] = wr_data[j*DW +: DW];
    end
    for (int i = 0; i < LANES; i++) begin
      if (rd_en) begin
        if (col_in && 32'(i) < left && rbase + 32'(i) * blk_cols < 2 * H32)
          rd_data[i*DW +: DW] <= mem[rbase + 32'(i) * blk_cols];
        else rd_data[i*DW +: DW] <= '0;
      end
    end
    if (clear) cnt_rd <= '0;
    else if (rd_en && col_in) cnt_rd <= cnt_rd + {32'd0, (left < L32) ? left : L32};
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
