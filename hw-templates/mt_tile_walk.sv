`default_nettype none
// Walks the tiles of a GEMM in the memory system's order (N-tile outermost, M-tile innermost): the current
// tile's index, its M/N-tile numbers, its first output row/column and its size. `step` moves to the next tile.
module mt_tile_walk (
  input  wire        clk,
  input  wire        init,
  input  wire        step,
  input  wire [31:0] m,
  input  wire [31:0] n,
  input  wire [31:0] mt,
  input  wire [31:0] nt,
  input  wire [31:0] mtiles,
  output reg  [31:0] idx,
  output reg  [31:0] mi,
  output reg  [31:0] ni,
  output reg  [31:0] m0,
  output reg  [31:0] n0,
  output wire [31:0] mc,
  output wire [31:0] nc
);
  assign mc = (m - m0 < mt) ? m - m0 : mt;
  assign nc = (n - n0 < nt) ? n - n0 : nt;
  always @(posedge clk) begin
    if (init) begin
      idx <= '0;
      mi <= '0;
      ni <= '0;
      m0 <= '0;
      n0 <= '0;
    end else if (step) begin
      idx <= idx + 32'd1;
      if (mi + 32'd1 == mtiles) begin
        mi <= '0;
        m0 <= '0;
        ni <= ni + 32'd1;
        n0 <= n0 + nt;
      end else begin
        mi <= mi + 32'd1;
        m0 <= m0 + mt;
      end
    end
  end
endmodule
`default_nettype wire
