// Optional waveforms: an FST file of chosen cycle windows of a job, in trace builds only (Verilator's
// --trace-fst defines VM_TRACE_FST). A driver takes `JOB RESULT [TRACE.fst WINDOWS]`; WINDOWS is
// `START:END[,START:END...]` in layer cycles (cycle c of the job's items laid end to end: item i's cycle 0
// follows the last cycle of item i-1), each from START up to, not including, END, in increasing order.
// Time 2c of the file is layer cycle c before its rising clock edge (what the driver samples), 2c+1 just
// after it. A build without tracing refuses the extra arguments.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "mt_job.h"
#include "verilated.h"
#if VM_TRACE_FST
#include "verilated_fst_c.h"
#endif

namespace mt {

// What the command line asks for: no file (no trace), or a file and its cycle windows.
struct TraceArgs {
  const char* file = nullptr;
  std::vector<std::pair<uint64_t, uint64_t>> windows;
};

// Parses a whole number of at most 15 digits (refuses signs, blanks and anything else).
inline uint64_t parse_cycle(const std::string& s, const std::string& what) {
  if (s.empty() || s.size() > 15 || s.find_first_not_of("0123456789") != std::string::npos)
    fail("trace windows: expected START:END[,START:END...] of whole numbers, received " + what);
  return std::strtoull(s.c_str(), nullptr, 10);
}

// Parses `START:END[,START:END...]`: each START < END, windows in increasing order, not overlapping.
inline std::vector<std::pair<uint64_t, uint64_t>> parse_windows(const std::string& text) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string w = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t colon = w.find(':');
    if (colon == std::string::npos) fail("trace windows: expected START:END[,START:END...], received \"" + text + "\"");
    uint64_t a = parse_cycle(w.substr(0, colon), "\"" + text + "\""), b = parse_cycle(w.substr(colon + 1), "\"" + text + "\"");
    if (a >= b || (!out.empty() && a < out.back().second))
      fail("trace windows: expected each START below its END and windows in increasing order, received \"" + text + "\"");
    out.emplace_back(a, b);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

// Reads `JOB RESULT [TRACE.fst WINDOWS]`; fails with `usage` on any other count.
inline TraceArgs trace_args(int argc, char** argv, const char* usage) {
  TraceArgs t;
  if (argc == 3) return t;
  if (argc != 5) fail(usage);
#if VM_TRACE_FST
  t.file = argv[3];
  t.windows = parse_windows(argv[4]);
  Verilated::traceEverOn(true);
  return t;
#else
  fail("this simulator was built without tracing; a trace file needs a trace build (mactile sim --trace)");
#endif
}

// The FST file of a run: dumps the model's state at the layer cycles inside the windows.
class Trace {
 public:
  template <class Top> Trace(Top* top, const TraceArgs& a) : windows_(a.windows) {
#if VM_TRACE_FST
    if (a.file) {
      fst_ = std::make_unique<VerilatedFstC>();
      top->trace(fst_.get(), 99);
      fst_->open(a.file);
      if (!fst_->isOpen()) fail(std::string("cannot write the trace file ") + a.file);
    }
#else
    (void)top;
#endif
  }
  ~Trace() {
#if VM_TRACE_FST
    if (fst_) fst_->close();
#endif
  }
  // Records the state at layer cycle `c`: before its rising edge (phase 0) or after it (phase 1).
  void sample(uint64_t c, unsigned phase) {
#if VM_TRACE_FST
    if (!fst_ || !inside(c)) return;
    const uint64_t t = 2 * c + phase;
    if (dumped_ && t <= last_) return;
    fst_->dump(t);
    last_ = t;
    dumped_ = true;
#else
    (void)c;
    (void)phase;
#endif
  }

 private:
  bool inside(uint64_t c) const {
    for (const auto& w : windows_)
      if (c >= w.first && c < w.second) return true;
    return false;
  }
  std::vector<std::pair<uint64_t, uint64_t>> windows_;
#if VM_TRACE_FST
  std::unique_ptr<VerilatedFstC> fst_;
#endif
  uint64_t last_ = 0;
  bool dumped_ = false;
};

}  // namespace mt
