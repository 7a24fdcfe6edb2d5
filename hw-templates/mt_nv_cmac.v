`default_nettype none
// MAC cells of the NVDLA-style core (after NVDLA's CMAC): one feature atom of ATOMC elements is
// broadcast to ATOMK cells; each cell multiplies it with its own kernel's ATOMC weights and sums the
// products through a pipelined adder tree (one register stage per level). Each cell has shadow and
// active weight registers: the weight loader writes shadows (WK kernels per cycle), and the first
// operation of a package switches them in. Loop style, as the systolic arrays.
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
  reg signed [DW-1:0]    shadow [ATOMK][ATOMC];
  reg signed [DW-1:0]    active [ATOMK][ATOMC];
  reg signed [DOT_W-1:0] tree   [LEV+1][ATOMK][ATOMC];
  reg signed [DW-1:0]    av [ATOMC];
  int width, half;

  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin : cells
    // Adder-tree levels, deepest first, so that each level reads the previous level's old values.
    for (int l = LEV; l >= 1; l = l - 1) begin
      width = ATOMC;
      for (int m = 1; m < l; m = m + 1) width = (width + 1) / 2;
      half = (width + 1) / 2;
      for (int k = 0; k < ATOMK; k = k + 1)
        for (int i = 0; i < half; i = i + 1)
          tree[l][k][i] = tree[l-1][k][2*i] + ((2*i + 1 < width) ? tree[l-1][k][2*i+1] : '0);
    end
    // Products with the weights in force for this atom (the first atom of a package switches them in).
    if (a_switch)
      for (int k = 0; k < ATOMK; k = k + 1)
        for (int c = 0; c < ATOMC; c = c + 1) active[k][c] = shadow[k][c];
    for (int c = 0; c < ATOMC; c = c + 1) av[c] = atom[c*DW +: DW];
    for (int k = 0; k < ATOMK; k = k + 1)
      for (int c = 0; c < ATOMC; c = c + 1) tree[0][k][c] = DOT_W'(av[c] * active[k][c]);
    // Weight loader: WK kernels into the shadow registers.
    if (wl_valid) begin
      for (int v = 0; v < WK; v = v + 1)
        if (32'(wl_kbase) + v < ATOMK)
          for (int c = 0; c < ATOMC; c = c + 1) shadow[32'(wl_kbase) + v][c] = wl_data[(v*ATOMC + c)*DW +: DW];
    end
    for (int k = 0; k < ATOMK; k = k + 1) dot[k*DOT_W +: DOT_W] <= tree[LEV][k][0];
  end
  /* verilator lint_on BLKSEQ */
endmodule
`default_nettype wire
