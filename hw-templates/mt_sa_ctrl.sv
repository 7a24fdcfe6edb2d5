`default_nettype none
// Fold controller of the systolic array. It walks the folds of one GEMM (column fold outermost, as
// SCALE-Sim does), one fold per window of I cycles, and drives three sequencers:
//   preload (ws/is): R cycles, row i of the stationary block -> the columns' preload buses;
//   stream:          T cycles, element t of the streamed operand (os: A and B; ws/is: the stream);
//   read-out (os):   R cycles after each fold's stream, row i of the accumulators.
// Window length I: `scalesim` timing = SCALE-Sim's fold length (os T+R+C-2, ws/is 2R+C+T-2);
// `pipelined` = max(T, R), the next fold's preload / the previous fold's read-out overlapping.
// Each result row gets a metadata word (mt_sa_pkg::fold_md_t: valid, first/last K fold, end of GEMM,
// lanes in use, output row/column) that travels down a delay line to the output stage.
// The package's names are written out (mt_sa_pkg::...): yosys 0.23 reads packages but no `import`.
module mt_sa_ctrl #(
  parameter int R = 4,
  parameter int C = 4,
  parameter mt_sa_pkg::dataflow_e DF = mt_sa_pkg::DF_OS,
  parameter mt_sa_pkg::timing_e TIMING = mt_sa_pkg::TIMING_SCALESIM,
  parameter int RW = (R > 1) ? $clog2(R) : 1,
  parameter int UW = $clog2(C + 1)   // the width of fold_md_t's `used` field
) (
  input  wire            clk,
  input  wire            rst,
  input  wire            start,
  input  wire [31:0]     cfg_m,
  input  wire [31:0]     cfg_k,
  input  wire [31:0]     cfg_n,
  input  wire            end_seen,   // the output stage wrote the GEMM's last result this cycle
  output reg             busy,
  // stream port (P1): lanes are array rows
  output wire            p1_rd_en,
  output wire [31:0]     p1_rd_row,
  output wire [31:0]     p1_rd_col,
  output wire [R-1:0]    p1_lane_ok,
  output wire            s_first,
  // second port (P2): os streams B (lanes are columns); ws/is preload row `pl_row` of the block
  output wire            p2_rd_en,
  output wire [31:0]     p2_rd_row,
  output wire [31:0]     p2_rd_col,
  output wire [C-1:0]    p2_lane_ok,
  output wire [RW-1:0]   pl_row,
  // os read-out row
  output wire [RW-1:0]   rd_row,
  // result metadata into the delay line
  output mt_sa_pkg::fold_md_t md,
  // counters
  output reg  [63:0]     cnt_macs,
  output reg  [31:0]     cnt_folds,
  output wire            fold_pulse
);
  localparam bit OS = (DF == mt_sa_pkg::DF_OS);
  localparam [31:0] R32 = 32'(R);
  localparam [31:0] C32 = 32'(C);

  // GEMM dimensions on the array: rows take Sr, columns Sc, time T (SCALE-Sim's mapping), and the
  // window length; computed from the cfg inputs and held in registers while the GEMM runs.
  wire [31:0] sr_in = OS ? cfg_m : cfg_k;
  wire [31:0] sc_in = (DF == mt_sa_pkg::DF_IS) ? cfg_m : cfg_n;
  wire [31:0] t_in = OS ? cfg_k : (DF == mt_sa_pkg::DF_WS) ? cfg_m : cfg_n;
  wire [31:0] fold_len_in = OS ? (t_in + R32 + C32 - 32'd2) : (32'd2 * R32 + C32 + t_in - 32'd2);
  wire [31:0] interval_in = (TIMING == mt_sa_pkg::TIMING_SCALESIM) ? fold_len_in : ((t_in > R32) ? t_in : R32);
  reg  [31:0] sr, sc, t_len, interval;

  // Rows or columns of a fold in use: min(width, size - base).
  function automatic [31:0] used(input [31:0] size, input [31:0] base, input [31:0] width);
    used = (size - base >= width) ? width : size - base;
  endfunction

  // Window sequencer: which fold starts, and when.
  reg        wn_on;
  reg [31:0] wn_t, wn_r0, wn_c0;
  wire [31:0] nx_r0 = (wn_r0 + R32 >= sr) ? 32'd0 : wn_r0 + R32;
  wire [31:0] nx_c0 = (wn_r0 + R32 >= sr) ? wn_c0 + C32 : wn_c0;
  wire        wn_last = (wn_r0 + R32 >= sr) && (wn_c0 + C32 >= sc);
  wire        launch_next = wn_on && (wn_t == interval - 32'd1) && !wn_last;

  // Preload sequencer (ws/is).
  reg        pl_v, pl_last;
  reg [31:0] pl_i, pl_r0, pl_c0;
  // Stream sequencer.
  reg        st_v, st_last;
  reg [31:0] st_t, st_r0, st_c0;
  // Read-out sequencer (os).
  reg        ou_v, ou_last;
  reg [31:0] ou_i, ou_r0, ou_c0;

  always @(posedge clk) begin
    if (rst) begin
      busy <= 1'b0;
      wn_on <= 1'b0;
      pl_v <= 1'b0;
      st_v <= 1'b0;
      ou_v <= 1'b0;
      cnt_macs <= '0;
      cnt_folds <= '0;
    end else if (start && !busy) begin
      busy <= 1'b1;
      sr <= sr_in;
      sc <= sc_in;
      t_len <= t_in;
      interval <= interval_in;
      wn_on <= 1'b1;
      wn_t <= '0;
      wn_r0 <= '0;
      wn_c0 <= '0;
      cnt_macs <= '0;
      cnt_folds <= '0;
      if (OS) begin
        st_v <= 1'b1; st_t <= '0; st_r0 <= '0; st_c0 <= '0; st_last <= (R32 >= sr_in) && (C32 >= sc_in);
      end else begin
        pl_v <= 1'b1; pl_i <= '0; pl_r0 <= '0; pl_c0 <= '0; pl_last <= (R32 >= sr_in) && (C32 >= sc_in);
      end
    end else begin
      // Windows: one fold per I cycles until the last fold has started.
      if (wn_on) begin
        if (wn_t == interval - 32'd1) begin
          wn_t <= '0;
          if (wn_last) wn_on <= 1'b0;
          else begin
            wn_r0 <= nx_r0;
            wn_c0 <= nx_c0;
          end
        end else wn_t <= wn_t + 32'd1;
      end
      // Sequencers finishing (a launch below may restart them in the same cycle).
      if (pl_v) begin
        if (pl_i == R32 - 32'd1) begin
          pl_v <= 1'b0;
          st_v <= 1'b1; st_t <= '0; st_r0 <= pl_r0; st_c0 <= pl_c0; st_last <= pl_last;
        end else pl_i <= pl_i + 32'd1;
      end
      if (st_v) begin
        cnt_macs <= cnt_macs + 64'(used(sr, st_r0, R32) * used(sc, st_c0, C32));
        if (st_t == 32'd0) cnt_folds <= cnt_folds + 32'd1;
        if (st_t == t_len - 32'd1) begin
          // ws/is: the stream is restarted by the preload sequencer above when it ends this cycle.
          if (OS || !(pl_v && pl_i == R32 - 32'd1)) st_v <= 1'b0;
          if (OS) begin
            ou_v <= 1'b1; ou_i <= '0; ou_r0 <= st_r0; ou_c0 <= st_c0; ou_last <= st_last;
          end
        end else st_t <= st_t + 32'd1;
      end
      if (ou_v) begin
        if (ou_i == R32 - 32'd1) begin
          if (!(st_v && st_t == t_len - 32'd1)) ou_v <= 1'b0;
        end else ou_i <= ou_i + 32'd1;
      end
      // Launch of the next fold at the end of a window.
      if (launch_next) begin
        if (OS) begin
          st_v <= 1'b1; st_t <= '0; st_r0 <= nx_r0; st_c0 <= nx_c0;
          st_last <= (nx_r0 + R32 >= sr) && (nx_c0 + C32 >= sc);
        end else begin
          pl_v <= 1'b1; pl_i <= '0; pl_r0 <= nx_r0; pl_c0 <= nx_c0;
          pl_last <= (nx_r0 + R32 >= sr) && (nx_c0 + C32 >= sc);
        end
      end
      if (end_seen) busy <= 1'b0;
    end
  end

  // Stream requests (P1 always; P2 for os).
  genvar g;
  generate
    for (g = 0; g < R; g = g + 1) begin : g_p1_ok
      assign p1_lane_ok[g] = st_r0 + 32'(g) < sr;
    end
    for (g = 0; g < C; g = g + 1) begin : g_p2_ok
      if (OS) begin : g_os
        assign p2_lane_ok[g] = st_c0 + 32'(g) < sc;
      end else begin : g_pl
        assign p2_lane_ok[g] = (pl_c0 + 32'(g) < sc) && (pl_r0 + pl_i < sr);
      end
    end
  endgenerate
  assign p1_rd_en = st_v;
  assign p1_rd_row = st_r0;
  assign p1_rd_col = st_t;
  assign s_first = st_v && st_t == 32'd0;
  assign fold_pulse = s_first;
  assign p2_rd_en = OS ? st_v : pl_v;
  assign p2_rd_row = OS ? st_c0 : pl_c0;
  assign p2_rd_col = OS ? st_t : pl_r0 + pl_i;
  assign pl_row = RW'(pl_i);
  assign rd_row = RW'(ou_i);

  // Result metadata.
  wire        md_valid = OS ? (ou_v && ou_r0 + ou_i < sr) : st_v;
  wire        md_first = OS ? 1'b1 : (st_r0 == 32'd0);
  wire        md_lastk = OS ? 1'b1 : (st_r0 + R32 >= sr);
  wire        md_endf  = OS ? (ou_v && ou_last && ou_i == R32 - 32'd1) : (st_v && st_last && st_t == t_len - 32'd1);
  /* verilator lint_off UNUSEDSIGNAL */
  wire [31:0] md_used32 = OS ? used(sc, ou_c0, C32) : used(sc, st_c0, C32);  // at most C: UW bits suffice
  /* verilator lint_on UNUSEDSIGNAL */
  wire [UW-1:0] md_used = md_used32[UW-1:0];
  wire [31:0] md_row = OS ? ou_c0 : st_c0;
  wire [31:0] md_col = OS ? ou_r0 + ou_i : st_t;
  assign md.valid = md_valid;
  assign md.first = md_first;
  assign md.last = md_lastk;
  assign md.gemm_end = md_endf;
  assign md.used = md_used;
  assign md.row = md_row;
  assign md.col = md_col;
endmodule
`default_nettype wire
