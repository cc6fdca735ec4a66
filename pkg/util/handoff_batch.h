#pragma once
// Gathers the work one thread hands to other threads while it finishes a batch, and hands it
// over once per receiving thread.
//
// The store's writer answers a whole group commit at once. Posted one by one, each answer takes
// its I/O thread's queue lock and may wake that thread: with 16 busy connections that is one
// futex wake (and often a lock the I/O thread then waits for) per answer. With a HandoffBatch
// open around the answers, each I/O thread gets one queue entry holding all of its answers, in
// the order they were handed off.
#include <functional>
#include <utility>
#include <vector>

namespace skiff::util {

// Where handed-off work runs: a thread (or threads) with a queue, such as an I/O context.
class HandoffTarget {
 public:
  virtual ~HandoffTarget() = default;
  // Any thread: queues `work` to run there.
  virtual void post(std::function<void()> work) = 0;
  // Any thread: queues `work` to run there in order (one queue entry for all of it).
  virtual void post_all(std::vector<std::function<void()>> work) = 0;
};

// Open on one thread for a scope; batches opened inside it add to the outermost one.
class HandoffBatch {
 public:
  HandoffBatch();
  ~HandoffBatch();  // hands everything kept to its targets
  HandoffBatch(const HandoffBatch&) = delete;
  HandoffBatch& operator=(const HandoffBatch&) = delete;

  // Keeps `work` for `target` when a batch is open on this thread; otherwise posts it at once.
  // The target must outlive the batch (the work usually holds what owns it).
  static void hand_off(HandoffTarget& target, std::function<void()> work);

 private:
  std::vector<std::pair<HandoffTarget*, std::vector<std::function<void()>>>> kept_;
  bool outermost_;
};

}  // namespace skiff::util
