#pragma once
// The threads that pump node streams (log follow, exec) between a TunnelStream, whose read()
// blocks, and an HTTP stream or WebSocket, which do not. One thread per live stream, owned
// here so that nothing outlives the API server: shutdown() asks each to stop and joins it.
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace skiff::apiserver {

class StreamThreads {
 public:
  StreamThreads() = default;
  ~StreamThreads();
  StreamThreads(const StreamThreads&) = delete;
  StreamThreads& operator=(const StreamThreads&) = delete;

  // Runs `work` on a thread of its own. `stop` must make `work` return soon (e.g. cancel its
  // tunnel stream); shutdown() calls it. False (and nothing runs) after shutdown().
  bool run(std::function<void()> work, std::function<void()> stop);
  // Stops every thread and joins them. Idempotent.
  void shutdown();
  size_t running() const;

 private:
  // What a running thread shares with shutdown(); guarded by mutex_. Both functions are
  // released as soon as the work returns, so what they hold (a socket, a stream) does not live
  // on until the thread is joined.
  struct Slot {
    std::function<void()> stop;
    bool done = false;
  };
  struct Entry {
    std::thread thread;
    std::shared_ptr<Slot> slot;
  };
  void reap_locked();

  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
  bool shut_down_ = false;
};

}  // namespace skiff::apiserver
