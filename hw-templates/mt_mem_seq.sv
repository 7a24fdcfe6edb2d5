`default_nettype none
// Tile sequencer of the memory system (docs/MEMORY.md). Three walkers over the tiles of a GEMM:
//   loads:   the load list in order (each tile's IFMAP block if it needs a new one, then its FILTER block),
//            a block only once its half is free (block j - 2's last tile has computed);
//   compute: starts the array on the next tile once its blocks are resident and its OFMAP half drained;
//   drain:   hands each computed tile's OFMAP block to the write DMA.
// It counts busy, compute and stall cycles (by the first cause that holds), DRAM words and the array's
// counters summed over tiles; `busy` falls with the last write response.
module mt_mem_seq (
  input  wire        clk,
  input  wire        rst,
  input  wire        start,
  input  wire [31:0] cfg_mtiles,
  input  wire [31:0] cfg_ntiles,
  input  wire        w_single,     // 1: one FILTER slot (half 0), each block waits for the previous one's tiles
  output reg         busy,
  // walkers' tile state (sizes and offsets come back from mt_tile_walk instances)
  output wire        l_init,
  output wire        l_step,
  input  wire [31:0] l_idx,
  input  wire [31:0] l_mi,
  output reg         l_phase,      // 0: IFMAP block, 1: FILTER block
  output wire        c_step,
  input  wire [31:0] c_idx,
  input  wire [31:0] c_ni,
  output wire        d_step,
  input  wire [31:0] d_idx,
  // read DMA
  output wire        ld_valid,
  input  wire        ld_ready,
  input  wire        ld_done,
  output reg         ld_buf,       // the block in flight: 0 IFMAP, 1 FILTER
  output reg         ld_half,
  // array
  input  wire        core_busy,
  output wire        core_start,
  output wire        c_a_half,     // halves of the tile being started
  output wire        c_w_half,
  // write DMA
  output wire        dr_valid,
  input  wire        dr_ready,
  input  wire        dr_done,
  input  wire [31:0] b_pending,
  input  wire        bvalid,
  // counters
  input  wire        r_beat,
  input  wire [31:0] r_count,
  input  wire        w_beat,
  input  wire [31:0] w_count,
  input  wire [63:0] core_macs,
  input  wire [63:0] core_outputs,
  input  wire [31:0] core_folds,
  output reg  [63:0] cnt_cycles,
  output reg  [63:0] cnt_compute,
  output reg  [63:0] cnt_stall_ifmap,
  output reg  [63:0] cnt_stall_filter,
  output reg  [63:0] cnt_stall_ofmap,
  output reg  [63:0] cnt_dram_rd_ifmap,
  output reg  [63:0] cnt_dram_rd_filter,
  output reg  [63:0] cnt_dram_wr,
  output reg  [63:0] cnt_macs,
  output reg  [63:0] cnt_outputs,
  output reg  [31:0] cnt_folds
);
  reg [31:0] tiles, tiles_done, drains_done;
  reg [31:0] j_a, j_w, gate_w, done_a, done_w;
  reg        l_end, core_busy_q;
  wire       go = start && !busy;
  wire       multi_m = cfg_mtiles != 32'd1;
  // A tile that finished computing this cycle already frees its halves and may be drained.
  wire       fin = core_busy_q && !core_busy;
  wire [31:0] done_eff = tiles_done + (fin ? 32'd1 : 32'd0);

  // Loads.
  wire gate_w_ok = w_single ? (j_w == 32'd0 || done_eff >= gate_w + cfg_mtiles) : (j_w < 32'd2 || done_eff >= gate_w);
  wire gate_ok = l_phase ? gate_w_ok : (j_a < 32'd2 || done_eff >= j_a - 32'd1);
  assign ld_valid = busy && !l_end && gate_ok;
  wire ld_take = ld_valid && ld_ready;
  wire ld_half_next = l_phase ? j_w[0] && !w_single : j_a[0];  // the half the offered block goes to
  // Next position: IFMAP -> FILTER of the same tile when it starts an N-tile, else the next tile's IFMAP;
  // FILTER -> the next tile (its IFMAP when there are several M-tiles, else its FILTER).
  wire l_adv = ld_take && (l_phase || l_mi != 32'd0);
  assign l_init = go;
  assign l_step = l_adv;

  // Compute.
  wire [31:0] need_a = multi_m ? c_idx : 32'd0;
  wire ready_a = done_a > need_a;
  wire ready_w = done_w > c_ni;
  wire o_free = c_idx < 32'd2 || drains_done >= c_idx - 32'd1;
  wire more = c_idx < tiles;
  assign core_start = busy && more && !core_busy && ready_a && ready_w && o_free;
  assign c_step = core_start;
  assign c_a_half = need_a[0];
  assign c_w_half = c_ni[0] && !w_single;

  // Drain.
  assign dr_valid = busy && d_idx < done_eff;
  assign d_step = dr_valid && dr_ready;

  wire finish = busy && drains_done == tiles && b_pending == 32'd1 && bvalid;
  wire computing = core_busy || core_start;

  always @(posedge clk) begin
    core_busy_q <= core_busy;
    if (rst) begin
      busy <= 1'b0;
    end else if (go) begin
      busy <= 1'b1;
      tiles <= cfg_mtiles * cfg_ntiles;
      tiles_done <= '0;
      drains_done <= '0;
      j_a <= '0;
      j_w <= '0;
      gate_w <= '0;
      done_a <= '0;
      done_w <= '0;
      l_phase <= 1'b0;
      l_end <= 1'b0;
      cnt_cycles <= '0;
      cnt_compute <= '0;
      cnt_stall_ifmap <= '0;
      cnt_stall_filter <= '0;
      cnt_stall_ofmap <= '0;
      cnt_dram_rd_ifmap <= '0;
      cnt_dram_rd_filter <= '0;
      cnt_dram_wr <= '0;
      cnt_macs <= '0;
      cnt_outputs <= '0;
      cnt_folds <= '0;
    end else if (busy) begin
      cnt_cycles <= cnt_cycles + 64'd1;
      if (computing) cnt_compute <= cnt_compute + 64'd1;
      else if (more && !ready_a) cnt_stall_ifmap <= cnt_stall_ifmap + 64'd1;
      else if (more && !ready_w) cnt_stall_filter <= cnt_stall_filter + 64'd1;
      else cnt_stall_ofmap <= cnt_stall_ofmap + 64'd1;
      if (ld_take) begin
        ld_buf <= l_phase;
        ld_half <= ld_half_next;
        if (l_phase) begin
          j_w <= j_w + 32'd1;
          if (j_w != 32'd0) gate_w <= gate_w + cfg_mtiles;
          l_phase <= !multi_m;
          if (l_idx + 32'd1 == tiles) l_end <= 1'b1;
        end else begin
          j_a <= j_a + 32'd1;
          if (l_mi == 32'd0) l_phase <= 1'b1;
          else if (l_idx + 32'd1 == tiles) l_end <= 1'b1;
        end
      end
      if (ld_done) begin
        if (ld_buf) done_w <= done_w + 32'd1;
        else done_a <= done_a + 32'd1;
      end
      if (r_beat) begin
        if (ld_buf) cnt_dram_rd_filter <= cnt_dram_rd_filter + 64'(r_count);
        else cnt_dram_rd_ifmap <= cnt_dram_rd_ifmap + 64'(r_count);
      end
      if (w_beat) cnt_dram_wr <= cnt_dram_wr + 64'(w_count);
      if (fin) begin
        tiles_done <= tiles_done + 32'd1;
        cnt_macs <= cnt_macs + core_macs;
        cnt_outputs <= cnt_outputs + core_outputs;
        cnt_folds <= cnt_folds + core_folds;
      end
      if (dr_done) drains_done <= drains_done + 32'd1;
      if (finish) busy <= 1'b0;
    end
  end
endmodule
`default_nettype wire
