// The DRAM timing model the memory-system drivers share (docs/MEMORY.md, "The DRAM port"): one channel per
// direction, bursts opening in order after the previous one's last beat, a bandwidth credit per burst in
// 1/65536 words per cycle, and the seeded back-pressure pattern of the test mode.
#pragma once
#include <algorithm>
#include <cstdint>
#include <deque>

namespace mt {

constexpr uint64_t DRAM_F = 65536;  // credit units per word

// One burst in flight on a channel: its first word's address, its length, the first cycle it may open.
struct Burst {
  uint32_t addr, len;
  uint64_t open_at;
  uint32_t sent = 0;
  bool opened = false;
};

// One direction of the DRAM port: bursts in order, each opening after the previous one's last beat.
struct Channel {
  std::deque<Burst> q;
  uint64_t next_free = 0, credit = 0;
  // Adds this cycle's credit to the head burst if it is open; returns the words of the beat it may carry (0: none).
  uint32_t offer(uint64_t t, uint64_t bw, uint32_t beat) {
    if (q.empty()) return 0;
    Burst& b = q.front();
    if (t < b.open_at || t < next_free) return 0;
    if (!b.opened) {
      b.opened = true;
      credit = 0;
    }
    credit = std::min(credit + bw, beat * DRAM_F + bw);
    uint32_t n = std::min<uint32_t>(beat, b.len - b.sent);
    return credit >= n * DRAM_F ? n : 0;
  }
  // Takes a beat of n words in cycle t; returns true when it ends the burst.
  bool take(uint32_t n, uint64_t t) {
    Burst& b = q.front();
    credit -= n * DRAM_F;
    b.sent += n;
    if (b.sent < b.len) return false;
    q.pop_front();
    next_free = t + 1;
    return true;
  }
};

// Seeded xorshift for the back-pressure test mode.
struct Noise {
  uint64_t s;
  uint32_t percent;
  bool hold() {
    if (percent == 0) return false;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s % 100 < percent;
  }
};

}  // namespace mt
