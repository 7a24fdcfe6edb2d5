`default_nettype none
// Sequencer of the NVDLA-style core (after NVDLA's CSC): the loop nest kernel group > stripe > channel
// block > R > S > stripe point, one operation per cycle. A package (one channel block and filter tap
// of one stripe) lasts max(stripe length, MIN_STRIPE, weight reload of the next package) cycles; the
// weight loader fills the cells' shadow registers with the next package's kernels meanwhile (WK
// kernels per cycle), and the very first package waits for its own load. Stripe lengths follow NVDLA's
// rules: v2 (RULE 2): atomK..2*atomK; v1 (RULE 1): 16 until the remainder fits 32. The weight buffer holds
// u entries per tap and kernel group, u = ceil(min(k, ATOMK) / WK): a convolution of fewer than ATOMK
// kernels (one partial group) is stored without the unused kernel slots.
module mt_nv_seq #(
  parameter int ATOMC = 8,
  parameter int ATOMK = 8,
  parameter int WK = 1,          // kernels loaded per cycle
  parameter int MIN_STRIPE = 8,
  parameter int RULE = 2,
  parameter int JW = 7,          // width of a stripe-point index
  parameter int KW = 7,          // width of a kernel count (0..ATOMK)
  parameter int DMA_WPC = 0,     // >0: the input is loaded at DMA_WPC words per cycle before anything starts
  parameter int SDP_LANES = 0    // >0 and < ATOMK: results leave at SDP_LANES per cycle, so the operations of
                                 // each stripe's last package are spaced ceil(kernels / SDP_LANES) cycles apart
) (
  input  wire         clk,
  input  wire         rst,
  input  wire         start,
  input  wire [31:0]  cfg_h, cfg_w, cfg_c, cfg_k, cfg_r, cfg_s,
  input  wire [31:0]  cfg_sh, cfg_sw, cfg_dh, cfg_dw, cfg_pt, cfg_pl, cfg_oh, cfg_ow,
  input  wire         end_seen,   // the output stage wrote the last result
  output reg          busy,
  // feature read for this cycle's operation
  output wire         op_valid,
  output wire         op_pad,     // the window position lies in the padding: no read, pad value
  output wire [31:0]  f_rd_col,
  output wire [31:0]  op_chans,   // channels of this channel block (lanes in use)
  output wire         op_switch,  // first operation of a package: shadow weights become active
  output wire         op_first,   // first package of the stripe: accumulators start from zero
  output wire         op_last,    // last package of the stripe: results leave after this operation
  output wire [JW-1:0] op_j,
  output wire [31:0]  op_q,       // output point index
  output wire [31:0]  op_kbase,   // first kernel of the group
  output wire [KW-1:0] op_kg,     // kernels in the group
  output wire         op_end,     // the very last operation
  // weight loader
  output wire         w_rd_en,
  output wire [31:0]  w_rd_col,   // weight-buffer entry (sequencer order)
  output wire [KW-1:0] w_kbase,   // cell receiving the entry's first kernel
  output wire [31:0]  w_chans,    // channels of the entry's channel block
  // counters
  output reg  [63:0]  cnt_macs,
  output reg  [63:0]  cnt_slots
);
  localparam [31:0] AK = 32'(ATOMK);
  localparam [31:0] AC = 32'(ATOMC);

  // Layer constants held while the layer runs (u_n: weight entries per tap of a kernel group).
  reg [31:0] points, cb_n, g_n, u_n;
  // Loop indices of the current package and position in_img it.
  reg        phase_pre, running, phase_dma;
  reg [31:0] dma_left;
  reg [31:0] g, cb, r, s, pc, st_len, st_cnt, q0;
  reg [31:0] sb_oh, sb_ow, cur_oh, cur_ow;
  // Weight loader: package it loads for, and progress.
  reg        wl_on;
  reg [31:0] wl_u, wl_n, wl_entry, wl_chans;

  function automatic [31:0] kernels_of(input [31:0] grp, input [31:0] kt);
    kernels_of = (kt - grp * AK >= AK) ? AK : kt - grp * AK;
  endfunction
  function automatic [31:0] stripe_len(input [31:0] cnt, input [31:0] p);
    if (RULE == 2) stripe_len = (cnt + 32'd4 * AK <= p) ? 32'd2 * AK : (cnt + 32'd2 * AK >= p) ? p - cnt : AK;
    else stripe_len = (cnt + 32'd32 >= p) ? p - cnt : 32'd16;
  endfunction
  function automatic [31:0] max3(input [31:0] a, input [31:0] b, input [31:0] c);
    max3 = (a >= b && a >= c) ? a : (b >= c) ? b : c;
  endfunction
  function automatic [31:0] entry_of(input [31:0] grp, input [31:0] blk, input [31:0] rr, input [31:0] ss);
    entry_of = (((grp * cb_n + blk) * cfg_r + rr) * cfg_s + ss) * u_n;
  endfunction
  function automatic [31:0] chans_of(input [31:0] blk);
    chans_of = (cfg_c - blk * AC >= AC) ? AC : cfg_c - blk * AC;
  endfunction

  // Successor of the current package in loop order.
  wire        s_wrap = (s + 32'd1 == cfg_s);
  wire        r_wrap = s_wrap && (r + 32'd1 == cfg_r);
  wire        cb_wrap = r_wrap && (cb + 32'd1 == cb_n);
  wire        st_wrap = cb_wrap && (st_cnt + st_len == points);
  wire        last_pkg = st_wrap && (g + 32'd1 == g_n);
  wire [31:0] n_s = s_wrap ? 32'd0 : s + 32'd1;
  wire [31:0] n_r = s_wrap ? (r_wrap ? 32'd0 : r + 32'd1) : r;
  wire [31:0] n_cb = r_wrap ? (cb_wrap ? 32'd0 : cb + 32'd1) : cb;
  wire [31:0] n_g = st_wrap ? g + 32'd1 : g;
  wire [31:0] n_kernels = kernels_of(n_g, cfg_k);
  wire [31:0] n_wt = (n_kernels + 32'(WK) - 1) / 32'(WK);
  wire [31:0] n_st_cnt = cb_wrap ? (st_wrap ? 32'd0 : st_cnt + st_len) : st_cnt;
  wire [31:0] n_st_len = stripe_len(n_st_cnt, points);
  // Length of the current package: its stripe, the minimum, and the reload of the next package.
  // Spacing of operations: 1, or the SDP's cycles per point in the package that produces results.
  wire        out_pkg = cb + 32'd1 == cb_n && r + 32'd1 == cfg_r && s + 32'd1 == cfg_s;
  wire [31:0] spacing = (SDP_LANES > 0 && out_pkg) ? (kernels_of(g, cfg_k) + 32'(SDP_LANES) - 1) / 32'(SDP_LANES) : 32'd1;
  wire [31:0] span = st_len * spacing;
  wire [31:0] cur_len = last_pkg ? span - spacing + 32'd1 : max3(span, 32'(MIN_STRIPE), n_wt);
  reg  [31:0] sub, jj;

  // Window position of this cycle's operation.
  wire signed [31:0] ih = $signed(cur_oh * cfg_sh) - $signed(cfg_pt) + $signed(r * cfg_dh);
  wire signed [31:0] iw = $signed(cur_ow * cfg_sw) - $signed(cfg_pl) + $signed(s * cfg_dw);
  wire in_img = ih >= 0 && ih < $signed(cfg_h) && iw >= 0 && iw < $signed(cfg_w);

  assign op_valid = running && sub == 32'd0 && jj < st_len;
  assign op_pad = !in_img;
  assign f_rd_col = (cb * cfg_h + 32'(ih)) * cfg_w + 32'(iw);
  assign op_chans = chans_of(cb);
  assign op_switch = op_valid && pc == 32'd0;
  assign op_first = cb == 32'd0 && r == 32'd0 && s == 32'd0;
  assign op_last = out_pkg;
  assign op_j = JW'(jj);
  assign op_q = q0 + jj;
  assign op_kbase = g * AK;
  assign op_kg = KW'(kernels_of(g, cfg_k));
  assign op_end = last_pkg && op_valid && jj + 32'd1 == st_len;
  // The next package's load starts in the first cycle of each package (entry 0 straight from the
  // successor indices), then continues from the loader's registers.
  wire        wl_launch = running && pc == 32'd0 && !last_pkg;
  assign w_rd_en = wl_on || wl_launch;
  assign w_rd_col = wl_launch ? entry_of(n_g, n_cb, n_r, n_s) : wl_entry + wl_u;
  assign w_kbase = wl_launch ? '0 : KW'(wl_u * 32'(WK));
  assign w_chans = wl_launch ? chans_of(n_cb) : wl_chans;

  always @(posedge clk) begin
    if (rst) begin
      busy <= 1'b0;
      phase_pre <= 1'b0;
      phase_dma <= 1'b0;
      running <= 1'b0;
      wl_on <= 1'b0;
      cnt_macs <= '0;
      cnt_slots <= '0;
    end else if (start && !busy) begin
      busy <= 1'b1;
      points <= cfg_oh * cfg_ow;
      cb_n <= (cfg_c + AC - 1) / AC;
      g_n <= (cfg_k + AK - 1) / AK;
      u_n <= ((cfg_k >= AK ? AK : cfg_k) + 32'(WK) - 1) / 32'(WK);
      g <= '0; cb <= '0; r <= '0; s <= '0; pc <= '0; sub <= '0; jj <= '0;
      st_cnt <= '0; q0 <= '0;
      st_len <= stripe_len(32'd0, cfg_oh * cfg_ow);
      sb_oh <= '0; sb_ow <= '0; cur_oh <= '0; cur_ow <= '0;
      cnt_macs <= '0;
      cnt_slots <= '0;
      // Load the input by DMA (optional), then preload the first package's kernels.
      if (DMA_WPC > 0) begin
        phase_dma <= 1'b1;
        dma_left <= cfg_h * cfg_w * cfg_c;
      end else begin
        phase_pre <= 1'b1;
        wl_on <= 1'b1;
      end
      wl_u <= '0;
      wl_n <= (kernels_of(32'd0, cfg_k) + 32'(WK) - 1) / 32'(WK);
      wl_entry <= '0;
      wl_chans <= (cfg_c >= AC) ? AC : cfg_c;
    end else begin
      if (phase_dma) begin
        if (dma_left <= 32'(DMA_WPC)) begin
          phase_dma <= 1'b0;
          phase_pre <= 1'b1;
          wl_on <= 1'b1;
        end else dma_left <= dma_left - 32'(DMA_WPC);
      end
      if (wl_on) begin
        if (wl_u + 32'd1 == wl_n) wl_on <= 1'b0;
        else wl_u <= wl_u + 32'd1;
      end
      if (phase_pre && wl_u + 32'd1 == wl_n) begin
        phase_pre <= 1'b0;
        running <= 1'b1;
      end
      if (running) begin
        cnt_slots <= cnt_slots + 64'd1;
        if (op_valid) begin
          cnt_macs <= cnt_macs + 64'(op_chans) * 64'(kernels_of(g, cfg_k));
          // Next stripe point.
          if (cur_ow + 32'd1 == cfg_ow) begin
            cur_ow <= '0;
            cur_oh <= cur_oh + 32'd1;
          end else cur_ow <= cur_ow + 32'd1;
        end
        // Loading of the next package's kernels: entry 0 goes out now, the rest follow.
        if (wl_launch) begin
          wl_on <= n_wt > 32'd1;
          wl_u <= 32'd1;
          wl_n <= n_wt;
          wl_entry <= entry_of(n_g, n_cb, n_r, n_s);
          wl_chans <= chans_of(n_cb);
        end
        // Operation spacing within the package.
        if (sub + 32'd1 == spacing) begin
          sub <= '0;
          jj <= jj + 32'd1;
        end else sub <= sub + 32'd1;
        if (last_pkg && pc + 32'd1 == cur_len) running <= 1'b0;
        else if (pc + 32'd1 == cur_len) begin
          // Next package.
          pc <= '0;
          sub <= '0;
          jj <= '0;
          s <= n_s; r <= n_r; cb <= n_cb; g <= n_g;
          if (cb_wrap) begin
            // Next stripe: it starts where this one's points ended (or at 0 for a new group).
            st_cnt <= n_st_cnt;
            st_len <= n_st_len;
            q0 <= n_st_cnt;
            if (st_wrap) begin
              sb_oh <= '0; sb_ow <= '0; cur_oh <= '0; cur_ow <= '0;
            end else begin
              sb_oh <= op_valid ? ((cur_ow + 32'd1 == cfg_ow) ? cur_oh + 32'd1 : cur_oh) : cur_oh;
              sb_ow <= op_valid ? ((cur_ow + 32'd1 == cfg_ow) ? 32'd0 : cur_ow + 32'd1) : cur_ow;
              cur_oh <= op_valid ? ((cur_ow + 32'd1 == cfg_ow) ? cur_oh + 32'd1 : cur_oh) : cur_oh;
              cur_ow <= op_valid ? ((cur_ow + 32'd1 == cfg_ow) ? 32'd0 : cur_ow + 32'd1) : cur_ow;
            end
          end else begin
            cur_oh <= sb_oh;
            cur_ow <= sb_ow;
          end
        end else pc <= pc + 32'd1;
      end
      if (end_seen) busy <= 1'b0;
    end
  end
endmodule
`default_nettype wire
