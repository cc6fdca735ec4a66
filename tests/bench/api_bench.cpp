// API benchmark: a real `skiff server` (SQLite store, temp data dir) driven over HTTP/1.1
// keep-alive TLS connections authenticated with the admin's client certificate, as kubectl and
// controllers would drive it.
//
// Measures: creates/s and gets/s of 1 KiB ConfigMaps with 1 and 16 concurrent clients; watch
// latency (create acknowledged -> event received, and request sent -> event received), p50/p99;
// server RSS idle and after 10,000 objects.
//
// Run: build/tests/api_bench [objects_per_phase=10000] [rounds=1]
// With rounds > 1 the creates with 16 clients run that many times (each into a namespace of its
// own) and the median is printed with the range: on a shared VM one round's figure moves by a
// third from minute to minute.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pkg/api/json.h"
#include "tests/bench/support/process_status.h"
#include "tests/bench/support/request_load.h"
#include "tests/integration/support/admin_tls.h"
#include "tests/integration/support/test_server.h"

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Where the connections go: the server's port and the admin's TLS context (shared by all).
struct ApiTarget {
  int port;
  asio::ssl::context* tls;
};

// One keep-alive HTTP/1.1 connection over TLS (a client like kubectl's).
class Connection {
 public:
  explicit Connection(const ApiTarget& target) : socket_(io_, *target.tls) {
    socket_.next_layer().connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(target.port)));
    socket_.next_layer().set_option(tcp::no_delay(true));
    socket_.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
    socket_.handshake(asio::ssl::stream_base::client);
  }

  http::response<http::string_body> request(http::verb verb, const std::string& target,
                                            const std::string& body = "") {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::accept, "application/json");
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    http::write(socket_, req);
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    return res;
  }

  // Starts a streaming GET and returns once the response header has arrived.
  void start_stream(const std::string& target) {
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::accept, "application/json");
    http::write(socket_, req);
    http::response_parser<http::empty_body> parser;
    http::read_header(socket_, buffer_, parser);
  }

  // Reads more raw bytes of a streaming (chunked) response; empty when the stream ended. The
  // caller keeps only lines that start with '{': each watch event is one chunk holding one JSON
  // line, so the chunk-size lines are easy to skip.
  std::string read_some() {
    std::string out;
    if (buffer_.size() > 0) {
      out = beast::buffers_to_string(buffer_.data());
      buffer_.consume(buffer_.size());
      return out;
    }
    char data[65536];
    beast::error_code ec;
    size_t n = socket_.read_some(asio::buffer(data), ec);
    if (!ec) out.assign(data, n);
    return out;
  }

 private:
  asio::io_context io_;
  asio::ssl::stream<tcp::socket> socket_;
  beast::flat_buffer buffer_;
};

// About 1 KiB on the wire; the same text nlohmann's dump() wrote for it, put together without a
// JSON tree so that the client spends its CPU on the connection, not on building bodies.
std::string configmap_body(const std::string& name) {
  static const std::string payload(960, 'x');
  return R"({"apiVersion":"v1","data":{"payload":")" + payload +
         R"("},"kind":"ConfigMap","metadata":{"labels":{"bench":"api"},"name":")" + name + R"("}})";
}

using skiff::bench::status_kib;

long rss_kib(pid_t pid) {
  return status_kib(pid, "VmRSS");
}

// `total` requests over `clients` connections; returns requests per second. Several clients
// share two event loops (request_load.h); a lone client is a blocking loop on one connection,
// which costs it less per request than an event loop would (that cost would be all latency).
double run_parallel(const ApiTarget& target, int clients, int total, unsigned expected_status,
                    const std::function<skiff::bench::LoadRequest(int)>& make_request) {
  int failures = 0;
  double per_second = 0;
  if (clients == 1) {
    Connection connection(target);
    const auto start = Clock::now();
    for (int i = 0; i < total; ++i) {
      auto made = make_request(i);
      if (connection.request(made.method, made.target, made.body).result_int() != expected_status)
        ++failures;
    }
    per_second = total / std::chrono::duration<double>(Clock::now() - start).count();
  } else {
    skiff::bench::LoadOptions options;
    options.port = target.port;
    options.tls = target.tls;
    options.connections = clients;
    options.threads = 2;
    options.total = total;
    options.expected_status = expected_status;
    options.make_request = make_request;
    auto result = skiff::bench::run_load(options);
    failures = result.failures;
    per_second = result.per_second();
  }
  if (failures) std::fprintf(stderr, "  (%d failed requests)\n", failures);
  return per_second;
}

void create_namespace(Connection& conn, const std::string& name) {
  skiff::Json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
  conn.request(http::verb::post, "/api/v1/namespaces", ns.dump());
}

