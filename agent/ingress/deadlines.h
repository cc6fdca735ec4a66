#pragma once
// Timeouts for a worker's connections without a timer per operation: a session keeps one
// Deadline (a time point and the sockets it guards) and moves the time point as it goes; one
// sweep per tick closes the sockets of every deadline that has passed. Moving a deadline is a
// store, not a timer-queue operation, which matters at tens of thousands of requests a second.
// Single-threaded: a DeadlineList and its Deadlines belong to one worker's event loop.
#include <array>
#include <chrono>

#include <boost/system/error_code.hpp>

namespace skiff::agent::ingress {

class DeadlineList;

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Deadline(DeadlineList& list);
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  // The sockets closed when the deadline passes (at most two: client and upstream). A guarded
  // socket must outlive the Deadline or be released first.
  template <class AnySocket>
  void guard(AnySocket& socket, int slot) {
    sockets_[slot] = Guarded{&socket, [](void* guarded) {
                               // close(), not cancel(): an operation whose completion is already
                               // queued would otherwise start the next one on a socket nobody
                               // watches any more.
                               boost::system::error_code ignored;
                               static_cast<AnySocket*>(guarded)->close(ignored);
                             }};
  }
  void release(int slot) { sockets_[slot] = {}; }

  void expire_after(std::chrono::milliseconds timeout) { at_ = list_now() + timeout; }
  void expire_never() { at_ = Clock::time_point::max(); }
  // True once the deadline passed and its sockets were closed.
  bool fired() const { return fired_; }

 private:
  friend class DeadlineList;
  Clock::time_point list_now() const;
  void fire();

  DeadlineList& list_;
  Deadline* previous_ = nullptr;
  Deadline* next_ = nullptr;
  Clock::time_point at_ = Clock::time_point::max();
  struct Guarded {
    void* socket = nullptr;
    void (*close)(void*) = nullptr;
  };
  std::array<Guarded, 2> sockets_{};
  bool fired_ = false;
};

class DeadlineList {
 public:
  DeadlineList() = default;
  DeadlineList(const DeadlineList&) = delete;
  DeadlineList& operator=(const DeadlineList&) = delete;

  // Fires every deadline that has passed. Called on each tick of the worker.
  void sweep();
  // The tick's cached clock: deadlines are rounded to the tick anyway, and reading the clock
  // once per tick instead of once per request is cheaper.
  Deadline::Clock::time_point now() const { return now_; }
  void refresh_now() { now_ = Deadline::Clock::now(); }

 private:
  friend class Deadline;
  void link(Deadline& deadline);
  void unlink(Deadline& deadline);

  Deadline* head_ = nullptr;
  Deadline::Clock::time_point now_ = Deadline::Clock::now();
};

}  // namespace skiff::agent::ingress
