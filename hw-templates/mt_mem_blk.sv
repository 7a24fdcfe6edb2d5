`default_nettype none
// The block of an operand matrix a tile needs (docs/MEMORY.md): SEL 0 = IFMAP, 1 = FILTER, 2 = OFMAP, for the
// dataflow DF; its rows x cols in the row-major matrix of `stride` columns, its first word's DRAM address, and
// how the DMA moves it: one burst of rows x cols words when cols = stride or rows = 1, else one burst per row.
module mt_mem_blk #(
  parameter mt_sa_pkg::dataflow_e DF = mt_sa_pkg::DF_OS,
  parameter int SEL = 0
) (
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire [31:0] m,      // each block uses some of the sizes, bases and offsets

  input  wire [31:0] k,
  input  wire [31:0] n,
  input  wire [31:0] p1_base,
  input  wire [31:0] p2_base,
  input  wire [31:0] o_base,
  input  wire [31:0] m0,
  input  wire [31:0] mc,
  input  wire [31:0] n0,
  input  wire [31:0] nc,
  /* verilator lint_on UNUSEDSIGNAL */
  output wire [31:0] rows,
  output wire [31:0] cols,
  output wire [31:0] stride,
  output wire [31:0] addr,
  output wire [31:0] bursts,
  output wire [31:0] len
);
  localparam bit IS = (DF == mt_sa_pkg::DF_IS);
  localparam bit WS = (DF == mt_sa_pkg::DF_WS);
  generate
    if (SEL == 0 && WS) begin : g_a_ws  // P1 = A^T (K x M), columns m0..
      assign rows = k; assign cols = mc; assign stride = m; assign addr = p1_base + m0;
    end else if (SEL == 0) begin : g_a  // os: P1 = A, is: P2 = A (M x K), rows m0..
      assign rows = mc; assign cols = k; assign stride = k; assign addr = (IS ? p2_base : p1_base) + m0 * k;
    end else if (SEL == 1 && IS) begin : g_w_is  // P1 = W (K x N), columns n0..
      assign rows = k; assign cols = nc; assign stride = n; assign addr = p1_base + n0;
    end else if (SEL == 1) begin : g_w  // P2 = W^T (N x K), rows n0..
      assign rows = nc; assign cols = k; assign stride = k; assign addr = p2_base + n0 * k;
    end else if (IS) begin : g_o_is  // O = C (M x N)
      assign rows = mc; assign cols = nc; assign stride = n; assign addr = o_base + m0 * n + n0;
    end else begin : g_o  // O = C^T (N x M)
      assign rows = nc; assign cols = mc; assign stride = m; assign addr = o_base + n0 * m + m0;
    end
  endgenerate
  wire one = (cols == stride) || (rows == 32'd1);
  assign bursts = one ? 32'd1 : rows;
  assign len = one ? rows * cols : cols;
endmodule
`default_nettype wire
