#pragma once
// The two ways a worker does its sockets' I/O. The proxy's connection code is written once over
// these and compiled for both; a worker picks one at start:
//   RingIo  io_uring through the worker's RingReactor: fewer system calls and wake-ups per
//           request, the default wherever the kernel allows it.
//   AsioIo  Asio's own reactor (epoll), where io_uring is missing or forbidden (old kernels,
//           seccomp profiles, the kernel.io_uring_disabled sysctl) or switched off.
// Socket: a TCP stream socket. Waiter: something a coroutine can wait on until cancel().
#include "agent/ingress/proxy_io.h"
#include "agent/ingress/ring_socket.h"

namespace skiff::agent::ingress {

struct AsioIo {
  using Socket = AsioSocket;
  using Waiter = Timer;
};

struct RingIo {
  using Socket = RingSocket;
  using Waiter = RingWaiter;
};

}  // namespace skiff::agent::ingress
