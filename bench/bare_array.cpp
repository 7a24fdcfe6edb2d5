// Benchmark harness: the PE array alone (no controller, skews, output stage or memories), driven with
// fresh pseudo-random operands every cycle for a given number of cycles. Usage: bare CYCLES
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "Vmt_bare_top.h"
#include "mt_params.h"
#include "verilated.h"

template <class T> void set_lane(T& v, unsigned lsb, unsigned w, uint64_t x) {
  uint64_t mask = ((1ULL << w) - 1) << lsb;
  v = static_cast<T>((static_cast<uint64_t>(v) & ~mask) | ((x << lsb) & mask));
}
template <std::size_t N> void set_lane(VlWide<N>& v, unsigned lsb, unsigned w, uint64_t x) {
  for (unsigned b = 0; b < w;) {
    unsigned bit = lsb + b, word = bit / 32, off = bit % 32, take = std::min(32u - off, w - b);
    uint32_t mask = static_cast<uint32_t>(((1ULL << take) - 1) << off);
    v[word] = (v[word] & ~mask) | (static_cast<uint32_t>((x >> b) << off) & mask);
    b += take;
  }
}

int main(int argc, char** argv) {
  uint64_t cycles = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  auto top = std::make_unique<Vmt_bare_top>();
  uint64_t s = 88172645463325252ULL;
  auto rnd = [&]() { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; };
  auto t0 = std::chrono::steady_clock::now();
  for (uint64_t c = 0; c < cycles; c++) {
    for (unsigned i = 0; i < MT_ROWS; i++) set_lane(top->a_lanes, i * MT_DW, MT_DW, rnd());
    for (unsigned j = 0; j < MT_COLS; j++) set_lane(top->b_lanes, j * MT_DW, MT_DW, rnd());
    top->first = (c % 64) == 0;
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
  }
  double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"cycles\": %llu, \"seconds\": %.6f, \"checksum\": %llu}\n", static_cast<unsigned long long>(cycles), sec,
              static_cast<unsigned long long>(top->checksum));
  top->final();
  return 0;
}
