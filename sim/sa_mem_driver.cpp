// C++ driver of the systolic array with its memory system (docs/MEMORY.md). It plays DRAM only: it holds the
// operand and output matrices of each GEMM, answers the RTL's AXI4-like read and write bursts with the job's
// bandwidth (a credit per burst, in 1/65536 words per cycle), latency and beat size, and serves the
// requantization parameters on the q_ port. Scratchpads, DMA and tile sequencing are RTL. A back-pressure test
// mode holds off every handshake in a seeded random share of the cycles. Usage: sa_mem_driver JOB RESULT
// An activity build (MT_ACTIVITY) also writes RESULT.activity: per item the increase of the RTL's toggle
// counters, the PE array's (a, b, psum) and the memory buses' (docs/ENERGY.md).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "Vmt_sa_mem_top.h"
#include "mt_dram.h"
#include "mt_job.h"
#include "mt_job_layout.h"
#include "mt_harness.h"
#include "mt_lanes.h"
#include "mt_params.h"
#include "verilated.h"

static_assert(MT_JOB_KIND == mt::layout::JOB_KIND_SYSTOLIC_MEM, "this driver needs the mt_params.h of a systolic array with its memory system");

namespace {

using mt::Burst;
using mt::Channel;
using mt::Noise;

class Sim {
 public:
  explicit Sim(const mt::layout::SystolicMemJobHead& h) : top_(new Vmt_sa_mem_top), h_(h), noise_{h.stall_seed * 0x9E3779B97F4A7C15ULL + 1, h.stall_seed ? h.stall_percent : 0} {
    reset(top_.get());
  }
  ~Sim() { top_->final(); }

  // Runs one GEMM against a fresh DRAM image; returns false when the watchdog stopped it.
  bool run(const mt::layout::SystolicMemGemm& g, mt::layout::MemResultItem& r) {
    const size_t n1 = g.p1.data.size(), n2 = g.p2.data.size(), no = static_cast<size_t>(g.o_rows) * g.o_cols;
    if (n1 + n2 + no > 0xFFFFFFFFull) mt::fail("GEMM too large for 32-bit DRAM addresses");
    dram_.assign(n1 + n2 + no, 0);
    std::copy(g.p1.data.begin(), g.p1.data.end(), dram_.begin());
    std::copy(g.p2.data.begin(), g.p2.data.end(), dram_.begin() + n1);
    o_base_ = static_cast<uint32_t>(n1 + n2);
    o_words_ = no;
    written_.assign(no, 0);
    rd_ = Channel{};
    wr_ = Channel{};
    b_due_.clear();
    auto* t = top_.get();
    t->cfg_m = g.m;
    t->cfg_k = g.k;
    t->cfg_n = g.n;
    t->cfg_mt = g.mt;
    t->cfg_nt = g.nt;
    t->cfg_mtiles = g.m_tiles;
    t->cfg_ntiles = g.n_tiles;
    t->cfg_p1_base = 0;
    t->cfg_p2_base = static_cast<uint32_t>(n1);
    t->cfg_o_base = o_base_;
    t->cfg_relu = g.relu ? 1 : 0;
    set_bits(t->cfg_zp, 0, MT_DW, static_cast<uint64_t>(static_cast<int64_t>(g.zero_point)));
#if MT_IFMAP_NHWC
    // Layout nhwc (docs/MEMORY.md, stage 2): the input geometry of the address generator.
    t->cfg_fm_ih = g.fm.ih;
    t->cfg_fm_iw = g.fm.iw;
    t->cfg_fm_c = g.fm.c;
    t->cfg_fm_oh = g.fm.oh;
    t->cfg_fm_ow = g.fm.ow;
    t->cfg_fm_kh = g.fm.kh;
    t->cfg_fm_kw = g.fm.kw;
    t->cfg_fm_sh = g.fm.sh;
    t->cfg_fm_sw = g.fm.sw;
    t->cfg_fm_pt = g.fm.pt;
    t->cfg_fm_pl = g.fm.pl;
    t->cfg_fm_dh = g.fm.dh;
    t->cfg_fm_dw = g.fm.dw;
    set_bits(t->cfg_fm_pad, 0, MT_DW, static_cast<uint64_t>(static_cast<int64_t>(g.fm.pad)));
#endif
    quiet();
    t->start = 1;
    t->eval();
    edge(t);
    t->start = 0;
    for (uint64_t c = 1; t->busy; c++) {
      if (c > g.max_cycles) return false;
      cycle(g, c, r.base);
    }
    r.base.cycles = t->cnt_cycles;
    r.base.macs = t->cnt_macs;
    r.base.outputs = t->cnt_outputs;
    r.base.folds = t->cnt_folds;
    r.compute = t->cnt_compute;
    r.stall_ifmap = t->cnt_stall_ifmap;
    r.stall_filter = t->cnt_stall_filter;
    r.stall_ofmap = t->cnt_stall_ofmap;
    r.dram_rd_ifmap = t->cnt_dram_rd_ifmap;
    r.dram_rd_filter = t->cnt_dram_rd_filter;
    r.dram_wr = t->cnt_dram_wr;
    r.sram_rd_ifmap = t->cnt_sram_rd_ifmap;
    r.sram_rd_filter = t->cnt_sram_rd_filter;
    r.sram_rd_ofmap = t->cnt_sram_rd_ofmap;
    r.sram_wr_ofmap = t->cnt_sram_wr_ofmap;
    r.base.out.assign(dram_.begin() + o_base_, dram_.end());
#ifdef MT_ACTIVITY
    // The order of MEMORY_BUSES in src/accel/systolic/mem-activity.ts, after the array's three.
    const uint64_t now[kCounters] = {t->act_a_toggles,        t->act_b_toggles,         t->act_psum_toggles,
                                     t->act_ifmap_rd_toggles, t->act_ifmap_wr_toggles,  t->act_filter_rd_toggles,
                                     t->act_filter_wr_toggles, t->act_ofmap_rd_toggles, t->act_ofmap_wr_toggles,
                                     t->act_dram_rd_toggles,  t->act_dram_wr_toggles};
    for (int i = 0; i < kCounters; i++) {
      toggles.push_back(now[i] - seen_[i]);
      seen_[i] = now[i];
    }
#endif
    return true;
  }

#ifdef MT_ACTIVITY
  static constexpr int kCounters = 11;
  // Per item the increase of the activity counters, kCounters per item.
  std::vector<uint64_t> toggles;
#endif

