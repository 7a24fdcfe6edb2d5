// The primitives of mactile's job and result files, the binary boundary between the TypeScript side and
// the C++ drivers: reading a job file, writing a result file, elements of dw bits, and fatal errors.
// The layouts themselves (magics, version, codes, every record and field) are not written here: they are
// generated from the job-format table in src/sim/job/layout.ts into mt_job_layout.h, which every build
// gets next to mt_params.h (docs/JOB-FORMAT.md shows the table). Little-endian.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace mt {

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
    if (n > buf_.size() - pos_) fail("job file truncated");
    std::memcpy(dst, buf_.data() + pos_, n);
    pos_ += n;
  }
  // Fails unless `n` values of at least `size` bytes each can follow (checked before allocating them).
  void need_items(size_t n, size_t size) {
    if (size > 0 && n > (buf_.size() - pos_) / size) fail("job file truncated");
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

// `n` elements of dw bits (8 or 16, signed), held as int16.
inline void read_elems(Reader& in, std::vector<int16_t>& v, size_t n, unsigned dw) {
  in.need_items(n, dw / 8);
  v.resize(n);
  if (dw == 16) {
    in.bytes(v.data(), n * sizeof(int16_t));
  } else {
    for (auto& x : v) x = static_cast<int16_t>(in.get<int8_t>());
  }
}
inline void put_elems(Writer& out, const std::vector<int16_t>& v, unsigned dw) {
  if (dw == 16) {
    out.bytes(v.data(), v.size() * sizeof(int16_t));
  } else {
    for (int16_t x : v) out.put<int8_t>(static_cast<int8_t>(x));
  }
}

// A row-major matrix (the output memory as int16, partial sums as int64).
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

}  // namespace mt
