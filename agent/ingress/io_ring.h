#pragma once
// A Linux io_uring instance for one thread, on the raw system calls (no liburing): a submission
// queue the loop fills with socket operations and a completion queue it drains.
//
// Why the ingress proxy has one: a proxied request costs two receives, two sends and a share of
// an epoll_wait, and on small VMs and boards a system call and a thread wake-up cost more than
// the proxy's own work. A ring takes a loop's worth of operations in one io_uring_enter, and with
// IORING_SETUP_DEFER_TASKRUN (Linux 6.1) the kernel completes them in a batch when the loop asks,
// instead of interrupting it for each: measured on the 2-core VM, a minimal proxy loop did ~45,000
// requests/s this way against ~31,000 with epoll or with a ring without deferred completion.
#include <linux/io_uring.h>

#include <cstddef>
#include <cstdint>

namespace skiff::agent::ingress {

class IoRing {
 public:
  // Throws std::system_error when the kernel has no io_uring or refuses it (seccomp, the
  // kernel.io_uring_disabled sysctl). Asks for deferred completion and falls back to the plain
  // mode on kernels older than 6.1. Must be created on the thread that will use it.
  explicit IoRing(unsigned entries);
  ~IoRing();
  IoRing(const IoRing&) = delete;
  IoRing& operator=(const IoRing&) = delete;

  // A zeroed submission entry to fill; queued ones are submitted first when the queue is full.
  io_uring_sqe& next_sqe();
  // Submits what is queued, then waits until at least `wait_for` completions are available
  // (0: only runs the kernel's deferred completion work). Interrupted waits return early.
  void submit_and_wait(unsigned wait_for);
  // Calls `on_completion(const io_uring_cqe&)` for each available completion and releases them;
  // returns how many there were.
  template <class OnCompletion>
  std::size_t drain(OnCompletion&& on_completion);

  bool deferred_completion() const { return deferred_; }

 private:
  unsigned queued() const { return sqe_tail_ - __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE); }
  void release();
  void enter(unsigned submit, unsigned wait_for);

  int fd_ = -1;
  bool deferred_ = false;
  void* sq_ring_ = nullptr;
  std::size_t sq_ring_size_ = 0;
  void* cq_ring_ = nullptr;  // the same mapping as sq_ring_ with IORING_FEAT_SINGLE_MMAP
  std::size_t cq_ring_size_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  std::size_t sqes_size_ = 0;

  unsigned* sq_head_ = nullptr;
  unsigned* sq_tail_ = nullptr;
  unsigned* sq_array_ = nullptr;
  unsigned sq_mask_ = 0;
  unsigned sq_entries_ = 0;
  unsigned sqe_tail_ = 0;  // entries handed out; published to *sq_tail_ on submit
  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  unsigned cq_mask_ = 0;
  io_uring_cqe* cqes_ = nullptr;
};

template <class OnCompletion>
std::size_t IoRing::drain(OnCompletion&& on_completion) {
  std::size_t count = 0;
  unsigned head = *cq_head_;  // only this thread moves the head
  for (;;) {
    const unsigned tail = __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE);
    if (head == tail) break;
    for (; head != tail; ++head, ++count) {
      const io_uring_cqe cqe = cqes_[head & cq_mask_];
      // Released before the call, which may submit and wait again.
      __atomic_store_n(cq_head_, head + 1, __ATOMIC_RELEASE);
      on_completion(cqe);
    }
  }
  return count;
}

}  // namespace skiff::agent::ingress
