// What both drivers share: clocking and reset of the Verilated top, the output memory with its
// written-once bookkeeping, and the result file.
#pragma once
#include <chrono>
#include <cstdint>
#include <vector>

#include "mt_job.h"
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

// The RTL's counters of one item and what the driver's output memory saw.
struct Counters {
  uint64_t cycles = 0, macs = 0, outputs = 0, extra = 0, lane_writes = 0, repeated = 0, outside = 0, sim_ns = 0;
  std::vector<uint64_t> fold_starts;
};

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
        c.outside++;
        continue;
      }
      size_t idx = r * o.cols + col;
      if (written[idx]++) c.repeated++;
      o.v[idx] = static_cast<int16_t>(lane_get(data, j, dw));
    }
  }
};

// Appends one item's counters and outputs to the result body (layout in mt_job.h).
inline void put_item(mt::Writer& body, const Counters& c, const mt::Matrix<int16_t>& o, unsigned dw) {
  for (uint64_t v : {c.cycles, c.macs, c.outputs, c.extra, c.lane_writes, c.repeated, c.outside, c.sim_ns}) body.put<uint64_t>(v);
  body.put<uint32_t>(static_cast<uint32_t>(c.fold_starts.size()));
  for (uint64_t f : c.fold_starts) body.put<uint64_t>(f);
  for (int16_t v : o.v) {
    if (dw == 8) body.put<int8_t>(static_cast<int8_t>(v));
    else body.put<int16_t>(v);
  }
}

// Runs `item` (a simulation) and records its steady-clock duration in `c.sim_ns`; returns what it returns.
template <class F> bool timed(Counters& c, F item) {
  auto t0 = std::chrono::steady_clock::now();
  bool ok = item();
  c.sim_ns = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
  return ok;
}

// Writes the result file: status (0 ok, 1 watchdog), the number of items and their bodies.
inline int save_result(const char* path, uint32_t status, uint32_t completed, const mt::Writer& body) {
  mt::Writer out;
  out.bytes(mt::RES_MAGIC, 8);
  out.put<uint32_t>(status);
  out.put<uint32_t>(completed);
  out.append(body);
  out.save(path);
  return status == 0 ? 0 : 3;
}

}  // namespace
