// mactile job and result files: the binary boundary between the TypeScript side and the C++ drivers.
// Little-endian. Layout (the TypeScript writer in src/sim/job.ts follows it field by field):
//
// Job:    magic "MTJOB01\0", u32 kind (1 systolic), u32 rows, cols, dw, acc_w, dataflow, u32 n_gemms,
//         then per GEMM: u32 m, k, n, relu; i32 zero_point; u64 max_cycles;
//                        matrix P1, matrix P2 (u32 rows, u32 cols, then rows*cols elements of dw/8 bytes);
//                        u32 q_rows, then per row: i64 bias, i32 mult, u32 shift;
//                        u32 o_rows, o_cols; u32 acc_rows, acc_cols (0 when the dataflow has no K folds).
// Result: magic "MTRES01\0", u32 status (0 ok, 1 watchdog), u32 n_gemms (completed or stopped),
//         then per GEMM: u64 cycles, macs, outputs, folds (the RTL's counters), u64 lane_writes,
//                        u64 repeated_writes, u64 outside_writes (seen by the driver's memory),
//                        u64 sim_ns (steady-clock time of the item's clocked loop, for speed benchmarks),
//                        u32 n_fold_starts, u64 fold_start_cycle[n], o_rows*o_cols elements of dw/8 bytes.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace mt {

static const char JOB_MAGIC[8] = {'M', 'T', 'J', 'O', 'B', '0', '1', 0};
static const char RES_MAGIC[8] = {'M', 'T', 'R', 'E', 'S', '0', '1', 0};

[[noreturn]] inline void fail(const std::string& msg, int code = 2) {
  std::fprintf(stderr, "driver: %s\n", msg.c_str());
  std::exit(code);
}

class Reader {
 public:
  explicit Reader(const char* path) {
    FILE* f = std::fopen(path, "rb");
    if (!f) fail(std::string("cannot open job file ") + path);
    std::fseek(f, 0, SEEK_END);
    long n = std::ftell(f);
    std::fseek(f, 0, SEEK_SET);
    buf_.resize(n > 0 ? static_cast<size_t>(n) : 0);
    if (n > 0 && std::fread(buf_.data(), 1, buf_.size(), f) != buf_.size()) fail("short read of job file");
    std::fclose(f);
  }
  template <class T> T get() {
    if (pos_ + sizeof(T) > buf_.size()) fail("job file truncated");
    T v;
    std::memcpy(&v, buf_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  void bytes(void* dst, size_t n) {
    if (pos_ + n > buf_.size()) fail("job file truncated");
    std::memcpy(dst, buf_.data() + pos_, n);
    pos_ += n;
  }
  bool at_end() const { return pos_ == buf_.size(); }

 private:
  std::vector<uint8_t> buf_;
  size_t pos_ = 0;
};

class Writer {
 public:
  template <class T> void put(T v) {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(&v);
    buf_.insert(buf_.end(), p, p + sizeof(T));
  }
  void bytes(const void* src, size_t n) {
    const uint8_t* p = static_cast<const uint8_t*>(src);
    buf_.insert(buf_.end(), p, p + n);
  }
  void append(const Writer& other) { buf_.insert(buf_.end(), other.buf_.begin(), other.buf_.end()); }
  void save(const char* path) const {
    std::string tmp = std::string(path) + ".part";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) fail(std::string("cannot write result file ") + path);
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f) != buf_.size()) fail("short write of result file");
    std::fclose(f);
    if (std::rename(tmp.c_str(), path) != 0) fail(std::string("cannot rename result file to ") + path);
  }

 private:
  std::vector<uint8_t> buf_;
};

// A row-major matrix (operands and outputs as int16, partial sums as int64).
template <class T>
struct Matrix {
  uint32_t rows = 0, cols = 0;
  std::vector<T> v;
  void resize(uint32_t r, uint32_t c) {
    rows = r;
    cols = c;
    v.assign(static_cast<size_t>(r) * c, 0);
  }
  bool inside(uint64_t r, uint64_t c) const { return r < rows && c < cols; }
  T& at(uint64_t r, uint64_t c) { return v[r * cols + c]; }
};

inline void read_matrix(Reader& in, Matrix<int16_t>& m, unsigned dw) {
  uint32_t r = in.get<uint32_t>(), c = in.get<uint32_t>();
  m.resize(r, c);
  if (dw == 16) {
    in.bytes(m.v.data(), m.v.size() * sizeof(int16_t));
  } else {
    for (auto& x : m.v) x = static_cast<int16_t>(in.get<int8_t>());
  }
}

}  // namespace mt
