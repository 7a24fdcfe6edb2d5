`default_nettype none
// MAC cells of the NVDLA-style core (after NVDLA's CMAC): one feature atom of ATOMC elements is
// broadcast to ATOMK cells; each cell multiplies it with its own kernel's ATOMC weights and sums the
// products through a pipelined adder tree (one register stage per level). Each cell has shadow and
// active weight registers: the weight loader writes shadows (WK kernels per cycle), and the first
// operation of a package switches them in. Every loop has constant bounds and writes packed registers
// (no loop bound that depends on another loop, no blocking writes into arrays), which yosys needs.
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
  localparam int P = 1 << LEV;           // leaves of a cell's adder tree: ATOMC rounded up to a power of two
  localparam int NODES = 2 * P - 2;      // registers of a cell's tree: heap nodes 2..2P-1

  // Weights of all cells, ATOMC per cell: shadows (being loaded) and actives (in use). The first atom of a
  // package multiplies with the shadows it switches in.
  reg  [ATOMK*ATOMC*DW-1:0] shadow, active;
  wire [ATOMK*ATOMC*DW-1:0] weights = a_switch ? shadow : active;
  always @(posedge clk) begin : load
    if (a_switch) active <= shadow;
    // Weight loader: WK kernels per cycle into the shadow registers, from cell wl_kbase on.
    for (int k = 0; k < ATOMK; k = k + 1)
      for (int v = 0; v < WK; v = v + 1)
        if (wl_valid && 32'(wl_kbase) + 32'(v) == 32'(k))
          shadow[k*ATOMC*DW +: ATOMC*DW] <= wl_data[v*ATOMC*DW +: ATOMC*DW];
  end

  if (LEV == 0) begin : g_one
    // One channel: the product is the dot product.
    always @(posedge clk) begin : cells
      for (int k = 0; k < ATOMK; k = k + 1)
        dot[k*DOT_W +: DOT_W] <= DOT_W'($signed(atom[0 +: DW]) * $signed(weights[k*DW +: DW]));
    end
  end else begin : g_tree
    // Each cell's adder tree is a heap of registers, node n at tree[(k*NODES + n - 2)*DOT_W +: DOT_W]: the
    // leaves P..P+ATOMC-1 hold the products (the leaves beyond stay zero), node n < P sums nodes 2n and
    // 2n+1 of the level below, and the root (node 1, the sum of nodes 2 and 3) is the dot product. One
    // register stage per level, loops of constant bounds in one process, as the systolic arrays.
    reg [ATOMK*NODES*DOT_W-1:0] tree;
    always @(posedge clk) begin : cells
      for (int k = 0; k < ATOMK; k = k + 1) begin
        for (int c = 0; c < ATOMC; c = c + 1)
          tree[(k*NODES + P + c - 2)*DOT_W +: DOT_W] <= DOT_W'($signed(atom[c*DW +: DW]) * $signed(weights[(k*ATOMC + c)*DW +: DW]));
        for (int c = ATOMC; c < P; c = c + 1)
          tree[(k*NODES + P + c - 2)*DOT_W +: DOT_W] <= '0;
        for (int n = 2; n < P; n = n + 1)
          tree[(k*NODES + n - 2)*DOT_W +: DOT_W] <= tree[(k*NODES + 2*n - 2)*DOT_W +: DOT_W] + tree[(k*NODES + 2*n - 1)*DOT_W +: DOT_W];
        dot[k*DOT_W +: DOT_W] <= tree[(k*NODES)*DOT_W +: DOT_W] + tree[(k*NODES + 1)*DOT_W +: DOT_W];
      end
    end
  end
endmodule
`default_nettype wire
