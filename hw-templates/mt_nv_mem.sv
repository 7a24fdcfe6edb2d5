`default_nettype none
// Memory system of the NVDLA-style core (docs/MEMORY.md, "NVDLA-style core"). A CDMA-like read engine
// (mt_dma_rd) fills the convolution buffer's feature region with the convolution's feature image, then its
// weight region chunk by chunk (chunks of cfg_kc kernels; two slots, double-buffered, unless cfg_wsingle);
// the compute-only core (mt_nv_top, unchanged) runs once per chunk reading the regions through its own
// ports; its results go to an output buffer of two halves that a write engine (mt_dma_wr) drains to DRAM
// while the next chunk computes. The chunk sequencing, stall attribution and counters are mt_mem_seq's with
// one M-tile: IFMAP = features, FILTER = weight chunks, OFMAP = output halves.
module mt_nv_mem #(
  parameter int ATOMC = 8,
  parameter int ATOMK = 8,
  parameter int DW = 8,
  parameter int WK = 1,
  parameter int BEAT = 4,
  parameter int FH = 64,     // half of the feature region, words (the region is used whole)
  parameter int WH = 64,     // half of the weight region, words
  parameter int OH = 64      // half of the output buffer, words
) (
  input  wire                  clk,
  input  wire                  rst,
  input  wire                  start,
  input  wire [31:0]           cfg_h, cfg_w, cfg_c, cfg_k, cfg_r, cfg_s,
  input  wire [31:0]           cfg_sh, cfg_sw, cfg_dh, cfg_dw, cfg_pt, cfg_pl, cfg_oh, cfg_ow,
  input  wire                  cfg_relu,
  input  wire [DW-1:0]         cfg_zp,
  input  wire [DW-1:0]         cfg_pad,
  input  wire [5:0]            cfg_trunc,
  input  wire [31:0]           cfg_kc,        // kernels per chunk
  input  wire [31:0]           cfg_chunks,
  input  wire                  cfg_wsingle,   // one weight slot: the whole region per chunk
  input  wire [31:0]           cfg_taps,      // taps of one kernel: channel blocks x R x S
  input  wire [31:0]           cfg_f_base,
  input  wire [31:0]           cfg_w_base,
  input  wire [31:0]           cfg_o_base,
  output wire                  busy,
  // AXI4-like DRAM port
  output wire                  arvalid,
  input  wire                  arready,
  output wire [31:0]           araddr,
  output wire [31:0]           arlen,
  input  wire                  rvalid,
  output wire                  rready,
  input  wire [BEAT*DW-1:0]    rdata,
  input  wire [31:0]           rcount,
  output wire                  awvalid,
  input  wire                  awready,
  output wire [31:0]           awaddr,
  output wire [31:0]           awlen,
  output wire                  wvalid,
  input  wire                  wready,
  output wire [BEAT*DW-1:0]    wdata,
  output wire [31:0]           wcount,
  input  wire                  bvalid,
  output wire                  bready,
  // SDP parameters (rows of the whole convolution)
  output wire                  q_rd_en,
  output wire [31:0]           q_rd_row,
  input  wire [ATOMK*32-1:0]   q_bias,
  input  wire [ATOMK*32-1:0]   q_mult,
  input  wire [ATOMK*6-1:0]    q_shift,
  // counters
  output wire [63:0]           cnt_cycles,
  output wire [63:0]           cnt_compute,
  output wire [63:0]           cnt_stall_feature,
  output wire [63:0]           cnt_stall_weight,
  output wire [63:0]           cnt_stall_output,
  output wire [63:0]           cnt_dram_rd_feature,
  output wire [63:0]           cnt_dram_rd_weight,
  output wire [63:0]           cnt_dram_wr,
  output wire [63:0]           cnt_sram_rd_feature,
  output wire [63:0]           cnt_sram_rd_weight,
  output wire [63:0]           cnt_sram_wr_output,
  output wire [63:0]           cnt_macs,
  output wire [63:0]           cnt_outputs,
  output wire [63:0]           cnt_slots
);
  localparam [31:0] AC = 32'(ATOMC);
  localparam [31:0] AK = 32'(ATOMK);
  localparam [31:0] EW = 32'(WK * ATOMC);  // words per weight entry
  localparam [31:0] U = (AK + 32'(WK) - 1) / 32'(WK);  // entries per tap of a whole kernel group
  wire        go = start && !busy;
  wire [31:0] points = cfg_oh * cfg_ow;
  wire [31:0] f_entries = (cfg_c + AC - 1) / AC * cfg_h * cfg_w;
  // Weight entries of a chunk of `kernels` kernels: U per tap and kernel group, or only the entries its
  // kernels fill when it is one partial group (the sequencer's stride, ceil(min(k, ATOMK) / WK)).
  function automatic [31:0] w_entries(input [31:0] kernels);
    w_entries = cfg_taps * ((kernels >= AK) ? (kernels + AK - 1) / AK * U : (kernels + 32'(WK) - 1) / 32'(WK));
  endfunction

  // Chunk walkers (mt_tile_walk over N = kernels, one M-tile): loads, compute, drain.
  /* verilator lint_off UNUSEDSIGNAL */
  wire        l_init, l_step, c_step, d_step, l_phase;
  wire [31:0] l_idx, l_mi, l_ni, l_n0, l_nc, l_m0, l_mc;
  wire [31:0] c_idx, c_mi, c_ni, c_n0, c_nc, c_m0, c_mc;
  wire [31:0] d_idx, d_mi, d_ni, d_n0, d_nc, d_m0, d_mc;
  /* verilator lint_on UNUSEDSIGNAL */
  mt_tile_walk u_lw (.clk(clk), .init(l_init), .step(l_step), .m(32'd1), .n(cfg_k), .mt(32'd1), .nt(cfg_kc),
    .mtiles(32'd1), .idx(l_idx), .mi(l_mi), .ni(l_ni), .m0(l_m0), .n0(l_n0), .mc(l_mc), .nc(l_nc));
  mt_tile_walk u_cw (.clk(clk), .init(l_init), .step(c_step), .m(32'd1), .n(cfg_k), .mt(32'd1), .nt(cfg_kc),
    .mtiles(32'd1), .idx(c_idx), .mi(c_mi), .ni(c_ni), .m0(c_m0), .n0(c_n0), .mc(c_mc), .nc(c_nc));
  mt_tile_walk u_dw (.clk(clk), .init(l_init), .step(d_step), .m(32'd1), .n(cfg_k), .mt(32'd1), .nt(cfg_kc),
    .mtiles(32'd1), .idx(d_idx), .mi(d_mi), .ni(d_ni), .m0(d_m0), .n0(d_n0), .mc(d_mc), .nc(d_nc));

  // Read engine: the feature image, then the weight chunks (each one burst).
  wire        ld_valid, ld_ready, ld_done, ld_buf, ld_half;
  wire [31:0] ld_addr = l_phase ? cfg_w_base + l_ni * w_entries(cfg_kc) * EW : cfg_f_base;
  wire [31:0] ld_len = l_phase ? w_entries(l_nc) * EW : AC * f_entries;
  wire        fill_en;
  wire [31:0] fill_off, fill_cnt;
  wire [BEAT*DW-1:0] fill_data;
  mt_dma_rd #(.DW(DW), .BEAT(BEAT)) u_rd (.clk(clk), .rst(rst), .ld_valid(ld_valid), .ld_ready(ld_ready),
    .ld_addr(ld_addr), .ld_bursts(32'd1), .ld_len(ld_len), .ld_stride(ld_len), .ld_done(ld_done),
    .arvalid(arvalid), .arready(arready), .araddr(araddr), .arlen(arlen), .rvalid(rvalid), .rready(rready),
    .rdata(rdata), .rcount(rcount), .fill_en(fill_en), .fill_off(fill_off), .fill_cnt(fill_cnt),
    .fill_data(fill_data));

  // The chunk the core runs: latched at its start (the walker moves on).
  wire        core_busy, core_start, c_w_half;
  /* verilator lint_off UNUSEDSIGNAL */
  wire        c_a_half;  // one feature image: always half 0
  /* verilator lint_on UNUSEDSIGNAL */
  reg  [31:0] run_nc, run_n0;
  reg         run_whalf, run_ohalf, dr_half;
  always @(posedge clk) begin
    if (core_start) begin
      run_nc <= c_nc;
      run_n0 <= c_n0;
      run_whalf <= c_w_half;
      run_ohalf <= c_idx[0];
    end
    if (d_step) dr_half <= d_idx[0];
  end
  wire [31:0] core_k = core_start ? c_nc : run_nc;

  // Convolution buffer: feature and weight regions, read by the core with its own port protocol.
  wire        f_rd_en, w_rd_en;
  wire [31:0] f_rd_col, w_rd_col;
  wire [ATOMC*DW-1:0]    f_rd_data;
  wire [WK*ATOMC*DW-1:0] w_rd_data;
  mt_spad #(.LANES(ATOMC), .DW(DW), .H(FH), .BEAT(BEAT)) u_fbuf (.clk(clk), .clear(go),
    .wr_en(fill_en && !ld_buf), .wr_half(1'b0), .wr_off(fill_off), .wr_cnt(fill_cnt), .wr_data(fill_data),
    .rd_en(f_rd_en), .rd_half(1'b0), .rd_row(32'd0), .rd_col(f_rd_col), .blk_rows(AC), .blk_cols(f_entries),
    .rd_data(f_rd_data), .cnt_rd(cnt_sram_rd_feature));
  mt_spad #(.LANES(WK * ATOMC), .DW(DW), .H(WH), .BEAT(BEAT)) u_wbuf (.clk(clk), .clear(go),
    .wr_en(fill_en && ld_buf), .wr_half(ld_half), .wr_off(fill_off), .wr_cnt(fill_cnt), .wr_data(fill_data),
    .rd_en(w_rd_en), .rd_half(run_whalf), .rd_row(32'd0), .rd_col(w_rd_col), .blk_rows(EW),
    .blk_cols(w_entries(core_k)), .rd_data(w_rd_data), .cnt_rd(cnt_sram_rd_weight));

  // The compute-only core.
  wire              o_wr_en;
  wire [31:0]       o_wr_row, o_wr_col, core_q_row;
  wire [ATOMK-1:0]  o_wr_mask;
  wire [ATOMK*DW-1:0] o_wr_data;
  wire [63:0]       core_macs, core_outputs;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [63:0]       core_cycles_unused, core_slots;  // the sequencer counts cycles; slots fit 32 bits
  /* verilator lint_on UNUSEDSIGNAL */
  mt_nv_top u_core (.clk(clk), .rst(rst), .start(core_start), .cfg_h(cfg_h), .cfg_w(cfg_w), .cfg_c(cfg_c),
    .cfg_k(core_k), .cfg_r(cfg_r), .cfg_s(cfg_s), .cfg_sh(cfg_sh), .cfg_sw(cfg_sw), .cfg_dh(cfg_dh),
    .cfg_dw(cfg_dw), .cfg_pt(cfg_pt), .cfg_pl(cfg_pl), .cfg_oh(cfg_oh), .cfg_ow(cfg_ow), .cfg_relu(cfg_relu),
    .cfg_zp(cfg_zp), .cfg_pad(cfg_pad), .cfg_trunc(cfg_trunc), .busy(core_busy), .f_rd_en(f_rd_en),
    .f_rd_col(f_rd_col), .f_rd_data(f_rd_data), .w_rd_en(w_rd_en), .w_rd_col(w_rd_col), .w_rd_data(w_rd_data),
    .q_rd_en(q_rd_en), .q_rd_row(core_q_row), .q_bias(q_bias), .q_mult(q_mult), .q_shift(q_shift),
    .o_wr_en(o_wr_en), .o_wr_row(o_wr_row), .o_wr_col(o_wr_col), .o_wr_mask(o_wr_mask), .o_wr_data(o_wr_data),
    .cnt_cycles(core_cycles_unused), .cnt_macs(core_macs), .cnt_slots(core_slots), .cnt_outputs(core_outputs));
  assign q_rd_row = core_q_row + run_n0;

  // Output buffer (rows = the chunk's kernels, columns = output points) and the write engine.
  wire        dr_valid, dr_ready, dr_done;
  wire [31:0] b_pending, rd_off;
  wire [BEAT*DW-1:0] o_rd_data;
  mt_opad #(.C(ATOMK), .DW(DW), .H(OH), .BEAT(BEAT)) u_obuf (.clk(clk), .clear(go), .wr_en(o_wr_en),
    .wr_half(run_ohalf), .wr_row(o_wr_row), .wr_col(o_wr_col), .wr_mask(o_wr_mask), .wr_data(o_wr_data),
    .blk_cols(points), .rd_half(dr_half), .rd_off(rd_off), .rd_data(o_rd_data), .cnt_wr(cnt_sram_wr_output));
  wire [31:0] dr_len = d_nc * points;
  mt_dma_wr #(.DW(DW), .BEAT(BEAT)) u_wr (.clk(clk), .rst(rst), .dr_valid(dr_valid), .dr_ready(dr_ready),
    .dr_addr(cfg_o_base + d_n0 * points), .dr_bursts(32'd1), .dr_len(dr_len), .dr_stride(dr_len),
    .dr_done(dr_done), .rd_off(rd_off), .rd_data(o_rd_data), .awvalid(awvalid), .awready(awready),
    .awaddr(awaddr), .awlen(awlen), .wvalid(wvalid), .wready(wready), .wdata(wdata), .wcount(wcount),
    .bvalid(bvalid), .bready(bready), .b_pending(b_pending));

  // Chunk sequencer and counters.
  wire [31:0] folds;
  mt_mem_seq u_seq (.clk(clk), .rst(rst), .start(start), .cfg_mtiles(32'd1), .cfg_ntiles(cfg_chunks),
    .w_single(cfg_wsingle), .busy(busy), .l_init(l_init), .l_step(l_step), .l_idx(l_idx), .l_mi(l_mi),
    .l_phase(l_phase), .c_step(c_step), .c_idx(c_idx), .c_ni(c_ni), .d_step(d_step), .d_idx(d_idx),
    .ld_valid(ld_valid), .ld_ready(ld_ready), .ld_done(ld_done), .ld_buf(ld_buf), .ld_half(ld_half),
    .core_busy(core_busy), .core_start(core_start), .c_a_half(c_a_half), .c_w_half(c_w_half),
    .dr_valid(dr_valid), .dr_ready(dr_ready), .dr_done(dr_done), .b_pending(b_pending), .bvalid(bvalid),
    .r_beat(fill_en), .r_count(fill_cnt), .w_beat(wvalid && wready), .w_count(wcount),
    .core_macs(core_macs), .core_outputs(core_outputs), .core_folds(core_slots[31:0]),
    .cnt_cycles(cnt_cycles), .cnt_compute(cnt_compute), .cnt_stall_ifmap(cnt_stall_feature),
    .cnt_stall_filter(cnt_stall_weight), .cnt_stall_ofmap(cnt_stall_output),
    .cnt_dram_rd_ifmap(cnt_dram_rd_feature), .cnt_dram_rd_filter(cnt_dram_rd_weight), .cnt_dram_wr(cnt_dram_wr),
    .cnt_macs(cnt_macs), .cnt_outputs(cnt_outputs), .cnt_folds(folds));
  assign cnt_slots = {32'd0, folds};
endmodule
`default_nettype wire
