#include "agent/ingress/ring_reactor.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

namespace skiff::agent::ingress {

RingReactor::RingReactor(boost::asio::io_context& context, unsigned entries)
    : context_(context), ring_(entries) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw std::system_error(errno, std::system_category(), "eventfd");
  ready_.reserve(64);
}

RingReactor::~RingReactor() {
  shutting_down_ = true;
  // The kernel may still write into operations' buffers until it has answered each one.
  for (RingOp* op = live_; op; op = op->next_) {
    if (op->in_kernel) cancel(*op);
  }
  auto in_kernel = [this] {
    for (RingOp* op = live_; op; op = op->next_) {
      if (op->in_kernel) return true;
    }
    return false;
  };
  while (in_kernel()) {
    ring_.submit_and_wait(1);
    ring_.drain([](const io_uring_cqe& cqe) {
      if (auto* op = reinterpret_cast<RingOp*>(cqe.user_data)) op->in_kernel = false;
    });
  }
  // Handlers go without being called; dropping one may destroy a coroutine and its sockets,
  // which must not find an operation of theirs that is gone already.
  for (RingOp* op = live_; op; op = op->next_) {
    if (op->owner) *op->owner = nullptr;
    op->owner = nullptr;
  }
  ready_.clear();
  while (live_) {
    RingOp* op = live_;
    unlink(*op);
    op->discard();
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
  for (void* block : spare_blocks_) std::free(block);
}

io_uring_sqe& RingReactor::submit(RingOp& op) {
  io_uring_sqe& sqe = ring_.next_sqe();
  sqe.user_data = reinterpret_cast<std::uint64_t>(&op);
  op.in_kernel = true;
  link(op);
  return sqe;
}

void RingReactor::cancel(RingOp& op) {
  io_uring_sqe& sqe = ring_.next_sqe();
  sqe.opcode = IORING_OP_ASYNC_CANCEL;
  sqe.fd = -1;
  sqe.addr = reinterpret_cast<std::uint64_t>(&op);
  sqe.user_data = 0;  // its own answer (found or not) does not matter
}

void RingReactor::complete_soon(RingOp& op, int result) {
  ready_.push_back(Ready{&op, result});
}

void RingReactor::track(RingOp& op) {
  op.in_kernel = false;
  link(op);
}

void RingReactor::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof one);
}

void RingReactor::run(std::chrono::milliseconds tick, std::function<void()> on_tick) {
  on_tick_ = std::move(on_tick);
  tick_interval_.tv_sec = tick.count() / 1000;
  tick_interval_.tv_nsec = (tick.count() % 1000) * 1'000'000;
  // Still armed from an earlier run() that returned when the context stopped.
  if (!wake_op_.in_kernel) arm_wake();
  if (!tick_op_.in_kernel) arm_tick();
  // Completions run in a handler of the context (through poll), not from this frame: so the
  // context's per-thread bookkeeping (work counts, recycled handler memory) applies to them as
  // it does to everything else that runs there.
  auto work = boost::asio::make_work_guard(context_);
  const auto complete_all = [this] { complete_available(); };
  while (!context_.stopped()) {
    boost::asio::post(context_, complete_all);
    context_.poll();
    if (context_.stopped()) break;
    ring_.submit_and_wait(ready_.empty() ? 1 : 0);
  }
}

void RingReactor::complete_available() {
  ring_.drain([this](const io_uring_cqe& cqe) { on_completion(cqe); });
  // Local completions, in order; completing one may queue more, taken in the next round.
  completing_.swap(ready_);
  for (const Ready& ready : completing_) {
    unlink(*ready.op);
    ready.op->complete(ready.result);
  }
  completing_.clear();
}

void RingReactor::woken(int) {
  if (!shutting_down_) arm_wake();
}

void RingReactor::ticked(int) {
  if (shutting_down_) return;
  if (on_tick_) on_tick_();
  arm_tick();
}

void RingReactor::on_completion(const io_uring_cqe& cqe) {
  auto* op = reinterpret_cast<RingOp*>(cqe.user_data);
  if (!op) return;  // a cancellation's own answer
  op->in_kernel = false;
  unlink(*op);
  op->complete(cqe.res);
}

void RingReactor::arm_wake() {
  io_uring_sqe& sqe = submit(wake_op_);
  sqe.opcode = IORING_OP_READ;
  sqe.fd = wake_fd_;
  sqe.addr = reinterpret_cast<std::uint64_t>(&wake_count_);
  sqe.len = sizeof wake_count_;
}

void RingReactor::arm_tick() {
  io_uring_sqe& sqe = submit(tick_op_);
  sqe.opcode = IORING_OP_TIMEOUT;
  sqe.fd = -1;
  sqe.addr = reinterpret_cast<std::uint64_t>(&tick_interval_);
  sqe.len = 1;
}

void* RingReactor::allocate(std::size_t size) {
  if (size > kRingOpBlock) return std::malloc(size);
  if (spare_blocks_.empty()) return std::malloc(kRingOpBlock);
  void* block = spare_blocks_.back();
  spare_blocks_.pop_back();
  return block;
}

void RingReactor::deallocate(void* block, std::size_t size) {
  if (size <= kRingOpBlock && spare_blocks_.size() < 1024) {
    spare_blocks_.push_back(block);
  } else {
    std::free(block);
  }
}

void RingReactor::link(RingOp& op) {
  op.previous_ = nullptr;
  op.next_ = live_;
  if (live_) live_->previous_ = &op;
  live_ = &op;
}

void RingReactor::unlink(RingOp& op) {
  if (op.previous_) {
    op.previous_->next_ = op.next_;
  } else if (live_ == &op) {
    live_ = op.next_;
  }
  if (op.next_) op.next_->previous_ = op.previous_;
  op.previous_ = op.next_ = nullptr;
  if (op.owner) *op.owner = nullptr;
  op.owner = nullptr;
}

}  // namespace skiff::agent::ingress
