`default_nettype none
// The block of input rows a tile needs in the IFMAP scratchpad's nhwc layout (docs/MEMORY.md, stage 2): the
// output pixels m0 .. m0 + mc - 1 need the input rows from the first kernel row of the first pixel's output row
// to the last kernel row of the last pixel's, each clamped to its image, as one range of global rows (image x
// ih + row) of the NHWC tensor, moved as one burst of rows x iw x c words from `base`.
module mt_fm_blk (
  input  wire [31:0] base,
  input  wire [31:0] ih,
  input  wire [31:0] iw,
  input  wire [31:0] c,
  input  wire [31:0] oh,
  input  wire [31:0] ow,
  input  wire [31:0] kh,
  input  wire [31:0] sh,
  input  wire [31:0] pt,
  input  wire [31:0] dh,
  input  wire [31:0] m0,
  input  wire [31:0] mc,
  output wire [31:0] first,
  output wire [31:0] rows,
  output wire [31:0] addr,
  output wire [31:0] bursts,
  output wire [31:0] len,
  output wire [31:0] stride
);
  // Row of an image the window row `top` - pt falls on, clamped to 0 .. ih - 1.
  function automatic [31:0] clamp_row(input [31:0] top);
    if (top < pt) return 32'd0;
    return (top - pt > ih - 32'd1) ? ih - 32'd1 : top - pt;
  endfunction
  wire [31:0] pix = oh * ow;
  wire [31:0] last = m0 + mc - 32'd1;
  wire [31:0] oh0 = (m0 % pix) / ow;
  wire [31:0] oh1 = (last % pix) / ow;
  assign first = (m0 / pix) * ih + clamp_row(oh0 * sh);
  wire [31:0] end_row = (last / pix) * ih + clamp_row(oh1 * sh + (kh - 32'd1) * dh);
  assign rows = end_row - first + 32'd1;
  assign len = rows * iw * c;
  assign addr = base + first * iw * c;
  assign bursts = 32'd1;
  assign stride = len;
endmodule
`default_nettype wire