void bench_watch_latency(const ApiTarget& target, int samples) {
  Connection setup(target);
  create_namespace(setup, "bench-watch");
  auto list = setup.request(http::verb::get, "/api/v1/namespaces/bench-watch/configmaps");
  std::string rv = skiff::Json::parse(list.body())["metadata"]["resourceVersion"];

  Connection watcher(target);
  watcher.start_stream("/api/v1/namespaces/bench-watch/configmaps?watch=1&resourceVersion=" + rv);
  std::mutex mu;
  std::vector<Clock::time_point> event_times(samples);
  std::atomic<int> received{0};
  std::thread reader([&] {
    std::string pending;
    while (received < samples) {
      std::string chunk = watcher.read_some();
      if (chunk.empty()) break;
      auto now = Clock::now();
      pending += chunk;
      size_t newline;
      while ((newline = pending.find('\n')) != std::string::npos) {
        std::string line = pending.substr(0, newline);
        pending.erase(0, newline + 1);
        if (line.empty() || line.front() != '{') continue;  // chunk framing
        auto event = skiff::Json::parse(line);
        std::string name = event["object"]["metadata"]["name"];
        int index = std::stoi(name.substr(name.rfind('-') + 1));
        std::lock_guard lock(mu);
        event_times[index] = now;
        ++received;
      }
    }
  });
  std::vector<double> ack_to_event, send_to_event;
  std::vector<Clock::time_point> sent(samples), acked(samples);
  Connection writer(target);
  for (int i = 0; i < samples; ++i) {
    sent[i] = Clock::now();
    writer.request(http::verb::post, "/api/v1/namespaces/bench-watch/configmaps",
                   configmap_body("w-" + std::to_string(i)));
    acked[i] = Clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (received < samples && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (received < samples) {
    std::printf("watch: only %d of %d events arrived\n", received.load(), samples);
    std::exit(1);
  }
  reader.join();
  for (int i = 0; i < samples; ++i) {
    // An event may arrive before the writer has read its own response: that counts as 0.
    ack_to_event.push_back(std::max(
        0.0, std::chrono::duration<double, std::micro>(event_times[i] - acked[i]).count()));
    send_to_event.push_back(
        std::chrono::duration<double, std::micro>(event_times[i] - sent[i]).count());
  }
  std::printf("| watch latency, ack -> event (us)       | p50 %8.0f | p99 %8.0f |\n",
              skiff::bench::percentile(ack_to_event, 0.5),
              skiff::bench::percentile(ack_to_event, 0.99));
  std::printf("| watch latency, request -> event (us)   | p50 %8.0f | p99 %8.0f |\n",
              skiff::bench::percentile(send_to_event, 0.5),
              skiff::bench::percentile(send_to_event, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
  int objects = argc > 1 ? std::stoi(argv[1]) : 10000;
  int rounds = argc > 2 ? std::max(1, std::stoi(argv[2])) : 1;
  skiff::testing::TestServer server;
  asio::ssl::context tls = skiff::testing::admin_tls_context(server);
  const ApiTarget target{server.port(), &tls};
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  long rss_idle = rss_kib(server.pid());

  {
    Connection setup(target);
    create_namespace(setup, "bench-1");
    create_namespace(setup, "bench-16");
    for (int round = 1; round < rounds; ++round)
      create_namespace(setup, "bench-16-" + std::to_string(round));
  }
  std::printf("skiff API benchmark: %d objects per phase, 1 KiB ConfigMaps, SQLite store\n\n",
              objects);
  std::printf("| measurement                            | value                  |\n");
  std::printf("|----------------------------------------|------------------------|\n");
  auto create_op = [](const std::string& ns) {
    return [ns](int i) {
      return skiff::bench::LoadRequest{http::verb::post, "/api/v1/namespaces/" + ns + "/configmaps",
                                       configmap_body("cm-" + std::to_string(i))};
    };
  };
  auto get_op = [objects](const std::string& ns) {
    return [ns, objects](int i) {
      return skiff::bench::LoadRequest{
          http::verb::get,
          "/api/v1/namespaces/" + ns + "/configmaps/cm-" + std::to_string((i * 7919) % objects),
          ""};
    };
  };
  int single = std::max(1, objects / 4);
  double c1 = run_parallel(target, 1, single, 201, create_op("bench-1"));
  std::printf("| creates/s, 1 client                    | %10.0f             |\n", c1);
  std::vector<double> c16;
  for (int round = 0; round < rounds; ++round) {
    const std::string ns = round == 0 ? "bench-16" : "bench-16-" + std::to_string(round);
    c16.push_back(run_parallel(target, 16, objects, 201, create_op(ns)));
  }
  if (rounds == 1) {
    std::printf("| creates/s, 16 clients                  | %10.0f             |\n", c16[0]);
  } else {
    std::printf("| creates/s, 16 clients, median of %-3d   | %10.0f (%.0f-%.0f) |\n", rounds,
                skiff::bench::percentile(c16, 0.5), *std::min_element(c16.begin(), c16.end()),
                *std::max_element(c16.begin(), c16.end()));
  }
  double g1 = run_parallel(target, 1, objects, 200, get_op("bench-16"));
  std::printf("| gets/s, 1 client                       | %10.0f             |\n", g1);
  double g16 = run_parallel(target, 16, objects * 2, 200, get_op("bench-16"));
  std::printf("| gets/s, 16 clients                     | %10.0f             |\n", g16);
  bench_watch_latency(target, 2000);
  long rss_loaded = rss_kib(server.pid());
  long anon_loaded = status_kib(server.pid(), "RssAnon");
  std::printf("| server RSS idle (MiB)                  | %10.1f             |\n",
              rss_idle / 1024.0);
  std::printf("| server RSS after %6d objects (MiB)   | %10.1f (anon %5.1f) |\n",
              objects * rounds + single + 2000, rss_loaded / 1024.0, anon_loaded / 1024.0);
  return 0;
}
