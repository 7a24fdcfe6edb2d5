// What both drivers share: clocking and reset of the Verilated top, the output memory with its
// written-once bookkeeping, and the result file.
#pragma once
#include <cstdint>
#include <ctime>
#include <vector>

#include "mt_job.h"
#include "mt_job_layout.h"
#include "mt_lanes.h"

namespace {

// One clock period with no input changes.
template <class Top> void edge(Top* top) {
  top->clk = 1;
  top->eval();
  top->clk = 0;
  top->eval();
}

// Holds reset for three cycles.
template <class Top> void reset(Top* top) {
  top->clk = 0;
  top->rst = 1;
  top->start = 0;
  top->eval();
  for (int i = 0; i < 3; i++) edge(top);
  top->rst = 0;
  top->eval();
}

// Pulses `start` for one cycle (the configuration inputs must already be set).
template <class Top> void pulse_start(Top* top) {
  top->start = 1;
  top->eval();
  edge(top);
  top->start = 0;
  top->eval();
}

// The RTL's counters of one item and what the driver's output memory saw: the result item of the table.
using Counters = mt::layout::ResultItem;

// The output memory O[row][col] with a write count per element, written by lane ports.
struct OutputMemory {
  mt::Matrix<int16_t> o;
  std::vector<uint8_t> written;
  void resize(uint32_t rows, uint32_t cols) {
    o.resize(rows, cols);
    written.assign(o.v.size(), 0);
  }
  // Stores the lanes of one write (lane j -> O[row + j][col]) whose mask bit is set.
  template <class Mask, class Data> void write(const Mask& mask, const Data& data, uint32_t row, uint32_t col, unsigned lanes, unsigned dw, Counters& c) {
    for (unsigned j = 0; j < lanes; j++) {
      if (!get_bits(mask, j, 1)) continue;
      c.lane_writes++;
      uint64_t r = static_cast<uint64_t>(row) + j;
      if (!o.inside(r, col)) {
        c.outside_writes++;
        continue;
      }
      size_t idx = r * o.cols + col;
      if (written[idx]++) c.repeated_writes++;
      o.v[idx] = static_cast<int16_t>(lane_get(data, j, dw));
    }
  }
};

// Appends one item's counters and outputs to the result body (layout in mt_job_layout.h).
inline void put_item(mt::Writer& body, Counters& c, const mt::Matrix<int16_t>& o, unsigned dw) {
  c.out = o.v;
  mt::layout::put_result_item(body, c, dw);
}

// The CPU time this process has used, in nanoseconds (user + system; what a shared machine does not inflate).
inline uint64_t cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1000000000u + static_cast<uint64_t>(t.tv_nsec);
}

// Runs `item` (a simulation) and records the CPU time it took in `c.sim_ns`; returns what it returns.
template <class F> bool timed(Counters& c, F item) {
  const uint64_t t0 = cpu_ns();
  bool ok = item();
  c.sim_ns = cpu_ns() - t0;
  return ok;
}

// Writes the result file: the head (status, number of items) and the items' bodies; exit status 3 after the watchdog.
inline int save_result(const char* path, uint32_t status, uint32_t completed, const mt::Writer& body) {
  mt::Writer out;
  mt::layout::put_result_head(out, {status, completed});
  out.append(body);
  out.save(path);
  return status == mt::layout::STATUS_OK ? 0 : 3;
}

}  // namespace
