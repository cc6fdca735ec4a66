#pragma once
// Internals of http::Server shared by the listener and its connections. Not a public header.
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "pkg/http/server.h"
#include "pkg/http/server_worker_pool.h"

namespace skiff::http {

class ConnectionBase;

struct Server::Core {
  Core(ServerOptions options_in, Handler handler_in)
      : options(std::move(options_in)), handler(std::move(handler_in)), acceptor(io) {}

  ServerOptions options;
  Handler handler;
  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  boost::asio::ip::tcp::acceptor acceptor;
  std::unique_ptr<WorkerPool> pool;
  std::vector<std::thread> io_threads;
  std::atomic<bool> stopping{false};
  bool started = false;
  uint16_t port = 0;

  // Deferred responses started and not answered yet: stop() lets them finish.
  std::mutex deferred_mutex;
  std::condition_variable deferred_answered;
  int deferred_pending = 0;

  std::mutex connections_mutex;
  std::vector<std::weak_ptr<ConnectionBase>> connections;  // pruned as it grows

  void track(const std::shared_ptr<ConnectionBase>& connection);
};

}  // namespace skiff::http
