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
#include "pkg/util/handoff_batch.h"

namespace skiff::http {

class ConnectionBase;

struct Server::Core {
  Core(ServerOptions options_in, Handler handler_in);

  // The I/O context a new connection lives on: each context is run by one thread, so a
  // connection's handlers never run concurrently (no strand needed), and the threads share
  // no scheduler or epoll set. Connections are dealt out in turn.
  boost::asio::io_context& next_context();
  // The handoff target posting to `context` (one of `contexts`): answers finished by another
  // thread reach the context's connections through it (util::HandoffBatch).
  util::HandoffTarget& handoff_target(const boost::asio::io_context& context);

  ServerOptions options;
  Handler handler;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts;     // one per I/O thread
  std::vector<std::unique_ptr<util::HandoffTarget>> handoff_targets;  // one per context
  std::atomic<size_t> next_context_index{0};
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  boost::asio::ip::tcp::acceptor acceptor;  // on the first context
  std::unique_ptr<WorkerPool> pool;
  std::vector<std::thread> io_threads;
  std::atomic<bool> stopping{false};
  bool started = false;
  uint16_t port = 0;

  // Deferred responses started and not answered yet: stop() lets them finish. Counted without
  // the lock (every create passes here twice); the last answer notifies under it.
  std::mutex deferred_mutex;
  std::condition_variable deferred_answered;
  std::atomic<int> deferred_pending{0};
  void deferred_answer_sent();

  std::mutex connections_mutex;
  std::vector<std::weak_ptr<ConnectionBase>> connections;  // pruned as it grows

  void track(const std::shared_ptr<ConnectionBase>& connection);
};

}  // namespace skiff::http