 private:
  // No beat offered, every ready high (the inputs before the first cycle).
  void quiet() {
    auto* t = top_.get();
    t->arready = 1;
    t->awready = 1;
    t->rvalid = 0;
    t->wready = 0;
    t->bvalid = 0;
    t->rcount = 0;
  }

  // The DRAM's inputs for cycle c, from the bursts in flight (decided before the RTL's requests of the cycle).
  void drive(uint64_t c) {
    auto* t = top_.get();
    t->arready = noise_.hold() ? 0 : 1;
    t->awready = noise_.hold() ? 0 : 1;
    r_words_ = rd_.offer(c, h_.bw_fixed, MT_BEAT);
    if (r_words_ && noise_.hold()) r_words_ = 0;
    t->rvalid = r_words_ ? 1 : 0;
    t->rcount = r_words_;
    if (r_words_) {
      const Burst& b = rd_.q.front();
      for (uint32_t j = 0; j < r_words_; j++) {
        uint64_t a = static_cast<uint64_t>(b.addr) + b.sent + j;
        lane_set(t->rdata, j, MT_DW, a < dram_.size() ? dram_[a] : POISON);
      }
    }
    w_words_ = wr_.offer(c, h_.bw_fixed, MT_BEAT);
    if (w_words_ && noise_.hold()) w_words_ = 0;
    t->wready = w_words_ ? 1 : 0;
    t->bvalid = (!b_due_.empty() && b_due_.front() <= c && !noise_.hold()) ? 1 : 0;
  }

  void cycle(const mt::layout::SystolicMemGemm& g, uint64_t c, mt::layout::ResultItem& r) {
    auto* t = top_.get();
    drive(c);
    t->eval();
    // Handshakes of cycle c.
    if (t->fold_pulse) r.fold_starts.push_back(t->cnt_cycles);
    if (t->arvalid && t->arready) rd_.q.push_back({t->araddr, t->arlen, c + 1 + h_.latency});
    if (t->rvalid && t->rready) rd_.take(r_words_, c);
    if (t->awvalid && t->awready) wr_.q.push_back({t->awaddr, t->awlen, c + 1});
    if (t->wvalid && t->wready) {
      if (t->wcount != w_words_) mt::fail("write beat of " + std::to_string(t->wcount) + " words, the burst expects " + std::to_string(w_words_));
      const Burst& b = wr_.q.front();
      for (uint32_t j = 0; j < w_words_; j++) store(static_cast<uint64_t>(b.addr) + b.sent + j, lane_get(t->wdata, j, MT_DW), r);
      if (wr_.take(w_words_, c)) b_due_.push_back(c + 1 + h_.latency);
    }
    if (t->bvalid && t->bready) b_due_.pop_front();
    const bool q = t->q_rd_en;
    const uint32_t qr = t->q_rd_row;
    t->clk = 1;
    t->eval();
    if (q) {
      for (unsigned j = 0; j < MT_Q_LANES; j++) {
        uint64_t row = static_cast<uint64_t>(qr) + j;
        bool in = row < g.q.size();
        lane_set(t->q_bias, j, MT_ACC_W, in ? g.q[row].bias : POISON);
        lane_set(t->q_mult, j, 32, in ? g.q[row].mult : POISON);
        set_bits(t->q_shift, j * 6, 6, in ? g.q[row].shift : 0x2Au);
      }
    }
    t->clk = 0;
    t->eval();
  }

