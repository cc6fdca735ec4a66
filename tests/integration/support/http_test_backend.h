#pragma once
// A small HTTP/1.1 server on loopback for testing proxies: blocking, one thread per connection,
// keep-alive, bodies streamed (never held whole). What it answers depends on the path:
//   /download/<n>   n bytes of 'x' with a Content-Length, written in pieces
//   /chunked        a chunked body "alpha" "beta" "gamma"
//   /drip           a chunked body: "first" at once, "second" a second later
//   /slow/<ms>      answers after <ms> milliseconds
//   /hangup         closes the connection without answering
//   an Upgrade request: 101 Switching Protocols, then echoes bytes until the client closes
//   anything else   "backend=<name> method=<m> target=<t> host=<h> body=<bytes received>" plus
//                   one line per X-Forwarded-*/X-Real-IP header, "<name>: <value>"
// It counts the connections it accepted (a proxy that pools upstream connections opens few).
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace skiff::testing {

class HttpTestBackend {
 public:
  explicit HttpTestBackend(std::string name);
  ~HttpTestBackend();  // stops and joins every connection
  HttpTestBackend(const HttpTestBackend&) = delete;
  HttpTestBackend& operator=(const HttpTestBackend&) = delete;

  unsigned short port() const { return port_; }
  const std::string& name() const { return name_; }
  int connections_accepted() const { return accepted_.load(); }

 private:
  struct State;
  void accept_loop();
  void serve(int fd);

  const std::string name_;
  unsigned short port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::mutex mutex_;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace skiff::testing
