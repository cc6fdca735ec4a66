#include "agent/ingress/io_ring.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

namespace skiff::agent::ingress {

namespace {

int setup(unsigned entries, io_uring_params& params) {
  return static_cast<int>(::syscall(__NR_io_uring_setup, entries, &params));
}

void* map(int fd, std::size_t size, off_t offset) {
  void* mapped =
      ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
  if (mapped == MAP_FAILED) throw std::system_error(errno, std::system_category(), "io_uring mmap");
  return mapped;
}

template <class T>
T* at(void* base, unsigned offset) {
  return reinterpret_cast<T*>(static_cast<char*>(base) + offset);
}

// The operations the proxy uses, all there since Linux 5.6; an older ring is refused (epoll then).
void require_operations(int fd) {
  constexpr unsigned kSlots = 64;
  // The probe's header, then one entry per opcode (a flexible array in the kernel's struct).
  std::vector<std::byte> answer(sizeof(io_uring_probe) + kSlots * sizeof(io_uring_probe_op));
  auto* probe = reinterpret_cast<io_uring_probe*>(answer.data());
  if (::syscall(__NR_io_uring_register, fd, IORING_REGISTER_PROBE, probe, kSlots) < 0) {
    throw std::system_error(errno, std::system_category(), "io_uring probe");
  }
  for (const unsigned opcode :
       {IORING_OP_RECV, IORING_OP_SEND, IORING_OP_SENDMSG, IORING_OP_ACCEPT, IORING_OP_CONNECT,
        IORING_OP_ASYNC_CANCEL, IORING_OP_TIMEOUT, IORING_OP_READ}) {
    if (opcode > probe->last_op || !(probe->ops[opcode].flags & IO_URING_OP_SUPPORTED)) {
      throw std::system_error(ENOSYS, std::system_category(),
                              "io_uring without operation " + std::to_string(opcode));
    }
  }
}

}  // namespace

IoRing::IoRing(unsigned entries) {
  // Completions can outnumber submissions a loop makes (every idle connection has a receive
  // pending), so the completion queue is larger; the kernel keeps any overflow (FEAT_NODROP).
  io_uring_params params{};
  params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  params.cq_entries = entries * 8;
  fd_ = setup(entries, params);
  deferred_ = fd_ >= 0;
  if (fd_ < 0 && errno == EINVAL) {
    params = {};
    params.flags = IORING_SETUP_CQSIZE;
    params.cq_entries = entries * 8;
    fd_ = setup(entries, params);
  }
  if (fd_ < 0) throw std::system_error(errno, std::system_category(), "io_uring_setup");
  try {
    require_operations(fd_);
    sq_ring_size_ = params.sq_off.array + params.sq_entries * sizeof(unsigned);
    cq_ring_size_ = params.cq_off.cqes + params.cq_entries * sizeof(io_uring_cqe);
    if (params.features & IORING_FEAT_SINGLE_MMAP) {
      sq_ring_size_ = cq_ring_size_ = std::max(sq_ring_size_, cq_ring_size_);
    }
    sq_ring_ = map(fd_, sq_ring_size_, IORING_OFF_SQ_RING);
    cq_ring_ = (params.features & IORING_FEAT_SINGLE_MMAP)
                   ? sq_ring_
                   : map(fd_, cq_ring_size_, IORING_OFF_CQ_RING);
    sqes_size_ = params.sq_entries * sizeof(io_uring_sqe);
    sqes_ = static_cast<io_uring_sqe*>(map(fd_, sqes_size_, IORING_OFF_SQES));
  } catch (...) {
    release();
    throw;
  }
  sq_head_ = at<unsigned>(sq_ring_, params.sq_off.head);
  sq_tail_ = at<unsigned>(sq_ring_, params.sq_off.tail);
  sq_mask_ = *at<unsigned>(sq_ring_, params.sq_off.ring_mask);
  sq_entries_ = *at<unsigned>(sq_ring_, params.sq_off.ring_entries);
  sq_array_ = at<unsigned>(sq_ring_, params.sq_off.array);
  cq_head_ = at<unsigned>(cq_ring_, params.cq_off.head);
  cq_tail_ = at<unsigned>(cq_ring_, params.cq_off.tail);
  cq_mask_ = *at<unsigned>(cq_ring_, params.cq_off.ring_mask);
  cqes_ = at<io_uring_cqe>(cq_ring_, params.cq_off.cqes);
  sqe_tail_ = *sq_tail_;
}

IoRing::~IoRing() {
  release();
}

void IoRing::release() {
  if (sqes_) ::munmap(sqes_, sqes_size_);
  if (cq_ring_ && cq_ring_ != sq_ring_) ::munmap(cq_ring_, cq_ring_size_);
  if (sq_ring_) ::munmap(sq_ring_, sq_ring_size_);
  if (fd_ >= 0) ::close(fd_);
  sqes_ = nullptr;
  cq_ring_ = sq_ring_ = nullptr;
  fd_ = -1;
}

io_uring_sqe& IoRing::next_sqe() {
  if (queued() >= sq_entries_) enter(queued(), 0);
  if (queued() >= sq_entries_) {
    // The kernel took none (its completion queue overflowed and could not be spilled): the
    // operation fails rather than overwrite a queued one.
    throw std::system_error(EBUSY, std::system_category(), "io_uring submission queue full");
  }
  const unsigned index = sqe_tail_ & sq_mask_;
  sq_array_[index] = index;
  io_uring_sqe& sqe = sqes_[index];
  std::memset(&sqe, 0, sizeof sqe);
  ++sqe_tail_;
  return sqe;
}

void IoRing::submit_and_wait(unsigned wait_for) {
  enter(queued(), wait_for);
}

void IoRing::enter(unsigned submit, unsigned wait_for) {
  __atomic_store_n(sq_tail_, sqe_tail_, __ATOMIC_RELEASE);
  // GETEVENTS even when not waiting: with deferred completion that is what runs the work.
  const unsigned flags = (wait_for > 0 || deferred_) ? IORING_ENTER_GETEVENTS : 0;
  for (;;) {
    const long done = ::syscall(__NR_io_uring_enter, fd_, submit, wait_for, flags, nullptr, 0);
    if (done >= 0) {
      // Fewer taken than offered: an entry the kernel could not even start stops the batch;
      // its error is posted as a completion and the rest go with the next call.
      submit -= static_cast<unsigned>(done);
      if (submit == 0 || done == 0) return;
      wait_for = 0;  // some were not taken yet; only submit the rest
      continue;
    }
    // EINTR: a signal; EBUSY / EAGAIN: the completion queue is full and must be drained first,
    // which the caller's loop does next. Either way the queued entries stay queued.
    if (errno == EINTR || errno == EBUSY || errno == EAGAIN) return;
    throw std::system_error(errno, std::system_category(), "io_uring_enter");
  }
}

}  // namespace skiff::agent::ingress
