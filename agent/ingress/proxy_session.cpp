#include "agent/ingress/proxy_session.h"

#include <limits>
#include <optional>
#include <string>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/string_body.hpp>

#include "agent/ingress/error_pages.h"
#include "agent/ingress/http_relay.h"
#include "agent/ingress/proxy_headers.h"
#include "agent/ingress/proxy_worker.h"
#include "agent/ingress/tunnel.h"
#include "pkg/log/log.h"

namespace skiff::agent::ingress {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using net::redirect_error;
using RequestParser = http::request_parser<http::buffer_body>;
using ResponseParser = http::response_parser<http::buffer_body>;

// Named, not anonymous: the exported serve_client instantiations hold these types in their frames.
namespace session_detail {

// A relay buffer borrowed from the worker until the end of one exchange, taken on first use:
// most exchanges spend their time waiting for the upstream's answer without needing one, and a
// burst of slow requests would otherwise hold (and leave behind in the heap) a buffer each.
class BorrowedBuffer {
 public:
  explicit BorrowedBuffer(ProxyWorker& worker) : worker_(worker) {}
  ~BorrowedBuffer() {
    if (data_) worker_.give_back(std::move(data_));
  }
  BorrowedBuffer(const BorrowedBuffer&) = delete;
  BorrowedBuffer& operator=(const BorrowedBuffer&) = delete;
  char* get() {
    if (!data_) data_ = worker_.take_buffer();
    return data_.get();
  }

