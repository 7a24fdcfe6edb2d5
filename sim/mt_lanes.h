// Lane access on Verilator ports and lane-contiguous operand memories, shared by the drivers.
// Needs MT_DW (operand width) from the generated mt_params.h.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "mt_params.h"
#include "verilated.h"

namespace {


// Lane access on Verilator ports of any width (scalar integer types or VlWide).
template <class T> uint64_t get_bits(const T& v, unsigned lsb, unsigned w) {
  return (static_cast<uint64_t>(v) >> lsb) & (w == 64 ? ~0ULL : ((1ULL << w) - 1));
}
template <std::size_t N> uint64_t get_bits(const VlWide<N>& v, unsigned lsb, unsigned w) {
  uint64_t out = 0;
  for (unsigned b = 0; b < w;) {
    unsigned bit = lsb + b, word = bit / 32, off = bit % 32, take = std::min(32u - off, w - b);
    uint64_t chunk = (static_cast<uint64_t>(v[word]) >> off) & ((1ULL << take) - 1);
    out |= chunk << b;
    b += take;
  }
  return out;
}
template <class T> void set_bits(T& v, unsigned lsb, unsigned w, uint64_t x) {
  uint64_t mask = (w == 64 ? ~0ULL : ((1ULL << w) - 1)) << lsb;
  v = static_cast<T>((static_cast<uint64_t>(v) & ~mask) | ((x << lsb) & mask));
}
template <std::size_t N> void set_bits(VlWide<N>& v, unsigned lsb, unsigned w, uint64_t x) {
  for (unsigned b = 0; b < w;) {
    unsigned bit = lsb + b, word = bit / 32, off = bit % 32, take = std::min(32u - off, w - b);
    uint32_t mask = static_cast<uint32_t>(((1ULL << take) - 1) << off);
    v[word] = (v[word] & ~mask) | (static_cast<uint32_t>((x >> b) << off) & mask);
    b += take;
  }
}
inline int64_t sext(uint64_t x, unsigned w) { return w == 64 ? static_cast<int64_t>(x) : static_cast<int64_t>(x << (64 - w)) >> (64 - w); }

// What memory returns outside the matrices: a recognisable pattern, so that the RTL must mask it.
constexpr int64_t POISON = 0x5A5A5A5A5A5ALL;

// Operand element type of this build.
using elem_t = std::conditional<MT_DW == 8, int8_t, int16_t>::type;

// Raw little-endian bytes of a port, for lane-contiguous copies (every lane width here is whole bytes,
// except the 6-bit shift lanes, which use set_bits).
template <class T> uint8_t* bytes_of(T& v) { return reinterpret_cast<uint8_t*>(&v); }
template <std::size_t N> uint8_t* bytes_of(VlWide<N>& v) { return reinterpret_cast<uint8_t*>(v.data()); }
template <class T> const uint8_t* bytes_of(const T& v) { return reinterpret_cast<const uint8_t*>(&v); }
template <std::size_t N> const uint8_t* bytes_of(const VlWide<N>& v) { return reinterpret_cast<const uint8_t*>(v.data()); }

// Lane j of a port whose lanes are `bits` wide (a multiple of 8), sign-extended.
template <class P> inline int64_t lane_get(const P& port, unsigned j, unsigned bits) {
  int64_t v = 0;
  std::memcpy(&v, bytes_of(port) + j * (bits / 8), bits / 8);
  return sext(static_cast<uint64_t>(v), bits);
}
template <class P> inline void lane_set(P& port, unsigned j, unsigned bits, int64_t v) {
  std::memcpy(bytes_of(port) + j * (bits / 8), &v, bits / 8);
}

// A matrix stored column by column, so that the lanes of one read (consecutive rows) are contiguous.
struct LaneMatrix {
  uint32_t rows = 0, cols = 0;
  std::vector<elem_t> v;
  // Loads a row-major matrix of the job (rows, cols, data: mt::layout::OperandMatrix).
  template <class M> void load(const M& m) {
    rows = m.rows;
    cols = m.cols;
    v.resize(static_cast<size_t>(rows) * cols);
    for (uint32_t r = 0; r < rows; r++)
      for (uint32_t c = 0; c < cols; c++) v[static_cast<size_t>(c) * rows + r] = static_cast<elem_t>(m.data[static_cast<size_t>(r) * cols + c]);
  }
  // Fills `lanes` lanes of a port with rows r0.. of column c (poison outside the matrix).
  template <class P> void read(P& port, uint64_t r0, uint32_t c, unsigned lanes) const {
    if (c < cols && r0 + lanes <= rows) {
      std::memcpy(bytes_of(port), &v[static_cast<size_t>(c) * rows + r0], lanes * sizeof(elem_t));
      return;
    }
    for (unsigned i = 0; i < lanes; i++) {
      uint64_t r = r0 + i;
      int64_t x = (c < cols && r < rows) ? v[static_cast<size_t>(c) * rows + r] : POISON;
      set_bits(port, i * MT_DW, MT_DW, static_cast<uint64_t>(x));
    }
  }
};

}  // namespace
