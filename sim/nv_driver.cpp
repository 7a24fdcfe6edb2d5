// C++ driver of the generated NVDLA-style core. It only plays memory: it loads the feature buffer (atom
// order) and the weight buffer (sequencer order) of each convolution of a job, pulses `start`, answers
// read requests one cycle later, stores the results the core writes, and records the RTL's own counters.
// Usage: nv_driver JOB RESULT
#include <memory>

#include "Vmt_nv_top.h"
#include "mt_job.h"
#include "mt_harness.h"
#include "mt_lanes.h"
#include "mt_params.h"
#include "verilated.h"

namespace {

struct Conv {
  uint32_t dims[14];  // h, w, c, k, r, s, sh, sw, dh, dw, pt, pl, oh, ow
  uint32_t relu, trunc;
  int32_t zp, pad;
  uint64_t max_cycles;
  LaneMatrix feat, wgt;
  std::vector<int64_t> bias;
  std::vector<int32_t> mult;
  std::vector<uint32_t> shift;
  OutputMemory out;
};

Conv read_conv(mt::Reader& in) {
  Conv c;
  for (auto& d : c.dims) d = in.get<uint32_t>();
  c.relu = in.get<uint32_t>();
  c.zp = in.get<int32_t>();
  c.pad = in.get<int32_t>();
  c.trunc = in.get<uint32_t>();
  c.max_cycles = in.get<uint64_t>();
  mt::Matrix<int16_t> m;
  mt::read_matrix(in, m, MT_DW);
  c.feat.load(m);
  mt::read_matrix(in, m, MT_DW);
  c.wgt.load(m);
  uint32_t q = in.get<uint32_t>();
  c.bias.resize(q);
  c.mult.resize(q);
  c.shift.resize(q);
  for (uint32_t i = 0; i < q; i++) {
    c.bias[i] = in.get<int64_t>();
    c.mult[i] = in.get<int32_t>();
    c.shift[i] = in.get<uint32_t>();
  }
  uint32_t orows = in.get<uint32_t>(), ocols = in.get<uint32_t>();
  c.out.resize(orows, ocols);
  return c;
}

class Sim {
 public:
  Sim() : top_(new Vmt_nv_top) { reset(top_.get()); }
  ~Sim() { top_->final(); }

  bool run(Conv& c, Counters& n) {
    uint32_t* cfg[14] = {&top_->cfg_h, &top_->cfg_w, &top_->cfg_c, &top_->cfg_k, &top_->cfg_r, &top_->cfg_s, &top_->cfg_sh,
                         &top_->cfg_sw, &top_->cfg_dh, &top_->cfg_dw, &top_->cfg_pt, &top_->cfg_pl, &top_->cfg_oh, &top_->cfg_ow};
    for (int i = 0; i < 14; i++) *cfg[i] = c.dims[i];
    top_->cfg_relu = c.relu ? 1 : 0;
    top_->cfg_trunc = c.trunc;
    set_bits(top_->cfg_zp, 0, MT_DW, static_cast<uint64_t>(static_cast<int64_t>(c.zp)));
    set_bits(top_->cfg_pad, 0, MT_DW, static_cast<uint64_t>(static_cast<int64_t>(c.pad)));
    pulse_start(top_.get());
    uint64_t k = 0;
    while (top_->busy) {
      if (++k > c.max_cycles) return false;
      cycle(c, n);
    }
    n.cycles = top_->cnt_cycles;
    n.macs = top_->cnt_macs;
    n.outputs = top_->cnt_outputs;
    n.extra = top_->cnt_slots;
    return true;
  }

 private:
  void cycle(Conv& c, Counters& n) {
    const bool f = top_->f_rd_en, w = top_->w_rd_en, q = top_->q_rd_en;
    const uint32_t fc = top_->f_rd_col, wc = top_->w_rd_col, qr = top_->q_rd_row;
    if (top_->o_wr_en) c.out.write(top_->o_wr_mask, top_->o_wr_data, top_->o_wr_row, top_->o_wr_col, MT_ATOMK, MT_DW, n);
    top_->clk = 1;
    top_->eval();
    if (f) c.feat.read(top_->f_rd_data, 0, fc, MT_ATOMC);
    if (w) c.wgt.read(top_->w_rd_data, 0, wc, MT_WK * MT_ATOMC);
    if (q) {
      for (unsigned k = 0; k < MT_ATOMK; k++) {
        uint64_t r = static_cast<uint64_t>(qr) + k;
        bool in = r < c.bias.size();
        lane_set(top_->q_bias, k, 32, in ? c.bias[r] : POISON);
        lane_set(top_->q_mult, k, 32, in ? c.mult[r] : POISON);
        set_bits(top_->q_shift, k * 6, 6, in ? c.shift[r] : 0x2Au);
      }
    }
    top_->clk = 0;
    top_->eval();
  }

  std::unique_ptr<Vmt_nv_top> top_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) mt::fail("usage: nv_driver JOB RESULT");
  Verilated::commandArgs(1, argv);
  mt::Reader in(argv[1]);
  char magic[8];
  in.bytes(magic, 8);
  if (std::memcmp(magic, mt::JOB_MAGIC, 8) != 0) mt::fail("not a mactile job file");
  uint32_t kind = in.get<uint32_t>(), atomc = in.get<uint32_t>(), atomk = in.get<uint32_t>(), dw = in.get<uint32_t>(), wk = in.get<uint32_t>();
  if (kind != 2 || atomc != MT_ATOMC || atomk != MT_ATOMK || dw != MT_DW || wk != MT_WK) {
    mt::fail("job was planned for another core (atomic sizes, precision or weight loader differ from this build)");
  }
  uint32_t count = in.get<uint32_t>();
  Sim sim;
  uint32_t status = 0, completed = 0;
  mt::Writer body;
  for (uint32_t i = 0; i < count && status == 0; i++) {
    Conv c = read_conv(in);
    Counters n;
    if (!timed(n, [&] { return sim.run(c, n); })) status = 1;
    put_item(body, n, c.out.o, MT_DW);
    completed++;
  }
  if (status == 0 && !in.at_end()) mt::fail("job file has trailing bytes");
  return save_result(argv[2], status, completed, body);
}