 private:
  ProxyWorker& worker_;
  std::unique_ptr<char[]> data_;
};

template <class Stream>
struct Client {
  Stream& stream;
  beast::flat_buffer& buffer;
  Deadline& deadline;
  std::string address;  // the peer's IP, for X-Forwarded-For and the log
  unsigned short local_port = 0;
  bool tls = false;
};

template <class Stream>
void access_log(ProxyWorker& worker, const Client<Stream>& client,
                const http::request_header<>& request, std::string_view host, unsigned status,
                const tcp::endpoint* upstream) {
  if (!worker.options().access_log) return;
  std::string upstream_text = "-";
  if (upstream) {
    upstream_text = upstream->address().to_string() + ":" + std::to_string(upstream->port());
  }
  log::info("ingress request", {{"client", client.address},
                                {"method", request.method_string()},
                                {"host", host},
                                {"target", request.target()},
                                {"status", status},
                                {"upstream", upstream_text}});
}

std::atomic<uint64_t>& counter_for(ProxyCounters& counters, http::status status) {
  switch (status) {
    case http::status::not_found:
      return counters.not_found;
    case http::status::service_unavailable:
      return counters.unavailable;
    case http::status::gateway_timeout:
      return counters.gateway_timeout;
    case http::status::bad_gateway:
      return counters.bad_gateway;
    default:
      return counters.bad_requests;
  }
}

// Answers `request` with one of the proxy's own pages (counted and logged like any answer);
// true when the connection may go on.
template <class Stream>
Task<bool> send_page(ProxyWorker& worker, Client<Stream>& client,
                     const http::request_header<>& request, std::string_view host, unsigned version,
                     ErrorPage page, bool keep_alive, const tcp::endpoint* upstream) {
  counter_for(worker.counters(), page.status).fetch_add(1, std::memory_order_relaxed);
  access_log(worker, client, request, host, static_cast<unsigned>(page.status), upstream);
  http::response<http::string_body> response{page.status, version < 11 ? 10u : 11u};
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.body() = std::move(page.body);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  boost::system::error_code error;
  client.deadline.expire_after(worker.options().client_idle_timeout);
  co_await http::async_write(client.stream, response, redirect_error(use_task, error));
  co_return !error && keep_alive;
}

// A parked connection to `endpoint` (one that still looks alive if `must_look_alive`), if any.
template <class Io>
std::optional<typename Io::Socket> take_parked(ProxyWorker& worker, const tcp::endpoint& endpoint,
                                               bool must_look_alive) {
  while (auto parked = worker.upstreams<Io>().take(endpoint)) {
    if (!must_look_alive || looks_alive(parked->native_handle())) return parked;
  }
  return std::nullopt;
}

// A new connection to `endpoint`; nullopt when connecting failed (the deadline fired if it
// took too long).
template <class Io>
Task<std::optional<typename Io::Socket>> connect_upstream(ProxyWorker& worker,
                                                          const tcp::endpoint& endpoint,
                                                          Deadline& deadline) {
  typename Io::Socket socket = worker.new_socket<Io>();
  boost::system::error_code error;
  socket.open(endpoint.protocol(), error);
  if (error) co_return std::nullopt;
  deadline.guard(socket, 0);
  deadline.expire_after(worker.options().upstream_connect_timeout);
  worker.counters().upstream_connects.fetch_add(1, std::memory_order_relaxed);
  co_await socket.async_connect(endpoint, redirect_error(use_task, error));
  deadline.release(0);
  if (error) co_return std::nullopt;
  socket.set_option(tcp::no_delay(true), error);
  co_return std::move(socket);
}

bool upstream_closed_early(const boost::system::error_code& error) {
  return error == http::error::end_of_stream || error == net::error::eof ||
         error == net::error::connection_reset || error == net::error::broken_pipe;
}

// One request whose header is read: route it, relay it and the answer. Returns whether the
// client connection may carry another request.
template <class Io, class Stream>
Task<bool> exchange(ProxyWorker& worker, Client<Stream>& client, RequestParser& request_parser) {
  const ProxyOptions& options = worker.options();
  auto& request = request_parser.get();
  const unsigned client_version = request.version();
  const bool client_keep_alive = request.keep_alive();
  // Answering without reading the body leaves the connection unusable for another request.
  const bool has_body = !request_parser.is_done();
  worker.counters().requests.fetch_add(1, std::memory_order_relaxed);

  const std::shared_ptr<const IngressSnapshot> snapshot = worker.snapshots().get();
  const RequestTarget target = request_target(request);
  const std::string host(target.host);

  const RouteTarget* route = snapshot->routes.match(target.host, target.path);
  const BackendEndpoints* endpoints = route ? snapshot->endpoints_of(route->backend) : nullptr;
  if (!route || !endpoints || endpoints->empty()) {
    // Chosen outside the co_await: GCC 12 mis-evaluates a conditional inside its arguments.
    ErrorPage page = route ? unavailable_page(route->backend) : not_found_page();
    co_return co_await send_page(worker, client, request, host, client_version, std::move(page),
                                 client_keep_alive && !has_body, nullptr);
  }
  const BackendRef& backend = route->backend;  // `snapshot` keeps it alive

  const bool upgrade = is_upgrade_request(request);
  const bool expects_continue = request.count(http::field::expect) != 0;
  prepare_upstream_request(
      request, ClientFacts{client.address, client.tls, client.local_port, target.host}, upgrade);
  if (expects_continue && has_body) {
    // The client waits for this before sending the body, which the proxy reads right away.
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    boost::system::error_code error;
    co_await net::async_write(client.stream, net::buffer(kContinue.data(), kContinue.size()),
                              redirect_error(use_task, error));
    if (error) co_return false;
  }

  Deadline upstream_deadline(worker.deadlines());
  BorrowedBuffer chunk(worker);
  beast::flat_buffer upstream_buffer;
  std::optional<ResponseParser> response;
  std::optional<typename Io::Socket> upstream;
  tcp::endpoint endpoint;
  auto fail = [&](bool timed_out) -> Task<bool> {
    ErrorPage page = timed_out ? gateway_timeout_page(backend) : bad_gateway_page(backend);
    co_return co_await send_page(worker, client, request, host, client_version, std::move(page),
                                 client_keep_alive && request_parser.is_done(), &endpoint);
  };

  // A parked connection may have been closed by the upstream meanwhile: a request without a
  // body is then sent once more on a new connection. One with a body only goes on a connection
  // that still looks alive, since its body cannot be replayed.
  for (int attempt = 0;; ++attempt) {
    endpoint = endpoints->pick();
    upstream_deadline.release(0);
    upstream = take_parked<Io>(worker, endpoint, has_body || attempt > 0);
    const bool reused = upstream.has_value();
    if (!upstream) upstream = co_await connect_upstream<Io>(worker, endpoint, upstream_deadline);
    if (!upstream) {
      log::warn(
          "ingress: cannot connect to upstream",
          {{"service", backend.namespace_name + "/" + backend.service},
           {"endpoint", endpoint.address().to_string() + ":" + std::to_string(endpoint.port())}});
      co_return co_await fail(upstream_deadline.fired());
    }
    upstream_deadline.guard(*upstream, 0);
    RelayResult sent;
    std::size_t prefilled = 0;
    if (whole_message_ready(request_parser, client.buffer, chunk, options.relay_chunk, prefilled,
                            sent.read_error)) {
      // The usual request: header only, or a small body read with it.
      http::serializer<true, http::buffer_body> serializer{request};
      upstream_deadline.expire_after(options.upstream_read_timeout);
      co_await http::async_write(*upstream, serializer, redirect_error(use_task, sent.write_error));
    } else if (!sent.read_error) {
      sent = co_await relay_message(client.stream, client.buffer, request_parser, *upstream,
                                    chunk.get(), options.relay_chunk, client.deadline,
                                    options.client_idle_timeout, upstream_deadline,
                                    options.upstream_read_timeout, prefilled);
    }
    if (sent.read_error) co_return false;  // the client went away mid-body
    const bool retry_allowed = reused && !has_body && attempt == 0;
    if (sent.write_error) {
      log::debug("ingress: sending to upstream failed", {{"error", sent.write_error.message()}});
      if (retry_allowed) continue;
      co_return co_await fail(upstream_deadline.fired());
    }
    // The answer, past informational ones (other than the 101 an upgrade waits for).
    boost::system::error_code error;
    client.deadline.expire_never();
    upstream_deadline.expire_after(options.upstream_read_timeout);
    for (;;) {
      response.emplace();
      response->header_limit(static_cast<std::uint32_t>(options.header_limit * 2));
      response->body_limit(std::numeric_limits<std::uint64_t>::max());
      if (request.method() == http::verb::head) response->skip(true);
      co_await http::async_read_header(*upstream, upstream_buffer, *response,
                                       redirect_error(use_task, error));
      const unsigned status = response->get().result_int();
      if (error || status / 100 != 1 || status == 101) break;
    }
    if (error) {
      log::debug("ingress: reading the upstream's answer failed", {{"error", error.message()}});
      if (retry_allowed && upstream_closed_early(error) && upstream_buffer.size() == 0 &&
          !upstream_deadline.fired()) {
        continue;
      }
      co_return co_await fail(upstream_deadline.fired());
    }
    break;
  }

  auto& answer = response->get();
  const unsigned status = answer.result_int();
  access_log(worker, client, request, host, status, &endpoint);
  if (status == 101) {
    if (!upgrade) co_return co_await fail(false);  // switching unasked is a broken upstream
    worker.counters().upgrades.fetch_add(1, std::memory_order_relaxed);
    answer.version(11);
    const RelayResult switched = co_await relay_message(
        *upstream, upstream_buffer, *response, client.stream, chunk.get(), options.relay_chunk,
        upstream_deadline, options.upstream_read_timeout, client.deadline,
        options.client_idle_timeout);
    if (!switched.ok()) co_return false;
    upstream_deadline.release(0);
    client.deadline.expire_never();
    typename Io::Waiter both_done = worker.new_waiter<Io>();
    co_await tunnel(worker.context(), worker.deadlines(), client.stream, client.buffer, *upstream,
                    upstream_buffer, both_done, options.tunnel_idle_timeout);
    co_return false;
  }

  const bool upstream_keep_alive = response->keep_alive();
  bool keep_client = client_keep_alive && request_parser.is_done() && !response->need_eof();
  prepare_client_response(answer, client_version, keep_client);
  // The usual answer is all in the buffer after its header: one write, no relay coroutine.
  RelayResult relayed;
  std::size_t prefilled = 0;
  if (whole_message_ready(*response, upstream_buffer, chunk, options.relay_chunk, prefilled,
                          relayed.read_error)) {
    http::serializer<false, http::buffer_body> serializer{answer};
    client.deadline.expire_after(options.client_idle_timeout);
    co_await http::async_write(client.stream, serializer,
                               redirect_error(use_task, relayed.write_error));
  } else if (!relayed.read_error) {
    relayed = co_await relay_message(*upstream, upstream_buffer, *response, client.stream,
                                     chunk.get(), options.relay_chunk, upstream_deadline,
                                     options.upstream_read_timeout, client.deadline,
                                     options.client_idle_timeout, prefilled);
  }
  // A body cut short cannot be reported any more: the client sees the connection close.
  if (!relayed.ok()) co_return false;
  if (upstream_keep_alive && upstream_buffer.size() == 0 && !upstream_deadline.fired()) {
    upstream_deadline.release(0);
    worker.upstreams<Io>().park(endpoint, std::move(*upstream), worker.deadlines().now());
  }
  co_return keep_client;
}

// Requests in turn until the client or an answer ends the connection.
template <class Io, class Stream>
Task<void> serve_requests(ProxyWorker& worker, Stream& stream, Deadline& deadline,
                          std::string address, unsigned short local_port, bool tls) {
  const ProxyOptions& options = worker.options();
  beast::flat_buffer buffer;
  Client<Stream> client{stream, buffer, deadline, std::move(address), local_port, tls};
  for (;;) {
    RequestParser request;
    request.header_limit(static_cast<std::uint32_t>(options.header_limit));
    request.body_limit(std::numeric_limits<std::uint64_t>::max());
    boost::system::error_code error;
    deadline.expire_after(options.client_idle_timeout);
    co_await http::async_read_header(stream, buffer, request, redirect_error(use_task, error));
    if (error) {
      if (error == http::error::header_limit) {
        co_await send_page(worker, client, request.get(), "", 11, header_too_large_page(), false,
                           nullptr);
      } else if (error.category() == http::make_error_code(http::error::bad_method).category() &&
                 error != http::error::end_of_stream && error != http::error::partial_message) {
        co_await send_page(worker, client, request.get(), "", 11, bad_request_page(), false,
                           nullptr);
      }
      co_return;
    }
    if (!co_await exchange<Io>(worker, client, request)) co_return;
  }
}

}  // namespace session_detail

using namespace session_detail;

template <class Io>
Task<void> serve_client(ProxyWorker& worker, typename Io::Socket socket, bool tls) {
  const OpenConnection counted(worker.counters().open_connections);
  boost::system::error_code error;
  const tcp::endpoint peer = socket.remote_endpoint(error);
  if (error) co_return;
  const unsigned short local_port = socket.local_endpoint(error).port();
  std::string address = peer.address().to_string();
  Deadline deadline(worker.deadlines());
  try {
    if (!tls) {
      deadline.guard(socket, 0);
      co_await serve_requests<Io>(worker, socket, deadline, std::move(address), local_port, false);
      socket.shutdown(Io::Socket::shutdown_send, error);
      co_return;
    }
    TlsStream<typename Io::Socket> stream(std::move(socket), worker.default_tls());
    deadline.guard(stream.next_layer(), 0);
    deadline.expire_after(worker.options().handshake_timeout);
    co_await stream.async_handshake(net::ssl::stream_base::server, redirect_error(use_task, error));
    if (error) co_return;
    co_await serve_requests<Io>(worker, stream, deadline, std::move(address), local_port, true);
    // No TLS close_notify exchange: waiting for a client that never answers it would cost a
    // timeout per connection; closing is what browsers and nginx's lingering close tolerate.
  } catch (const std::exception& failure) {
    // Nothing above throws on network errors (they are error codes); this is a bug or
    // exhaustion, and must not take the worker down.
    log::error("ingress: connection failed", {{"error", failure.what()}});
  }
}

template Task<void> serve_client<AsioIo>(ProxyWorker&, AsioSocket, bool);
template Task<void> serve_client<RingIo>(ProxyWorker&, RingSocket, bool);

}  // namespace skiff::agent::ingress
