#pragma once
// What an ingress proxy is told at start. The defaults are the ones a homelab wants: ports 80 and
// 443 on every address, one worker per core, nginx-like timeouts.
#include <chrono>
#include <cstddef>
#include <string>

namespace skiff::agent::ingress {

struct ProxyOptions {
  std::string bind_address = "0.0.0.0";
  int http_port = 80;    // 0: pick a free port (tests); -1: no plain HTTP listener
  int https_port = 443;  // same
  // Event loops, each with its own listeners (SO_REUSEPORT) and upstream pool, so a request
  // never crosses threads. 0: one per core, at most 4.
  unsigned workers = 0;
  // Sockets' I/O through io_uring where the kernel allows it (fewer system calls and wake-ups per
  // request); false, or a kernel without it: epoll through Asio's reactor.
  bool io_uring = true;

  std::chrono::milliseconds handshake_timeout{10'000};
  // A client connection with no request in progress is closed after this long (nginx's
  // keepalive_timeout), and a request whose header or body stalls this long is dropped.
  std::chrono::milliseconds client_idle_timeout{60'000};
  std::chrono::milliseconds upstream_connect_timeout{5'000};
  // No byte from the upstream for this long: 504 if nothing was answered yet (nginx's
  // proxy_read_timeout).
  std::chrono::milliseconds upstream_read_timeout{60'000};
  // An Upgrade tunnel (WebSocket) silent both ways for this long is closed.
  std::chrono::milliseconds tunnel_idle_timeout{3'600'000};
  // Idle pooled upstream connections are closed after this long, and at most this many are kept
  // per endpoint and worker (fewer than a worker's concurrent clients means reconnecting: with
  // 32, a 50-connection load opened 2,675 upstream connections per million requests instead of
  // about 60).
  std::chrono::milliseconds upstream_idle_timeout{30'000};
  std::size_t upstream_idle_per_endpoint = 64;

  // Request line plus headers; larger gets 431.
  std::size_t header_limit = 32 * 1024;
  // The piece of a body held in memory while it streams through, per direction and request.
  std::size_t relay_chunk = 16 * 1024;

  bool access_log = false;
};

}  // namespace skiff::agent::ingress
