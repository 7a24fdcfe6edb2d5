`default_nettype none
// Read DMA of the memory system: takes one block descriptor at a time (first burst address, bursts, words
// per burst, stride between bursts), presents its read requests on AR one per cycle (the first in the cycle
// the descriptor is taken), and writes the R beats into the scratchpad half at consecutive offsets. It takes
// the next descriptor only in the cycle after the block's last beat (docs/MEMORY.md, "Loads").
module mt_dma_rd #(
  parameter int DW = 8,
  parameter int BEAT = 4
) (
  input  wire               clk,
  input  wire               rst,
  // block descriptor (valid/ready)
  input  wire               ld_valid,
  output wire               ld_ready,
  input  wire [31:0]        ld_addr,
  input  wire [31:0]        ld_bursts,
  input  wire [31:0]        ld_len,
  input  wire [31:0]        ld_stride,
  output wire               ld_done,     // the block's last beat arrives this cycle
  // AXI4-like read channels
  output wire               arvalid,
  input  wire               arready,
  output wire [31:0]        araddr,
  output wire [31:0]        arlen,
  input  wire               rvalid,
  output wire               rready,
  input  wire [BEAT*DW-1:0] rdata,
  input  wire [31:0]        rcount,
  // scratchpad fill port
  output wire               fill_en,
  output wire [31:0]        fill_off,
  output wire [31:0]        fill_cnt,
  output wire [BEAT*DW-1:0] fill_data
);
  reg        busy;
  reg [31:0] ar_left, ar_addr, len, stride, words_left, off;
  wire       take = !busy && ld_valid;
  assign ld_ready = !busy;
  assign arvalid = take || (busy && ar_left != 32'd0);
  assign araddr = busy ? ar_addr : ld_addr;
  assign arlen = busy ? len : ld_len;
  assign rready = busy;
  wire beat = busy && rvalid;
  assign fill_en = beat;
  assign fill_off = off;
  assign fill_cnt = rcount;
  assign fill_data = rdata;
  assign ld_done = beat && rcount >= words_left;
  always @(posedge clk) begin
    if (rst) begin
      busy <= 1'b0;
    end else if (take) begin
      busy <= 1'b1;
      len <= ld_len;
      stride <= ld_stride;
      words_left <= ld_bursts * ld_len;
      off <= '0;
      ar_left <= arready ? ld_bursts - 32'd1 : ld_bursts;
      ar_addr <= arready ? ld_addr + ld_stride : ld_addr;
    end else if (busy) begin
      if (ar_left != 32'd0 && arready) begin
        ar_left <= ar_left - 32'd1;
        ar_addr <= ar_addr + stride;
      end
      if (beat) begin
        off <= off + rcount;
        words_left <= words_left - rcount;
        if (ld_done) busy <= 1'b0;
      end
    end
  end
endmodule
`default_nettype wire
