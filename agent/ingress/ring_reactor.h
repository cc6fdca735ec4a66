#pragma once
// A worker's event loop on an IoRing, in place of its io_context's run(): it submits the
// operations the connections queued, waits, completes what the kernel finished by calling their
// handlers (which resumes the connections' coroutines), and runs what was posted to the context
// (Beast's composed operations post their immediate completions). Single-threaded but for
// wake().
//
// An operation is a RingOp: it owns its completion handler and the memory the kernel reads or
// writes while it is in flight (addresses, iovecs), and is freed before its handler runs.
#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "agent/ingress/io_ring.h"

namespace skiff::agent::ingress {

class RingOp {
 public:
  // The kernel's (or a local) result: bytes, a descriptor, or -errno. Frees the operation, then
  // calls its handler.
  virtual void complete(int result) = 0;
  // Frees the operation and its handler without calling it (the worker is shutting down).
  virtual void discard() = 0;

  // The owner's pointer to this operation (a socket's pending read, a waiter's wait), so the
  // owner can cancel it; cleared when the operation completes or is dropped.
  RingOp** owner = nullptr;
  bool in_kernel = false;  // submitted, completion not seen yet

 protected:
  RingOp() = default;
  ~RingOp() = default;

 private:
  friend class RingReactor;
  RingOp* previous_ = nullptr;
  RingOp* next_ = nullptr;
};

class RingReactor {
 public:
  // Throws std::system_error when io_uring is not available. Call on the worker's thread.
  RingReactor(boost::asio::io_context& context, unsigned entries);
  ~RingReactor();  // cancels what is in flight, waits for the kernel to let go, drops handlers
  RingReactor(const RingReactor&) = delete;
  RingReactor& operator=(const RingReactor&) = delete;

  boost::asio::io_context& context() { return context_; }
  bool deferred_completion() const { return ring_.deferred_completion(); }

  // The entry for `op`, to be filled by the caller (opcode, descriptor, addresses).
  io_uring_sqe& submit(RingOp& op);
  // Asks the kernel to give up `op`; it then completes with -ECANCELED (or its real result if it
  // had finished already).
  void cancel(RingOp& op);
  // Hands what is queued to the kernel now, without waiting. Before a descriptor with queued
  // operations is closed: the kernel takes its reference to the file at submission, and a
  // number closed before that would fail them, or reach whatever reuses the number.
  void flush() { ring_.submit_and_wait(0); }
  // Completes `op` with `result` from the loop, not from the caller's stack.
  void complete_soon(RingOp& op, int result);
  // Registers an operation that only complete_soon() finishes (no kernel part).
  void track(RingOp& op);

  // Runs the loop, and the context's handlers with it, until the io_context is stopped; calls
  // `on_tick` every `tick`. Call instead of the context's run().
  void run(std::chrono::milliseconds tick, std::function<void()> on_tick);
  // Any thread: makes the loop look at the context (after posting to it).
  void wake();

  // Memory for operations, recycled: a request allocates several.
  void* allocate(std::size_t size);
  void deallocate(void* block, std::size_t size);
  bool shutting_down() const { return shutting_down_; }

 private:
  struct Ready {
    RingOp* op;
    int result;
  };
  // The loop's own operations: the wake-up read and the tick. They own no handler.
  class LoopOp final : public RingOp {
   public:
    LoopOp(RingReactor& reactor, void (RingReactor::*on_complete)(int))
        : reactor_(reactor), on_complete_(on_complete) {}
    void complete(int result) override { (reactor_.*on_complete_)(result); }
    void discard() override {}

   private:
    RingReactor& reactor_;
    void (RingReactor::*on_complete_)(int);
  };
  void link(RingOp& op);
  void unlink(RingOp& op);  // and detaches it from its owner
  void arm_wake();
  void arm_tick();
  void woken(int result);
  void ticked(int result);
  void on_completion(const io_uring_cqe& cqe);
  void complete_available();

  boost::asio::io_context& context_;
  IoRing ring_;
  RingOp* live_ = nullptr;  // every operation not completed yet
  std::vector<Ready> ready_;
  std::vector<Ready> completing_;  // the ones being completed, out of ready_
  std::vector<void*> spare_blocks_;
  int wake_fd_ = -1;
  std::uint64_t wake_count_ = 0;  // the eventfd read lands here
  struct __kernel_timespec tick_interval_ {};
  std::function<void()> on_tick_;
  LoopOp wake_op_{*this, &RingReactor::woken};
  LoopOp tick_op_{*this, &RingReactor::ticked};
  bool shutting_down_ = false;
};

// Operations with the proxy's usual handlers fit a block; larger ones go to the heap.
inline constexpr std::size_t kRingOpBlock = 768;

// Allocates an operation of type Op in the reactor's recycled memory.
template <class Op, class... Args>
Op& make_ring_op(RingReactor& reactor, Args&&... args) {
  void* memory = reactor.allocate(sizeof(Op));
  return *new (memory) Op(std::forward<Args>(args)...);
}

// Destroys an operation made by make_ring_op and gives its memory back.
template <class Op>
void free_ring_op(RingReactor& reactor, Op& op) {
  op.~Op();
  reactor.deallocate(&op, sizeof(Op));
}

}  // namespace skiff::agent::ingress
