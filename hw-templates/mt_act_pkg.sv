`default_nettype none
// Bit counting of the activity variant (mt_array_*_act.sv): popcount by bytes, SWAR style (the bits of
// a 64-bit word counted per byte in three steps), so that one word holds the toggles of several registers
// and their sums stay apart: byte k's count is added to 16-bit lane k/2 of `e` (k even) or `o` (k odd).
package mt_act_pkg;
  // The number of set bits of each byte of x, in that byte.
  function automatic [63:0] byte_counts(input [63:0] x);
    reg [63:0] y;
    y = x - ((x >> 1) & 64'h5555555555555555);
    y = (y & 64'h3333333333333333) + ((y >> 2) & 64'h3333333333333333);
    byte_counts = (y + (y >> 4)) & 64'h0f0f0f0f0f0f0f0f;
  endfunction
  // The sum of the counts of bytes first .. first+n-1 held in the lanes of e (even bytes) and o (odd bytes).
  function automatic [31:0] bytes_sum(input [63:0] e, input [63:0] o, input int first, input int n);
    bytes_sum = '0;
    for (int k = first; k < first + n; k++)
      bytes_sum = bytes_sum + 32'((((k % 2) == 0 ? e : o) >> (16 * (k / 2))) & 64'hffff);
  endfunction
endpackage
`default_nettype wire
