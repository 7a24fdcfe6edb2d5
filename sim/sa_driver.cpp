// C++ driver of the generated systolic array. It only plays memory: it loads the operand matrices of
// each GEMM of a job, pulses `start`, answers the array's read requests one cycle later (synchronous
// SRAMs, write-first), stores its writes, and records the RTL's own counters until `busy` falls.
// Usage: sa_driver JOB RESULT
#include <memory>
#include <type_traits>

#include "Vmt_sa_top.h"
#include "mt_job.h"
#include "mt_harness.h"
#include "mt_lanes.h"
#include "mt_params.h"
#include "verilated.h"

namespace {

struct Gemm {
  uint32_t m, k, n, relu;
  int32_t zp;
  uint64_t max_cycles;
  LaneMatrix p1, p2;
  OutputMemory out;
  mt::Matrix<int64_t> acc;
  std::vector<int64_t> bias;
  std::vector<int32_t> mult;
  std::vector<uint32_t> shift;
};

Gemm read_gemm(mt::Reader& in) {
  Gemm g;
  g.m = in.get<uint32_t>();
  g.k = in.get<uint32_t>();
  g.n = in.get<uint32_t>();
  g.relu = in.get<uint32_t>();
  g.zp = in.get<int32_t>();
  g.max_cycles = in.get<uint64_t>();
  mt::Matrix<int16_t> m;
  mt::read_matrix(in, m, MT_DW);
  g.p1.load(m);
  mt::read_matrix(in, m, MT_DW);
  g.p2.load(m);
  uint32_t q = in.get<uint32_t>();
  g.bias.resize(q);
  g.mult.resize(q);
  g.shift.resize(q);
  for (uint32_t i = 0; i < q; i++) {
    g.bias[i] = in.get<int64_t>();
    g.mult[i] = in.get<int32_t>();
    g.shift[i] = in.get<uint32_t>();
  }
  uint32_t orows = in.get<uint32_t>(), ocols = in.get<uint32_t>();
  g.out.resize(orows, ocols);
  uint32_t arows = in.get<uint32_t>(), acols = in.get<uint32_t>();
  g.acc.resize(acols, arows);  // stored column by column: the lanes of one access are contiguous
  return g;
}

class Sim {
 public:
  Sim() : top_(new Vmt_sa_top) { reset(top_.get()); }
  ~Sim() { top_->final(); }

  // Runs one GEMM; returns false when the watchdog stopped it.
  bool run(Gemm& g, Counters& c) {
    top_->cfg_m = g.m;
    top_->cfg_k = g.k;
    top_->cfg_n = g.n;
    top_->cfg_relu = g.relu ? 1 : 0;
    set_bits(top_->cfg_zp, 0, MT_DW, static_cast<uint64_t>(static_cast<int64_t>(g.zp)));
    pulse_start(top_.get());
    uint64_t n = 0;
    while (top_->busy) {
      if (++n > g.max_cycles) return false;
      cycle(g, c);
    }
    c.cycles = top_->cnt_cycles;
    c.macs = top_->cnt_macs;
    c.outputs = top_->cnt_outputs;
    c.extra = top_->cnt_folds;
    return true;
  }

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
        else c.outside++;
      }
    }
#endif
    top_->clk = 1;
    top_->eval();
    // Read data for the requests above, visible during the next cycle.
    if (p1) g.p1.read(top_->p1_rd_data, p1r, p1c, MT_ROWS);
    if (p2) g.p2.read(top_->p2_rd_data, p2r, p2c, MT_COLS);
    if (q) {
      for (unsigned j = 0; j < MT_Q_LANES; j++) {
        uint64_t r = static_cast<uint64_t>(qr) + j;
        bool in = r < g.bias.size();
        lane_set(top_->q_bias, j, MT_ACC_W, in ? g.bias[r] : POISON);
        lane_set(top_->q_mult, j, 32, in ? g.mult[r] : POISON);
        set_bits(top_->q_shift, j * 6, 6, in ? g.shift[r] : 0x2Au);
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
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) mt::fail("usage: sa_driver JOB RESULT");
  Verilated::commandArgs(1, argv);
  mt::Reader in(argv[1]);
  char magic[8];
  in.bytes(magic, 8);
  if (std::memcmp(magic, mt::JOB_MAGIC, 8) != 0) mt::fail("not a mactile job file");
  uint32_t kind = in.get<uint32_t>(), rows = in.get<uint32_t>(), cols = in.get<uint32_t>(), dw = in.get<uint32_t>(),
           accw = in.get<uint32_t>(), df = in.get<uint32_t>();
  if (kind != 1 || rows != MT_ROWS || cols != MT_COLS || dw != MT_DW || accw != MT_ACC_W || df != MT_DATAFLOW) {
    mt::fail("job was planned for another array (rows, cols, precision or dataflow differ from this build)");
  }
  uint32_t n_gemms = in.get<uint32_t>();
  Sim sim;
  uint32_t status = 0, completed = 0;
  mt::Writer body;
  for (uint32_t i = 0; i < n_gemms && status == 0; i++) {
    Gemm g = read_gemm(in);
    Counters c;
    if (!timed(c, [&] { return sim.run(g, c); })) status = 1;
    put_item(body, c, g.out.o, MT_DW);
    completed++;
  }
  if (status == 0 && !in.at_end()) mt::fail("job file has trailing bytes");
  return save_result(argv[2], status, completed, body);
}
