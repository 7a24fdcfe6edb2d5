`default_nettype none
// Write DMA of the memory system: takes one drain descriptor at a time (first burst address, bursts, words
// per burst, stride), presents its write requests on AW one per cycle (the first in the cycle it is taken),
// and from the next cycle sends the OFMAP half's words on W in beats of BEAT words (the last beat of a burst
// carries the rest). `dr_done` marks the last beat; `b_pending` counts bursts whose response (B) is due.
module mt_dma_wr #(
  parameter int DW = 8,
  parameter int BEAT = 4
) (
  input  wire               clk,
  input  wire               rst,
  input  wire               dr_valid,
  output wire               dr_ready,
  input  wire [31:0]        dr_addr,
  input  wire [31:0]        dr_bursts,
  input  wire [31:0]        dr_len,
  input  wire [31:0]        dr_stride,
  output wire               dr_done,
  // OFMAP scratchpad read (combinational)
  output wire [31:0]        rd_off,
  input  wire [BEAT*DW-1:0] rd_data,
  // AXI4-like write channels
  output wire               awvalid,
  input  wire               awready,
  output wire [31:0]        awaddr,
  output wire [31:0]        awlen,
  output wire               wvalid,
  input  wire               wready,
  output wire [BEAT*DW-1:0] wdata,
  output wire [31:0]        wcount,
  input  wire               bvalid,
  output wire               bready,
  output reg  [31:0]        b_pending
);
  localparam [31:0] B32 = 32'(BEAT);
  reg        busy;
  reg [31:0] aw_left, aw_addr, len, stride, words_left, burst_left, off;
  wire       take = !busy && dr_valid;
  assign dr_ready = !busy;
  assign awvalid = take || (busy && aw_left != 32'd0);
  assign awaddr = busy ? aw_addr : dr_addr;
  assign awlen = busy ? len : dr_len;
  assign wvalid = busy && words_left != 32'd0;
  assign wcount = (burst_left < B32) ? burst_left : B32;
  assign wdata = rd_data;
  assign rd_off = off;
  wire beat = wvalid && wready;
  wire burst_end = beat && wcount == burst_left;
  assign dr_done = beat && wcount == words_left;
  assign bready = 1'b1;
  always @(posedge clk) begin
    if (rst) begin
      busy <= 1'b0;
      b_pending <= '0;
    end else begin
      b_pending <= b_pending + (burst_end ? 32'd1 : 32'd0) - (bvalid ? 32'd1 : 32'd0);
      if (take) begin
        busy <= 1'b1;
        len <= dr_len;
        stride <= dr_stride;
        words_left <= dr_bursts * dr_len;
        burst_left <= dr_len;
        off <= '0;
        aw_left <= awready ? dr_bursts - 32'd1 : dr_bursts;
        aw_addr <= awready ? dr_addr + dr_stride : dr_addr;
      end else if (busy) begin
        if (aw_left != 32'd0 && awready) begin
          aw_left <= aw_left - 32'd1;
          aw_addr <= aw_addr + stride;
        end
        if (beat) begin
          off <= off + wcount;
          words_left <= words_left - wcount;
          burst_left <= burst_end ? len : burst_left - wcount;
          if (dr_done) busy <= 1'b0;
        end
      end
    end
  end
endmodule
`default_nettype wire
