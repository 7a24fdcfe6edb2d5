// C++ driver of the NVDLA-style core with its memory system (docs/MEMORY.md, "NVDLA-style core"). It plays DRAM
// only: it holds each convolution's feature image, weight chunk images and output matrix, answers the RTL's
// AXI4-like read and write bursts with the job's bandwidth, latency and beat size (the shared model of
// mt_dram.h), and serves the SDP parameters on the q_ port. The CBUF regions, the read and write engines and the
// chunk sequencing are RTL. A back-pressure test mode holds off every handshake in a seeded random share of the
// cycles. Usage: nv_mem_driver JOB RESULT
#include <memory>

#include "Vmt_nv_mem_top.h"
#include "mt_dram.h"
#include "mt_job.h"
#include "mt_job_layout.h"
#include "mt_harness.h"
#include "mt_lanes.h"
#include "mt_params.h"
#include "verilated.h"

static_assert(MT_JOB_KIND == mt::layout::JOB_KIND_NVDLA_MEM, "this driver needs the mt_params.h of an NVDLA-style core with its memory system");

namespace {

class Sim {
 public:
  explicit Sim(const mt::layout::NvdlaMemJobHead& h) : top_(new Vmt_nv_mem_top), h_(h), noise_{h.stall_seed * 0x9E3779B97F4A7C15ULL + 1, h.stall_seed ? h.stall_percent : 0} {
    reset(top_.get());
  }
  ~Sim() { top_->final(); }

