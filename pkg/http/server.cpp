#include "pkg/http/server.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <stdexcept>
#include <thread>

#include "pkg/api/errors.h"
#include "pkg/http/server_connection.h"
#include "pkg/http/server_core.h"
#include "pkg/util/thread_name.h"

namespace skiff::http {

namespace asio = boost::asio;
using boost::asio::ip::tcp;

Response status_response(unsigned status, const std::string& reason, const std::string& message) {
  api::ApiError error(static_cast<int>(status), reason, message);
  return Response{status, {{"Content-Type", "application/json"}}, error.to_status().dump()};
}

namespace {

// Runs handed-off work on one I/O context, all of one batch in one handler.
class ContextHandoffTarget final : public util::HandoffTarget {
 public:
  explicit ContextHandoffTarget(asio::io_context& context) : context_(context) {}
  void post(std::function<void()> work) override { asio::post(context_, std::move(work)); }
  void post_all(std::vector<std::function<void()>> work) override {
    asio::post(context_, [work = std::move(work)] {
      for (const auto& item : work) item();
    });
  }

 private:
  asio::io_context& context_;
};

}  // namespace

Server::Core::Core(ServerOptions options_in, Handler handler_in)
    : options(std::move(options_in)),
      handler(std::move(handler_in)),
      contexts([this] {
        std::vector<std::unique_ptr<asio::io_context>> made;
        for (int i = 0; i < std::max(1, options.io_threads); ++i) {
          made.push_back(std::make_unique<asio::io_context>(1));  // run by one thread
        }
        return made;
      }()),
      acceptor(*contexts.front()) {
  for (auto& context : contexts)
    handoff_targets.push_back(std::make_unique<ContextHandoffTarget>(*context));
}

util::HandoffTarget& Server::Core::handoff_target(const asio::io_context& context) {
  for (size_t i = 0; i < contexts.size(); ++i) {
    if (contexts[i].get() == &context) return *handoff_targets[i];
  }
  throw std::logic_error("handoff_target: not one of the server's I/O contexts");
}

void Server::Core::deferred_answer_sent() {
  if (--deferred_pending == 0) {
    // Under the lock: stop() cannot miss it between its look and its wait.
    std::lock_guard lock(deferred_mutex);
    deferred_answered.notify_all();
  }
}

asio::io_context& Server::Core::next_context() {
  return *contexts[next_context_index.fetch_add(1) % contexts.size()];
}

void Server::Core::track(const std::shared_ptr<ConnectionBase>& connection) {
  std::lock_guard lock(connections_mutex);
  if (connections.size() >= 64 && connections.size() % 64 == 0) {
    std::erase_if(connections, [](const auto& weak) { return weak.expired(); });
  }
  connections.push_back(connection);
}

namespace {

void accept_next(const std::shared_ptr<Server::Core>& core) {
  core->acceptor.async_accept(
      core->next_context(), [core](boost::system::error_code ec, Socket socket) {
        if (ec) {
          if (ec == asio::error::operation_aborted || !core->acceptor.is_open()) return;
          // Transient (e.g. out of file descriptors): keep accepting.
          return accept_next(core);
        }
        if (core->stopping) return;  // the socket closes as it goes out of scope
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::shared_ptr<ConnectionBase> connection;
        if (core->options.tls_context) {
          auto context = core->options.tls_context();
          if (!context) return accept_next(core);  // no certificate (yet): refuse this one
          connection = std::make_shared<TlsConnection>(core, std::move(socket), std::move(context));
        } else {
          connection = std::make_shared<PlainConnection>(core, std::move(socket));
        }
        core->track(connection);
        connection->start();
        accept_next(core);
      });
}

}  // namespace

Server::Server(ServerOptions options, Handler handler)
    : core_(std::make_shared<Core>(std::move(options), std::move(handler))) {}

Server::~Server() {
  stop();
}

uint16_t Server::start() {
  auto& core = *core_;
  if (core.started) return core.port;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(core.options.bind_address, ec);
  if (ec) throw std::runtime_error("invalid bind address \"" + core.options.bind_address + "\"");
  tcp::endpoint endpoint(address, core.options.port);
  core.acceptor.open(endpoint.protocol(), ec);
  if (!ec) core.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) core.acceptor.bind(endpoint, ec);
  if (!ec) core.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + core.options.bind_address + ":" +
                             std::to_string(core.options.port) + ": " + ec.message());
  }
  core.port = core.acceptor.local_endpoint().port();
  core.pool = std::make_unique<WorkerPool>(core.options.worker_threads);
  for (auto& context : core.contexts) core.work.emplace_back(context->get_executor());
  accept_next(core_);
  for (auto& context : core.contexts)
    core.io_threads.emplace_back([&context = *context] {
      util::name_this_thread("http-io");
      context.run();
    });
  core.started = true;
  return core.port;
}

void Server::stop() {
  auto& core = *core_;
  if (!core.started || core.stopping.exchange(true)) return;
  asio::post(*core.contexts.front(), [&core] {
    boost::system::error_code ignored;
    core.acceptor.close(ignored);
  });
  std::vector<std::shared_ptr<ConnectionBase>> live;
  {
    std::lock_guard lock(core.connections_mutex);
    for (auto& weak : core.connections)
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    core.connections.clear();
  }
  for (auto& connection : live) connection->shutdown();
  live.clear();
  core.pool->stop();  // in-flight handlers finish and post their responses
  {
    // ... and so do the deferred responses they started (a store write is milliseconds).
    std::unique_lock lock(core.deferred_mutex);
    core.deferred_answered.wait_for(lock, std::chrono::seconds(5),
                                    [&core] { return core.deferred_pending == 0; });
  }
  core.work.clear();
  // Connections finish their last writes; give slow clients a bounded grace period.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  const auto all_stopped = [&core] {
    return std::all_of(core.contexts.begin(), core.contexts.end(),
                       [](const auto& context) { return context->stopped(); });
  };
  while (!all_stopped() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (auto& context : core.contexts) context->stop();
  for (auto& thread : core.io_threads)
    if (thread.joinable()) thread.join();
  core.io_threads.clear();
}

uint16_t Server::port() const {
  return core_->port;
}

}  // namespace skiff::http
