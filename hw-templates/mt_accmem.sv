`default_nettype none
// Partial-sum memory of the memory system (ws, is): E accumulators of ACC_W bits, the computing tile's
// partial sums over its K folds (lane j = block[row + j][col], row-major with ncl columns). Synchronous
// read one cycle after the request, write-first (a read of an entry written in the same cycle returns the
// new value), as the compute-only array's driver memories behave. Counts lanes read inside the block and
// lanes written.
module mt_accmem #(
  parameter int C = 4,
  parameter int ACC_W = 32,
  parameter int E = 64
) (
  input  wire               clk,
  input  wire               clear,
  input  wire               wr_en,
  input  wire [31:0]        wr_row,
  input  wire [31:0]        wr_col,
  input  wire [C-1:0]       wr_mask,
  input  wire [C*ACC_W-1:0] wr_data,
  input  wire               rd_en,
  input  wire [31:0]        rd_row,
  input  wire [31:0]        rd_col,
  input  wire [31:0]        blk_rows,
  input  wire [31:0]        blk_cols,
  output reg  [C*ACC_W-1:0] rd_data,
  output reg  [63:0]        cnt_rd,
  output reg  [63:0]        cnt_wr
);
  localparam [31:0] E32 = 32'(E);
  localparam [31:0] C32 = 32'(C);
  reg [ACC_W-1:0] mem [E];
  wire [31:0] wbase = wr_row * blk_cols + wr_col;
  wire [31:0] rbase = rd_row * blk_cols + rd_col;
  wire        col_in = rd_col < blk_cols && rd_row < blk_rows;
  wire [31:0] left = blk_rows - rd_row;
  reg  [63:0] lanes;
  always @(*) begin
    lanes = '0;
    for (int j = 0; j < C; j++) lanes = lanes + 64'(wr_mask[j]);
  end
  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin
    // Writes first (blocking), then the reads of the same cycle see them.
    for (int j = 0; j < C; j++) begin
      if (wr_en && wr_mask[j] && wbase + 32'(j) * blk_cols < E32) mem[wbase + 32'(j) * blk_cols] = wr_data[j*ACC_W +: ACC_W];
    end
    for (int j = 0; j < C; j++) begin
      if (rd_en) begin
        if (col_in && 32'(j) < left && rbase + 32'(j) * blk_cols < E32) rd_data[j*ACC_W +: ACC_W] <= mem[rbase + 32'(j) * blk_cols];
        else rd_data[j*ACC_W +: ACC_W] <= '0;
      end
    end
    if (clear) begin
      cnt_rd <= '0;
      cnt_wr <= '0;
    end else begin
      if (rd_en && col_in) cnt_rd <= cnt_rd + {32'd0, (left < C32) ? left : C32};
      if (wr_en) cnt_wr <= cnt_wr + lanes;
    end
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
