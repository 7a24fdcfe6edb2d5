`default_nettype none
// IFMAP scratchpad in the nhwc layout with its im2col address generator (docs/MEMORY.md, stage 2). Each half
// holds one block of input rows (global rows first .. first + rows - 1, each iw x c words, channel fastest),
// filled by the DMA like mt_spad. The read port is mt_spad's: LANES lanes of the tile's operand block (os, is:
// A rows m0.., TRANS = 0: lane i = A[m0 + row + i][col]; ws: A^T, TRANS = 1: lane i = A[m0 + col][row + i]),
// data one cycle after the request. The generator maps each element A[m][k] to its input pixel (m = (image,
// oh, ow), k = (kh, kw, ci), ci fastest; row oh x sh + kh x dh - pt, column ow x sw + kw x dw - pl) and reads
// it, or gives the zero point `pad` when that pixel is padding. Lanes outside the block read zero, uncounted.
module mt_spad_fm #(
  parameter int LANES = 4,
  parameter int DW = 8,
  parameter int H = 64,
  parameter int BEAT = 4,
  parameter bit TRANS = 1'b0
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
  // the computing tile and the layer's geometry
  input  wire [31:0]         m0,
  input  wire [31:0]         first,
  input  wire [31:0]         ih,
  input  wire [31:0]         iw,
  input  wire [31:0]         c,
  input  wire [31:0]         oh,
  input  wire [31:0]         ow,
  input  wire [31:0]         kw,
  input  wire [31:0]         sh,
  input  wire [31:0]         sw,
  input  wire [31:0]         pt,
  input  wire [31:0]         pl,
  input  wire [31:0]         dh,
  input  wire [31:0]         dw,
  input  wire [DW-1:0]       pad,
  output reg  [LANES*DW-1:0] rd_data,
  output reg  [63:0]         cnt_rd
);
  localparam [31:0] H32 = 32'(H);
  localparam [31:0] L32 = 32'(LANES);
  reg [DW-1:0] mem [2*H];
  wire [31:0] wbase = (wr_half ? H32 : 32'd0) + wr_off;
  wire [31:0] hbase = rd_half ? H32 : 32'd0;
  wire        col_in = rd_col < blk_cols && rd_row < blk_rows;
  wire [31:0] left = blk_rows - rd_row;
  wire [31:0] pix = oh * ow;
  wire [31:0] kwc = kw * c;
  wire [31:0] rowc = iw * c;
  // The operand A[m][k] (m relative to the tile): the word of the scratchpad half, or the zero point.
  function automatic [DW-1:0] element(input [31:0] mm, input [31:0] kk);
    logic [31:0] m, y, x, r, q;
    m = m0 + mm;
    r = m % pix;
    q = kk % kwc;
    y = (r / ow) * sh + (kk / kwc) * dh;  // input row + pt
    x = (r % ow) * sw + (q / c) * dw;     // input column + pl
    if (y < pt || y - pt >= ih || x < pl || x - pl >= iw) return pad;
    y = (m / pix) * ih + (y - pt) - first;  // row of the block
    x = y * rowc + (x - pl) * c + q % c;
    if (y >= H32 || x >= H32) return '0;  // outside the half: only a wrong block gets here
    return mem[hbase + x];
  endfunction
  // Fill writes are blocking, as in mt_spad (the fill and the reads never touch the same half).
  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin
    for (int j = 0; j < BEAT; j++) begin
      if (wr_en && 32'(j) < wr_cnt && wbase + 32'(j) < 2 * H32) mem[wbase + 32'(j)] = wr_data[j*DW +: DW];
    end
    for (int i = 0; i < LANES; i++) begin
      if (rd_en) begin
        if (col_in && 32'(i) < left)
          rd_data[i*DW +: DW] <= TRANS ? element(rd_col, rd_row + 32'(i)) : element(rd_row + 32'(i), rd_col);
        else rd_data[i*DW +: DW] <= '0;
      end
    end
    if (clear) cnt_rd <= '0;
    else if (rd_en && col_in) cnt_rd <= cnt_rd + {32'd0, (left < L32) ? left : L32};
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