  // Runs one convolution against a fresh DRAM image; returns false when the watchdog stopped it.
  bool run(const mt::layout::NvdlaMemConv& j, mt::layout::MemResultItem& r) {
    const size_t nf = j.feature.data.size(), nw = j.weight.data.size(), no = static_cast<size_t>(j.o_rows) * j.o_cols;
    if (nf + nw + no > 0xFFFFFFFFull) mt::fail("convolution too large for 32-bit DRAM addresses");
    dram_.assign(nf + nw + no, 0);
    std::copy(j.feature.data.begin(), j.feature.data.end(), dram_.begin());
    std::copy(j.weight.data.begin(), j.weight.data.end(), dram_.begin() + nf);
    o_base_ = static_cast<uint32_t>(nf + nw);
    o_words_ = no;
    written_.assign(no, 0);
    rd_ = mt::Channel{};
    wr_ = mt::Channel{};
    b_due_.clear();
    auto* t = top_.get();
    t->cfg_h = j.h;
    t->cfg_w = j.w;
    t->cfg_c = j.c;
    t->cfg_k = j.k;
    t->cfg_r = j.r;
    t->cfg_s = j.s;
    t->cfg_sh = j.stride_h;
    t->cfg_sw = j.stride_w;
    t->cfg_dh = j.dilation_h;
    t->cfg_dw = j.dilation_w;
    t->cfg_pt = j.pad_top;
    t->cfg_pl = j.pad_left;
    t->cfg_oh = j.out_h;
    t->cfg_ow = j.out_w;
    t->cfg_relu = j.relu ? 1 : 0;
    t->cfg_trunc = j.truncate;
    set_bits(t->cfg_zp, 0, MT_DW, static_cast<uint64_t>(static_cast<int64_t>(j.zero_point)));
    set_bits(t->cfg_pad, 0, MT_DW, static_cast<uint64_t>(static_cast<int64_t>(j.pad_value)));
    t->cfg_kc = j.kc;
    t->cfg_chunks = j.chunks;
    t->cfg_wsingle = j.w_single ? 1 : 0;
    t->cfg_taps = j.taps;
    t->cfg_f_base = 0;
    t->cfg_w_base = static_cast<uint32_t>(nf);
    t->cfg_o_base = o_base_;
    quiet();
    t->start = 1;
    t->eval();
    edge(t);
    t->start = 0;
    for (uint64_t c = 1; t->busy; c++) {
      if (c > j.max_cycles) return false;
      cycle(j, c, r.base);
    }
    r.base.cycles = t->cnt_cycles;
    r.base.macs = t->cnt_macs;
    r.base.outputs = t->cnt_outputs;
    r.base.folds = t->cnt_slots;
    r.compute = t->cnt_compute;
    r.stall_ifmap = t->cnt_stall_feature;
    r.stall_filter = t->cnt_stall_weight;
    r.stall_ofmap = t->cnt_stall_output;
    r.dram_rd_ifmap = t->cnt_dram_rd_feature;
    r.dram_rd_filter = t->cnt_dram_rd_weight;
    r.dram_wr = t->cnt_dram_wr;
    r.sram_rd_ifmap = t->cnt_sram_rd_feature;
    r.sram_rd_filter = t->cnt_sram_rd_weight;
    r.sram_rd_ofmap = 0;
    r.sram_wr_ofmap = t->cnt_sram_wr_output;
    r.base.out.assign(dram_.begin() + o_base_, dram_.end());
    return true;
  }

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
      const mt::Burst& b = rd_.q.front();
      for (uint32_t i = 0; i < r_words_; i++) {
        uint64_t a = static_cast<uint64_t>(b.addr) + b.sent + i;
        lane_set(t->rdata, i, MT_DW, a < dram_.size() ? dram_[a] : POISON);
      }
    }
    w_words_ = wr_.offer(c, h_.bw_fixed, MT_BEAT);
    if (w_words_ && noise_.hold()) w_words_ = 0;
    t->wready = w_words_ ? 1 : 0;
    t->bvalid = (!b_due_.empty() && b_due_.front() <= c && !noise_.hold()) ? 1 : 0;
  }

  void cycle(const mt::layout::NvdlaMemConv& j, uint64_t c, mt::layout::ResultItem& r) {
    auto* t = top_.get();
    drive(c);
    t->eval();
    // Handshakes of cycle c.
    if (t->arvalid && t->arready) rd_.q.push_back({t->araddr, t->arlen, c + 1 + h_.latency});
    if (t->rvalid && t->rready) rd_.take(r_words_, c);
    if (t->awvalid && t->awready) wr_.q.push_back({t->awaddr, t->awlen, c + 1});
    if (t->wvalid && t->wready) {
      if (t->wcount != w_words_) mt::fail("write beat of " + std::to_string(t->wcount) + " words, the burst expects " + std::to_string(w_words_));
      const mt::Burst& b = wr_.q.front();
      for (uint32_t i = 0; i < w_words_; i++) store(static_cast<uint64_t>(b.addr) + b.sent + i, lane_get(t->wdata, i, MT_DW), r);
      if (wr_.take(w_words_, c)) b_due_.push_back(c + 1 + h_.latency);
    }
    if (t->bvalid && t->bready) b_due_.pop_front();
    const bool q = t->q_rd_en;
    const uint32_t qr = t->q_rd_row;
    t->clk = 1;
    t->eval();
    if (q) {
      for (unsigned k = 0; k < MT_ATOMK; k++) {
        uint64_t row = static_cast<uint64_t>(qr) + k;
        bool in = row < j.q.size();
        lane_set(t->q_bias, k, 32, in ? j.q[row].bias : POISON);
        lane_set(t->q_mult, k, 32, in ? j.q[row].mult : POISON);
        set_bits(t->q_shift, k * 6, 6, in ? j.q[row].shift : 0x2Au);
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

  std::unique_ptr<Vmt_nv_mem_top> top_;
  mt::layout::NvdlaMemJobHead h_;
  mt::Noise noise_;
  std::vector<int16_t> dram_;
  std::vector<uint8_t> written_;
  uint32_t o_base_ = 0;
  size_t o_words_ = 0;
  mt::Channel rd_, wr_;
  std::deque<uint64_t> b_due_;  // cycles the write responses are due
  uint32_t r_words_ = 0, w_words_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) mt::fail("usage: nv_mem_driver JOB RESULT");
  Verilated::commandArgs(1, argv);
  mt::Reader in(argv[1]);
  const mt::layout::NvdlaMemJobHead h = mt::layout::read_nvdla_mem_job_head(in);
  if (h.atomic_c != MT_ATOMC || h.atomic_k != MT_ATOMK || h.dw != MT_DW || h.weight_kernels != MT_WK || h.beat != MT_BEAT) {
    mt::fail("job was planned for another core (atomic sizes, precision, weight loader or DRAM beat differ from this build)");
  }
  if (h.bw_fixed == 0) mt::fail("job has a DRAM bandwidth of 0");
  Sim sim(h);
  uint32_t status = mt::layout::STATUS_OK, completed = 0;
  mt::Writer body;
  for (uint32_t i = 0; i < h.n_items && status == mt::layout::STATUS_OK; i++) {
    mt::layout::NvdlaMemConv j = mt::layout::read_nvdla_mem_conv(in, MT_DW);
    mt::layout::MemResultItem r{};
    if (!timed(r.base, [&] { return sim.run(j, r); })) status = mt::layout::STATUS_WATCHDOG;
    if (r.base.out.size() != static_cast<size_t>(j.o_rows) * j.o_cols) r.base.out.assign(static_cast<size_t>(j.o_rows) * j.o_cols, 0);
    mt::layout::put_mem_result_item(body, r, MT_DW);
    completed++;
  }
  if (status == mt::layout::STATUS_OK && !in.at_end()) mt::fail("job file has trailing bytes");
  mt::Writer out;
  mt::layout::put_mem_result_head(out, {status, completed});
  out.append(body);
  out.save(argv[2]);
  return status == mt::layout::STATUS_OK ? 0 : 3;
}
