`default_nettype none
// MAC cells of the NVDLA-style core (after NVDLA's CMAC): one feature atom of ATOMC elements is
// broadcast to ATOMK cells; each cell multiplies it with its own kernel's ATOMC weights and sums the
// products through a pipelined adder tree (one register stage per level). Each cell has shadow and
// active weight registers: the weight loader writes shadows (WK kernels per cycle), and the first
// operation of a package switches them in.
// Written with generate loops of constant bounds and packed registers (no procedural loop whose bound
// depends on another loop, no blocking writes into arrays), so that yosys elaborates it directly.
module mt_nv_cmac #(
  parameter int ATOMC = 8,
  parameter int ATOMK = 8,
  parameter int DW = 8,
  parameter int WK = 1,
  parameter int KW = 7,
  parameter int LEV = (ATOMC > 1) ? $clog2(ATOMC) : 0,
  parameter int DOT_W = 2 * DW + LEV + 1
) (
  input  wire                      clk,
  input  wire [ATOMC*DW-1:0]       atom,
  input  wire                      a_switch,
  input  wire                      wl_valid,
  input  wire [KW-1:0]             wl_kbase,
  input  wire [WK*ATOMC*DW-1:0]    wl_data,
  output reg  [ATOMK*DOT_W-1:0]    dot        // LEV+1 cycles after the atom
);
  // Elements at adder-tree level l: ATOMC products at level 0, halved (rounding up) per level, one sum
  // at level LEV (the dot product itself).
  function automatic int level_width(input int l);
    level_width = ATOMC;
    for (int m = 0; m < LEV; m = m + 1)
      if (m < l) level_width = (level_width + 1) / 2;
  endfunction
  // Where level l starts in a cell's tree register, which holds levels 0..LEV-1 one after another.
  function automatic int level_base(input int l);
    int w;
    w = ATOMC;
    level_base = 0;
    for (int m = 0; m < LEV; m = m + 1)
      if (m < l) begin
        level_base = level_base + w;
        w = (w + 1) / 2;
      end
  endfunction
  localparam int TREE = (LEV > 0) ? level_base(LEV) : 1;  // elements in a cell's register levels

  genvar gk, gc, gl, gi;
  for (gk = 0; gk < ATOMK; gk = gk + 1) begin : g_cell
    reg  [ATOMC*DW-1:0] shadow, active;
    // The weights in force for this atom: the first atom of a package switches the shadows in.
    wire [ATOMC*DW-1:0] weights = a_switch ? shadow : active;
    always @(posedge clk) begin
      if (a_switch) active <= shadow;
      // Weight loader: WK kernels per cycle into the shadow registers, from cell wl_kbase on.
      for (int v = 0; v < WK; v = v + 1)
        if (wl_valid && 32'(wl_kbase) + 32'(v) == 32'(gk)) shadow <= wl_data[v*ATOMC*DW +: ATOMC*DW];
    end

    if (LEV == 0) begin : g_one
      // One channel: the product is the dot product.
      always @(posedge clk) dot[gk*DOT_W +: DOT_W] <= DOT_W'($signed(atom[0 +: DW]) * $signed(weights[0 +: DW]));
    end else begin : g_tree
      reg [TREE*DOT_W-1:0] tree;
      // Level 0: the products.
      for (gc = 0; gc < ATOMC; gc = gc + 1) begin : g_prod
        always @(posedge clk)
          tree[gc*DOT_W +: DOT_W] <= DOT_W'($signed(atom[gc*DW +: DW]) * $signed(weights[gc*DW +: DW]));
      end
      // Levels 1..LEV-1: sums of pairs of the level below (an odd last element passes alone).
      for (gl = 1; gl < LEV; gl = gl + 1) begin : g_level
        for (gi = 0; gi < level_width(gl); gi = gi + 1) begin : g_add
          if (2 * gi + 1 < level_width(gl - 1)) begin : g_pair
            always @(posedge clk)
              tree[(level_base(gl) + gi)*DOT_W +: DOT_W] <=
                tree[(level_base(gl - 1) + 2*gi)*DOT_W +: DOT_W] + tree[(level_base(gl - 1) + 2*gi + 1)*DOT_W +: DOT_W];
          end else begin : g_pass
            always @(posedge clk)
              tree[(level_base(gl) + gi)*DOT_W +: DOT_W] <= tree[(level_base(gl - 1) + 2*gi)*DOT_W +: DOT_W];
          end
        end
      end
      // Level LEV: the last two elements (level LEV-1 always has two).
      always @(posedge clk)
        dot[gk*DOT_W +: DOT_W] <= tree[level_base(LEV - 1)*DOT_W +: DOT_W] + tree[(level_base(LEV - 1) + 1)*DOT_W +: DOT_W];
    end
  end
endmodule
`default_nettype wire
