#pragma once
// For benchmarks: drives a server with `connections` keep-alive HTTPS connections ("clients" in
// the benchmarks' tables), each with one request in flight at a time, spread over a few
// event-loop threads the way wrk drives a server. The benchmarks used to give every client a
// thread and a blocking socket: on a 2-core machine those 8-16 threads and their switches took
// CPU the server under test then lacked (api_bench's client measured 8.6k creates/s where wrk
// measured 11-13k against the same server).
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/verb.hpp>

#include <functional>
#include <string>
#include <vector>

namespace skiff::bench {

struct LoadRequest {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target;
  std::string body;  // sent with `content_type` when not empty
  std::string content_type = "application/json";
};

struct LoadOptions {
  int port = 0;  // the server on 127.0.0.1
  boost::asio::ssl::context* tls =
      nullptr;  // a client context; the server is verified as 127.0.0.1
  int connections = 16;
  int threads = 2;  // event loops; connections are dealt out among them
  int total = 0;    // requests over all connections
  unsigned expected_status = 200;
  // Request `index` (0..total-1, each once, in about that order). Called on the load's threads,
  // so from several at once: it must be safe for that.
  std::function<LoadRequest(int index)> make_request;
};

struct LoadResult {
  double seconds = 0;  // first request sent -> last answer read
  int answered = 0;
  int failures = 0;                  // answers with another status, or connections that broke
  std::vector<double> latencies_ms;  // request written -> answer read, one per answer
  double per_second() const { return seconds > 0 ? answered / seconds : 0; }
};

// Connects every connection (TLS handshakes done before the clock starts), runs the requests and
// returns when all are answered or their connections failed. Throws when a connection cannot be
// opened.
LoadResult run_load(const LoadOptions& options);

// The value at fraction `p` (0..1) of `values` once sorted; 0 when empty.
double percentile(std::vector<double> values, double p);

}  // namespace skiff::bench
