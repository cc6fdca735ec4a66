#include "tests/bench/support/request_load.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

namespace skiff::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// One client: writes a request, reads its answer, takes the next index, until none is left.
// Lives until every event loop has returned (run_load owns it), so its handlers capture `this`.
class LoadConnection {
 public:
  LoadConnection(asio::io_context& loop, const LoadOptions& options, std::atomic<int>& next)
      : options_(options), next_(next), stream_(loop, *options.tls) {
    stream_.next_layer().connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(options.port)));
    stream_.next_layer().set_option(tcp::no_delay(true));
    stream_.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
    stream_.handshake(asio::ssl::stream_base::client);
  }

  // Called on the connection's loop.
  void start() { send_next(); }

  int answered = 0;
  int failures = 0;
  std::vector<double> latencies_ms;
  Clock::time_point last_answer{};

 private:
  void send_next() {
    const int index = next_.fetch_add(1);
    if (index >= options_.total) return;
    LoadRequest made = options_.make_request(index);
    request_ = {made.method, made.target, 11};
    request_.set(http::field::host, "127.0.0.1");
    request_.set(http::field::accept, "application/json");
    if (!made.body.empty()) {
      request_.set(http::field::content_type, made.content_type);
      request_.body() = std::move(made.body);
    }
    request_.prepare_payload();
    response_ = {};
    sent_ = Clock::now();
    http::async_write(stream_, request_, [this](beast::error_code error, size_t) {
      if (error) return broken();
      http::async_read(stream_, buffer_, response_, [this](beast::error_code error, size_t) {
        if (error) return broken();
        last_answer = Clock::now();
        latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(last_answer - sent_).count());
        ++answered;
        if (response_.result_int() != options_.expected_status) ++failures;
        send_next();
      });
    });
  }

  // This client stops; the others take the remaining requests.
  void broken() { ++failures; }

  const LoadOptions& options_;
  std::atomic<int>& next_;
  asio::ssl::stream<tcp::socket> stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  Clock::time_point sent_{};
};

}  // namespace

LoadResult run_load(const LoadOptions& options) {
  if (options.tls == nullptr || !options.make_request || options.connections < 1)
    throw std::invalid_argument("run_load: needs a TLS context, make_request and a connection");
  const int loop_count = std::clamp(options.threads, 1, options.connections);
  std::vector<std::unique_ptr<asio::io_context>> loops;
  for (int i = 0; i < loop_count; ++i) loops.push_back(std::make_unique<asio::io_context>(1));
  std::atomic<int> next{0};
  std::vector<std::unique_ptr<LoadConnection>> connections;
  for (int i = 0; i < options.connections; ++i) {
    auto& loop = *loops[i % loop_count];
    connections.push_back(std::make_unique<LoadConnection>(loop, options, next));
    asio::post(loop, [connection = connections.back().get()] { connection->start(); });
  }

  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (auto& loop : loops) threads.emplace_back([&loop] { loop->run(); });
  for (auto& thread : threads) thread.join();

  LoadResult result;
  Clock::time_point last = start;
  for (auto& connection : connections) {
    result.answered += connection->answered;
    result.failures += connection->failures;
    result.latencies_ms.insert(result.latencies_ms.end(), connection->latencies_ms.begin(),
                               connection->latencies_ms.end());
    last = std::max(last, connection->last_answer);
  }
  result.seconds = std::chrono::duration<double>(last - start).count();
  return result;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

}  // namespace skiff::bench
