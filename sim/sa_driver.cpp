// C++ driver of the generated systolic array. It only plays memory: it loads the operand matrices of
// each GEMM of a job, pulses `start`, answers the array's read requests one cycle later (synchronous
// SRAMs, write-first), stores its writes, and records the RTL's own counters until `busy` falls.
// Usage: sa_driver JOB RESULT [TRACE.fst WINDOWS] (a trace build writes the waveform of the windows, mt_trace.h)
// An activity build (MT_ACTIVITY) also writes RESULT.activity: per item the RTL's toggle counters' increase.
#include <cstdio>
#include <memory>
#include <type_traits>

#include "Vmt_sa_top.h"
#include "mt_job.h"
#include "mt_job_layout.h"
#include "mt_harness.h"
#include "mt_lanes.h"
#include "mt_params.h"
#include "mt_trace.h"
#include "verilated.h"

static_assert(MT_JOB_KIND == mt::layout::JOB_KIND_SYSTOLIC, "this driver needs the mt_params.h of a systolic array");

namespace {

// A GEMM of the job and the memories the driver plays for it.
struct Gemm {
  mt::layout::SystolicGemm job;
  LaneMatrix p1, p2;
  OutputMemory out;
  mt::Matrix<int64_t> acc;
};

Gemm read_gemm(mt::Reader& in) {
  Gemm g;
  g.job = mt::layout::read_systolic_gemm(in, MT_DW);
  g.p1.load(g.job.p1);
  g.p2.load(g.job.p2);
  g.out.resize(g.job.o_rows, g.job.o_cols);
  g.acc.resize(g.job.acc_cols, g.job.acc_rows);  // stored column by column: the lanes of one access are contiguous
  return g;
}

class Sim {
 public:
  explicit Sim(const mt::TraceArgs& t) : top_(new Vmt_sa_top), trace_(top_.get(), t) { reset(top_.get()); }
  ~Sim() { top_->final(); }

  // Runs one GEMM; returns false when the watchdog stopped it.
  bool run(Gemm& g, Counters& c) {
    top_->cfg_m = g.job.m;
    top_->cfg_k = g.job.k;
    top_->cfg_n = g.job.n;
    top_->cfg_relu = g.job.relu ? 1 : 0;
    set_bits(top_->cfg_zp, 0, MT_DW, static_cast<uint64_t>(static_cast<int64_t>(g.job.zero_point)));
    pulse_start(top_.get());
    uint64_t n = 0;
    while (top_->busy) {
      if (++n > g.job.max_cycles) return false;
      now_ = offset_ + n - 1;
      trace_.sample(now_, 0);
      cycle(g, c);
    }
    c.cycles = top_->cnt_cycles;
    offset_ += top_->cnt_cycles;
    c.macs = top_->cnt_macs;
    c.outputs = top_->cnt_outputs;
    c.folds = top_->cnt_folds;
#ifdef MT_ACTIVITY
    const uint64_t now[3] = {top_->act_a_toggles, top_->act_b_toggles, top_->act_psum_toggles};
    for (int i = 0; i < 3; i++) {
      toggles.push_back(now[i] - seen_[i]);
      seen_[i] = now[i];
    }
#endif
    return true;
  }

#ifdef MT_ACTIVITY
  // Per item the increase of the activity counters (a, b, psum).
  std::vector<uint64_t> toggles;
#endif

