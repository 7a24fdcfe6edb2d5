// Benchmark harness: the PE array alone (no controller, skews, output stage or memories), driven with
// fresh pseudo-random operands every cycle for a given number of cycles. Usage: bare CYCLES
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <memory>

#include "Vmt_bare_top.h"
#include "mt_lanes.h"
#include "mt_params.h"
#include "verilated.h"


// CPU time of this process, as the drivers' sim_ns (mt_harness.h cpu_ns), so the two sides share one clock.
static double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

int main(int argc, char** argv) {
  uint64_t cycles = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  auto top = std::make_unique<Vmt_bare_top>();
  uint64_t s = 88172645463325252ULL;
  auto rnd = [&]() { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; };
  const double t0 = cpu_seconds();
  for (uint64_t c = 0; c < cycles; c++) {
    for (unsigned i = 0; i < MT_ROWS; i++) set_bits(top->a_lanes, i * MT_DW, MT_DW, rnd());
    for (unsigned j = 0; j < MT_COLS; j++) set_bits(top->b_lanes, j * MT_DW, MT_DW, rnd());
    top->first = (c % 64) == 0;
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
  }
  double sec = cpu_seconds() - t0;
  std::printf("{\"cycles\": %llu, \"seconds\": %.6f, \"checksum\": %llu}\n", static_cast<unsigned long long>(cycles), sec,
              static_cast<unsigned long long>(top->checksum));
  top->final();
  return 0;
}