  // One word written to DRAM: inside the output matrix it is recorded, anywhere else it counts as outside.
  void store(uint64_t a, int64_t v, mt::layout::ResultItem& r) {
    r.lane_writes++;
    if (a < o_base_ || a >= o_base_ + o_words_) {
      r.outside_writes++;
      return;
    }
    if (written_[a - o_base_]++) r.repeated_writes++;
    dram_[a] = static_cast<int16_t>(v);
  }

  std::unique_ptr<Vmt_sa_mem_top> top_;
  mt::layout::SystolicMemJobHead h_;
  Noise noise_;
  std::vector<int16_t> dram_;
  std::vector<uint8_t> written_;
  uint32_t o_base_ = 0;
  size_t o_words_ = 0;
  Channel rd_, wr_;
  std::deque<uint64_t> b_due_;  // cycles the write responses are due
  uint32_t r_words_ = 0, w_words_ = 0;
#ifdef MT_ACTIVITY
  uint64_t seen_[kCounters] = {};  // the activity counters after the last item
#endif
};

#ifdef MT_ACTIVITY
// Writes RESULT.activity: one line per completed item, its toggles of every counter.
void save_activity(const char* result, const std::vector<uint64_t>& t, size_t per_item) {
  const std::string path = std::string(result) + ".activity";
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) mt::fail("cannot write " + path);
  for (size_t i = 0; i + per_item <= t.size(); i += per_item)
    for (size_t k = 0; k < per_item; k++)
      std::fprintf(f, "%llu%c", static_cast<unsigned long long>(t[i + k]), k + 1 == per_item ? '\n' : ' ');
  std::fclose(f);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) mt::fail("usage: sa_mem_driver JOB RESULT");
  Verilated::commandArgs(1, argv);
  mt::Reader in(argv[1]);
  const mt::layout::SystolicMemJobHead h = mt::layout::read_systolic_mem_job_head(in);
  if (h.rows != MT_ROWS || h.cols != MT_COLS || h.dw != MT_DW || h.acc_w != MT_ACC_W || h.dataflow != MT_DATAFLOW || h.beat != MT_BEAT) {
    mt::fail("job was planned for another array (rows, cols, precision, dataflow or DRAM beat differ from this build)");
  }
  if (h.timing != MT_TIMING) {
    mt::fail(std::string("job was planned for another timing mode (") + mt::layout::timing_name(h.timing) + " fold timing; this build runs " +
             mt::layout::timing_name(MT_TIMING) + ")");
  }
  if (h.bw_fixed == 0) mt::fail("job has a DRAM bandwidth of 0");
  Sim sim(h);
  uint32_t status = mt::layout::STATUS_OK, completed = 0;
  mt::Writer body;
  for (uint32_t i = 0; i < h.n_items && status == mt::layout::STATUS_OK; i++) {
    mt::layout::SystolicMemGemm g = mt::layout::read_systolic_mem_gemm(in, MT_DW);
    mt::layout::MemResultItem r{};
    if (!timed(r.base, [&] { return sim.run(g, r); })) status = mt::layout::STATUS_WATCHDOG;
    if (r.base.out.size() != static_cast<size_t>(g.o_rows) * g.o_cols) r.base.out.assign(static_cast<size_t>(g.o_rows) * g.o_cols, 0);
    mt::layout::put_mem_result_item(body, r, MT_DW);
    completed++;
  }
  if (status == mt::layout::STATUS_OK && !in.at_end()) mt::fail("job file has trailing bytes");
  mt::Writer out;
  mt::layout::put_mem_result_head(out, {status, completed});
  out.append(body);
  out.save(argv[2]);
#ifdef MT_ACTIVITY
  save_activity(argv[2], sim.toggles, Sim::kCounters);
#endif
  return status == mt::layout::STATUS_OK ? 0 : 3;
}