 private:
  void cycle(Gemm& g, Counters& c) {
    // Requests of this cycle, sampled before the clock edge.
    const bool p1 = top_->p1_rd_en, p2 = top_->p2_rd_en, q = top_->q_rd_en;
    const uint32_t p1r = top_->p1_rd_row, p1c = top_->p1_rd_col, p2r = top_->p2_rd_row, p2c = top_->p2_rd_col, qr = top_->q_rd_row;
    if (top_->fold_pulse) c.fold_starts.push_back(top_->cnt_cycles);
    if (top_->o_wr_en) g.out.write(top_->o_wr_mask, top_->o_wr_data, top_->o_wr_row, top_->o_wr_col, MT_COLS, MT_DW, c);
#if MT_HAS_ACC_PORT
    const bool ar = top_->acc_rd_en, aw = top_->acc_wr_en;
    const uint32_t arr = top_->acc_rd_row, arc = top_->acc_rd_col, awr = top_->acc_wr_row, awc = top_->acc_wr_col;
    if (aw) {
      for (unsigned j = 0; j < MT_COLS; j++) {
        if (!get_bits(top_->acc_wr_mask, j, 1)) continue;
        uint64_t r = static_cast<uint64_t>(awr) + j;
        if (g.acc.inside(awc, r)) g.acc.at(awc, r) = lane_get(top_->acc_wr_data, j, MT_ACC_W);
        else c.outside_writes++;
      }
    }
#endif
    top_->clk = 1;
    top_->eval();
    trace_.sample(now_, 1);
    // Read data for the requests above, visible during the next cycle.
    if (p1) g.p1.read(top_->p1_rd_data, p1r, p1c, MT_ROWS);
    if (p2) g.p2.read(top_->p2_rd_data, p2r, p2c, MT_COLS);
    if (q) {
      const auto& rows = g.job.q;
      for (unsigned j = 0; j < MT_Q_LANES; j++) {
        uint64_t r = static_cast<uint64_t>(qr) + j;
        bool in = r < rows.size();
        lane_set(top_->q_bias, j, MT_ACC_W, in ? rows[r].bias : POISON);
        lane_set(top_->q_mult, j, 32, in ? rows[r].mult : POISON);
        set_bits(top_->q_shift, j * 6, 6, in ? rows[r].shift : 0x2Au);
      }
    }
#if MT_HAS_ACC_PORT
    if (ar) {
      for (unsigned j = 0; j < MT_COLS; j++) {
        uint64_t r = static_cast<uint64_t>(arr) + j;
        int64_t v = g.acc.inside(arc, r) ? g.acc.at(arc, r) : POISON;
        lane_set(top_->acc_rd_data, j, MT_ACC_W, v);
      }
    }
#endif
    top_->clk = 0;
    top_->eval();
  }

  std::unique_ptr<Vmt_sa_top> top_;
  mt::Trace trace_;
  uint64_t offset_ = 0;  // layer cycles of the items before this one
  uint64_t now_ = 0;     // the layer cycle being run
#ifdef MT_ACTIVITY
  uint64_t seen_[3] = {0, 0, 0};  // the activity counters after the last item
#endif
};

#ifdef MT_ACTIVITY
// Writes RESULT.activity: one line per completed item, its toggles of a, b and psum.
void save_activity(const char* result, const std::vector<uint64_t>& t) {
  const std::string path = std::string(result) + ".activity";
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) mt::fail("cannot write " + path);
  for (size_t i = 0; i + 2 < t.size(); i += 3)
    std::fprintf(f, "%llu %llu %llu\n", static_cast<unsigned long long>(t[i]), static_cast<unsigned long long>(t[i + 1]),
                 static_cast<unsigned long long>(t[i + 2]));
  std::fclose(f);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  const mt::TraceArgs trace = mt::trace_args(argc, argv, "usage: sa_driver JOB RESULT [TRACE.fst WINDOWS]");
  Verilated::commandArgs(1, argv);
  mt::Reader in(argv[1]);
  const mt::layout::SystolicJobHead h = mt::layout::read_systolic_job_head(in);
  if (h.rows != MT_ROWS || h.cols != MT_COLS || h.dw != MT_DW || h.acc_w != MT_ACC_W || h.dataflow != MT_DATAFLOW) {
    mt::fail("job was planned for another array (rows, cols, precision or dataflow differ from this build)");
  }
  if (h.timing != MT_TIMING) {
    mt::fail(std::string("job was planned for another timing mode (") + mt::layout::timing_name(h.timing) + " fold timing; this build runs " +
             mt::layout::timing_name(MT_TIMING) + ")");
  }
  Sim sim(trace);
  uint32_t status = mt::layout::STATUS_OK, completed = 0;
  mt::Writer body;
  for (uint32_t i = 0; i < h.n_items && status == mt::layout::STATUS_OK; i++) {
    Gemm g = read_gemm(in);
    Counters c{};
    if (!timed(c, [&] { return sim.run(g, c); })) status = mt::layout::STATUS_WATCHDOG;
    put_item(body, c, g.out.o, MT_DW);
    completed++;
  }
  if (status == mt::layout::STATUS_OK && !in.at_end()) mt::fail("job file has trailing bytes");
#ifdef MT_ACTIVITY
  save_activity(argv[2], sim.toggles);
#endif
  return save_result(argv[2], status, completed, body);
}
