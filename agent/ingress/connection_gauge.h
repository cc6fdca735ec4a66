#pragma once
// The proxy's open client connections, and when a burst of them has passed. glibc keeps memory
// freed by a burst in its heap: 2,000 clients at once left ~23 MiB resident for good after they
// had gone. Once a burst has shrunk to an eighth of its peak, a worker's tick hands the free heap
// back to the system (util::release_free_memory), once per burst. Shared by the workers, lock-free.
#include <atomic>
#include <cstdint>

namespace skiff::agent::ingress {

class ConnectionGauge {
 public:
  // Fewer connections than this at the peak are not worth a trim.
  static constexpr std::int64_t kBurst = 256;

  void opened() {
    const std::int64_t now = open_.fetch_add(1, std::memory_order_relaxed) + 1;
    std::int64_t peak = peak_.load(std::memory_order_relaxed);
    while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
  }
  void closed() { open_.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t open() const { return open_.load(std::memory_order_relaxed); }

  // True once (for one caller) when a burst of at least kBurst connections is down to an eighth
  // of its peak; the peak then starts over from what is open now.
  bool burst_has_passed() {
    std::int64_t peak = peak_.load(std::memory_order_relaxed);
    const std::int64_t now = open();
    if (peak < kBurst || now > peak / 8) return false;
    return peak_.compare_exchange_strong(peak, now, std::memory_order_relaxed);
  }

 private:
  std::atomic<std::int64_t> open_{0};
  std::atomic<std::int64_t> peak_{0};
};

// Counts one connection as open for its lifetime.
class OpenConnection {
 public:
  explicit OpenConnection(ConnectionGauge& gauge) : gauge_(gauge) { gauge_.opened(); }
  ~OpenConnection() { gauge_.closed(); }
  OpenConnection(const OpenConnection&) = delete;
  OpenConnection& operator=(const OpenConnection&) = delete;

 private:
  ConnectionGauge& gauge_;
};

}  // namespace skiff::agent::ingress
