`default_nettype none
// Bit counting of the activity variant (mt_array_*_act.sv): popcount of a 64-bit word SWAR style (the bits
// counted per byte in three steps, the eight byte counts summed by one multiplication), cheaper in the
// Verilated model than $countones on 64 bits (two 32-bit counts of five steps each).
package mt_act_pkg;
  // The number of set bits of each byte of x, in that byte.
  function automatic [63:0] byte_counts(input [63:0] x);
    reg [63:0] y;
    y = x - ((x >> 1) & 64'h5555555555555555);
    y = (y & 64'h3333333333333333) + ((y >> 2) & 64'h3333333333333333);
    byte_counts = (y + (y >> 4)) & 64'h0f0f0f0f0f0f0f0f;
  endfunction
  // The number of set bits of x (the top byte of the product is the sum of the byte counts, at most 64).
  function automatic [31:0] ones64(input [63:0] x);
    reg [63:0] p;
    p = byte_counts(x) * 64'h0101010101010101;
    ones64 = 32'(p >> 56);
  endfunction
endpackage
`default_nettype wire
