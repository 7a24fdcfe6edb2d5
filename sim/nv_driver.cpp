// C++ driver of the generated NVDLA-style core. It only plays memory: it loads the feature buffer (atom
// order) and the weight buffer (sequencer order) of each convolution of a job, pulses `start`, answers
// read requests one cycle later, stores the results the core writes, and records the RTL's own counters.
// Usage: nv_driver JOB RESULT [TRACE.fst WINDOWS] (a trace build writes the waveform of the windows, mt_trace.h)
#include <memory>

#include "Vmt_nv_top.h"
#include "mt_job.h"
#include "mt_job_layout.h"
#include "mt_harness.h"
#include "mt_lanes.h"
#include "mt_params.h"
#include "mt_trace.h"
#include "verilated.h"

static_assert(MT_JOB_KIND == mt::layout::JOB_KIND_NVDLA, "this driver needs the mt_params.h of an NVDLA-style core");

namespace {

// A convolution of the job and the memories the driver plays for it.
struct Conv {
  mt::layout::NvdlaConv job;
  LaneMatrix feat, wgt;
  OutputMemory out;
};

Conv read_conv(mt::Reader& in) {
  Conv c;
  c.job = mt::layout::read_nvdla_conv(in, MT_DW);
  c.feat.load(c.job.feature);
  c.wgt.load(c.job.weight);
  c.out.resize(c.job.o_rows, c.job.o_cols);
  return c;
}

class Sim {
 public:
  explicit Sim(const mt::TraceArgs& t) : top_(new Vmt_nv_top), trace_(top_.get(), t) { reset(top_.get()); }
  ~Sim() { top_->final(); }

  bool run(Conv& c, Counters& n) {
    const mt::layout::NvdlaConv& j = c.job;
    top_->cfg_h = j.h;
    top_->cfg_w = j.w;
    top_->cfg_c = j.c;
    top_->cfg_k = j.k;
    top_->cfg_r = j.r;
    top_->cfg_s = j.s;
    top_->cfg_sh = j.stride_h;
    top_->cfg_sw = j.stride_w;
    top_->cfg_dh = j.dilation_h;
    top_->cfg_dw = j.dilation_w;
    top_->cfg_pt = j.pad_top;
    top_->cfg_pl = j.pad_left;
    top_->cfg_oh = j.out_h;
    top_->cfg_ow = j.out_w;
    top_->cfg_relu = j.relu ? 1 : 0;
    top_->cfg_trunc = j.truncate;
    set_bits(top_->cfg_zp, 0, MT_DW, static_cast<uint64_t>(static_cast<int64_t>(j.zero_point)));
    set_bits(top_->cfg_pad, 0, MT_DW, static_cast<uint64_t>(static_cast<int64_t>(j.pad_value)));
    pulse_start(top_.get());
    uint64_t k = 0;
    while (top_->busy) {
      if (++k > j.max_cycles) return false;
      now_ = offset_ + k - 1;
      trace_.sample(now_, 0);
      cycle(c, n);
    }
    n.cycles = top_->cnt_cycles;
    offset_ += top_->cnt_cycles;
    n.macs = top_->cnt_macs;
    n.outputs = top_->cnt_outputs;
    n.folds = top_->cnt_slots;  // operation slots issued
    return true;
  }

 private:
  void cycle(Conv& c, Counters& n) {
    const bool f = top_->f_rd_en, w = top_->w_rd_en, q = top_->q_rd_en;
    const uint32_t fc = top_->f_rd_col, wc = top_->w_rd_col, qr = top_->q_rd_row;
    if (top_->o_wr_en) c.out.write(top_->o_wr_mask, top_->o_wr_data, top_->o_wr_row, top_->o_wr_col, MT_ATOMK, MT_DW, n);
    top_->clk = 1;
    top_->eval();
    trace_.sample(now_, 1);
    if (f) c.feat.read(top_->f_rd_data, 0, fc, MT_ATOMC);
    if (w) c.wgt.read(top_->w_rd_data, 0, wc, MT_WK * MT_ATOMC);
    if (q) {
      const auto& rows = c.job.q;
      for (unsigned k = 0; k < MT_ATOMK; k++) {
        uint64_t r = static_cast<uint64_t>(qr) + k;
        bool in = r < rows.size();
        lane_set(top_->q_bias, k, 32, in ? rows[r].bias : POISON);
        lane_set(top_->q_mult, k, 32, in ? rows[r].mult : POISON);
        set_bits(top_->q_shift, k * 6, 6, in ? rows[r].shift : 0x2Au);
      }
    }
    top_->clk = 0;
    top_->eval();
  }

  std::unique_ptr<Vmt_nv_top> top_;
  mt::Trace trace_;
  uint64_t offset_ = 0;  // layer cycles of the items before this one
  uint64_t now_ = 0;     // the layer cycle being run
};

}  // namespace

int main(int argc, char** argv) {
  const mt::TraceArgs trace = mt::trace_args(argc, argv, "usage: nv_driver JOB RESULT [TRACE.fst WINDOWS]");
  Verilated::commandArgs(1, argv);
  mt::Reader in(argv[1]);
  const mt::layout::NvdlaJobHead h = mt::layout::read_nvdla_job_head(in);
  if (h.atomic_c != MT_ATOMC || h.atomic_k != MT_ATOMK || h.dw != MT_DW || h.weight_kernels != MT_WK) {
    mt::fail("job was planned for another core (atomic sizes, precision or weight loader differ from this build)");
  }
  Sim sim(trace);
  uint32_t status = mt::layout::STATUS_OK, completed = 0;
  mt::Writer body;
  for (uint32_t i = 0; i < h.n_items && status == mt::layout::STATUS_OK; i++) {
    Conv c = read_conv(in);
    Counters n{};
    if (!timed(n, [&] { return sim.run(c, n); })) status = mt::layout::STATUS_WATCHDOG;
    put_item(body, n, c.out.o, MT_DW);
    completed++;
  }
  if (status == mt::layout::STATUS_OK && !in.at_end()) mt::fail("job file has trailing bytes");
  return save_result(argv[2], status, completed, body);
}
